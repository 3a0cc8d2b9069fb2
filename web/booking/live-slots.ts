// Does a live change (an appointment or blocked time of some doctor) touch clinic day `day`?
// The booking dialog reloads its free times only for changes on the day it shows. A record
// without times (a deletion sends only its id) counts as touching: reloading is cheap, missing
// a freed time is not.
import { toWall } from "../lib/tz";

export function touchesDay(record: unknown, day: string, tz: string): boolean {
  const r = record as { start?: unknown; end?: unknown } | null;
  if (!r || typeof r.start !== "string" || typeof r.end !== "string") return true;
  const from = toWall(r.start, tz).slice(0, 10);
  // An end at midnight belongs to the day before.
  const to = toWall(Date.parse(r.end) - 1, tz).slice(0, 10);
  return from <= day && day <= to;
}
