// Graph's {dateTime, timeZone} pairs: the zone is an IANA or a Windows name (mapped with
// windows-iana), the dateTime a wall time in it.
import { findIana } from "windows-iana";

/** Wall time of `ms` in an IANA zone, "YYYY-MM-DDTHH:MM:SS". */
export function wallIn(ms: number, zone: string) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}
export const zoneOf = (name: string) => (name === "UTC" ? "UTC" : name.includes("/") ? name : (findIana(name)[0] ?? null));
/** Graph's {dateTime, timeZone} (IANA or Windows name) → ms. */
export function msOf(t: { dateTime?: string; timeZone?: string } | undefined): number | null {
  if (!t?.dateTime) return null;
  const zone = zoneOf(t.timeZone ?? "UTC");
  if (!zone) return null;
  const m = t.dateTime.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/);
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  if (zone === "UTC") return wall;
  // Two passes find the offset in force at that wall time.
  let guess = wall;
  for (let i = 0; i < 2; i++) guess = wall - (Date.parse(wallIn(guess, zone) + "Z") - guess);
  return guess;
}
