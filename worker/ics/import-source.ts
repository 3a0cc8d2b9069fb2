// Which calendar an import comes from, so that re-importing it can free the time
// of events that were deleted there, without touching what other calendars
// imported into the same doctor.
//
// In order of trust:
//   1. the URL it was fetched from (webcal:// and https:// are the same calendar);
//   2. a name the caller gives (?source=…), for uploads of the same export over time;
//   3. the calendar's own name, X-WR-CALNAME (Google, Apple and Outlook write it).
// With none of these the source is unknown (""): earlier rows are then removed only
// when their event (UID) is still in the file and just lost an occurrence.
// Only a hash is stored: private calendar URLs carry secrets in their path.
import { sha256Hex } from "../ids";

export type SourceKind = "url" | "named" | "calendar" | "none";

export interface ImportSource {
  kind: SourceKind;
  /** 32 hex characters, or "" when unknown. */
  hash: string;
}

/** X-WR-CALNAME of an unfolded calendar text (first one, TEXT unescaped), or null. */
export function calendarNameOf(text: string): string | null {
  const m = /^X-WR-CALNAME(?:;[^:\r\n]*)?:(.*)$/im.exec(text);
  const name = m?.[1]
    ?.replace(/\\([\\;,])/g, "$1")
    .replace(/\\[nN]/g, " ")
    .trim();
  return name ? name.slice(0, 200) : null;
}

export async function importSourceOf(o: { url?: string | null; name?: string | null; text: string }): Promise<ImportSource> {
  const hash = async (s: string) => (await sha256Hex(s)).slice(0, 32);
  if (o.url) return { kind: "url", hash: await hash(`url\u0000${o.url.replace(/^webcal:\/\//i, "https://").trim()}`) };
  if (o.name?.trim()) return { kind: "named", hash: await hash(`name\u0000${o.name.trim()}`) };
  const cal = calendarNameOf(o.text);
  if (cal) return { kind: "calendar", hash: await hash(`calendar\u0000${cal}`) };
  return { kind: "none", hash: "" };
}
