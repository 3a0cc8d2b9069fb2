// Wall-clock ↔ instant in a named IANA zone, with Intl only (no tz database to ship).
// Used for all-day external events: "2026-01-05" blocks local midnight to local
// midnight in the clinic's zone, whatever the offset that day (DST included).

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string) {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    fmtCache.set(tz, f);
  }
  return f;
}

/** Offset (ms) of `tz` from UTC at instant `ms`. */
export function zoneOffsetMs(ms: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of fmt(tz).formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant of local midnight starting `date` (YYYY-MM-DD) in `tz`. */
export function localMidnight(date: string, tz: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d);
  // Two passes settle the offset across a DST change.
  let t = guess - zoneOffsetMs(guess, tz);
  t = guess - zoneOffsetMs(t, tz);
  return t;
}

/** The local calendar date (YYYY-MM-DD) of instant `ms` in `tz`. */
export function localDate(ms: number, tz: string): string {
  const shifted = new Date(ms + zoneOffsetMs(ms, tz));
  return shifted.toISOString().slice(0, 10);
}
