// Time zone names as Outlook sends them → IANA. Outlook events carry Windows zone
// names ("W. Europe Standard Time") unless the reader asked for another zone with
// `Prefer: outlook.timezone`; recurring series keep their originalStartTimeZone in
// Windows form either way. The mapping is CLDR's windowsZones table, taken from
// the `windows-iana` package (MIT, generated from CLDR and kept up to date by its
// maintainer) rather than a hand-written list that would drift with every CLDR
// release. Its first IANA name for a Windows zone is CLDR's territory "001"
// (the zone's canonical city), which is the one we want.
import { findIana } from "windows-iana";
import { isValidTimeZone } from "../../scheduling/zone";

/** IANA name for a zone name Graph sent (IANA, Windows or "UTC"); null when unknown. */
export function ianaZoneOf(name: string | null | undefined): string | null {
  if (!name) return null;
  const n = name.trim();
  if (!n || n.length > 100) return null;
  if (/^(utc|gmt|etc\/utc|etc\/gmt|z)$/i.test(n)) return "UTC";
  // Graph accepts IANA names and echoes them back as given.
  if (n.includes("/") && isValidTimeZone(n)) return n;
  const candidates = findIana(n);
  for (const c of candidates) if (isValidTimeZone(c)) return c;
  return null;
}
