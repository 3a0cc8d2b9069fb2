// Wall-clock time in a named IANA zone ↔ UTC instants, with Intl only.
// Why no library: Intl.DateTimeFormat (ICU, shipped with workerd) already knows
// every zone's rules; all we need is "what does the clock on the wall read at
// instant t", and the inverse below is a few lines on top of that.
//
// Local times are handled as "wall ms": the wall-clock reading encoded as if it
// were UTC (Date.UTC(y, m-1, d, hh, mm)). offset(t) = wall(t) - t.

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The cached Intl formatter for `zone` (building one is the costly part). Throws for an unknown zone. */
export function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading in `zone` at instant `utcMs`, as wall ms. */
export function wallMsAt(zone: string, utcMs: number): number {
  const ms = ((utcMs % 1000) + 1000) % 1000;
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(utcMs - ms))) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + ms;
}

/** UTC offset of `zone` at instant `utcMs`, in ms (Berlin in summer: +7_200_000). */
export function offsetAt(zone: string, utcMs: number): number {
  return wallMsAt(zone, utcMs) - utcMs;
}

// Offsets at whole-hour probe points, cached per isolate: a 2-month availability request
// resolves a few hundred wall times, and Intl.formatToParts is the expensive part.
const probeCache = new Map<string, number>();
const HOUR_MS = 3_600_000;

function probeOffset(zone: string, t: number): number {
  const h = Math.floor(t / HOUR_MS);
  const key = `${zone}|${h}`;
  let o = probeCache.get(key);
  if (o === undefined) {
    if (probeCache.size > 20_000) probeCache.clear();
    o = offsetAt(zone, h * HOUR_MS);
    probeCache.set(key, o);
  }
  return o;
}

export type LocalResolution =
  | { kind: "exact"; utcMs: number }
  // The wall time does not exist (spring forward): resolved by moving it forward
  // by the length of the gap (02:30 in Berlin on 2026-03-29 → 03:30 CEST), like
  // Temporal's "compatible" disambiguation.
  | { kind: "gap"; utcMs: number }
  // The wall time happens twice (fall back): utcMs is the earlier occurrence, laterMs the second.
  | { kind: "overlap"; utcMs: number; laterMs: number };

/** Resolves a wall-clock date + time in `zone` to an instant, reporting DST gaps and overlaps explicitly. */
export function resolveLocal(zone: string, date: string, time: string): LocalResolution {
  return resolveWall(zone, wallMsOf(date, time));
}

/** resolveLocal for a wall-clock reading given as wall ms (any precision). */
export function resolveWall(zone: string, wall: number): LocalResolution {
  // The offsets in force a day before and a day after cover any single transition near `wall`.
  const before = probeOffset(zone, wall - DAY_MS);
  const after = probeOffset(zone, wall + DAY_MS);
  // Same offset on both sides: no transition in between (no zone has two within 48 h),
  // so the answer is exact without another Intl call. This is the path for ~all dates.
  if (before === after) return { kind: "exact", utcMs: wall - before };
  const candidates = [...new Set([wall - before, wall - after])]
    .filter((t) => wallMsAt(zone, t) === wall)
    .sort((a, b) => a - b);
  if (candidates.length === 0) return { kind: "gap", utcMs: wall - before };
  if (candidates.length === 1) return { kind: "exact", utcMs: candidates[0] };
  return { kind: "overlap", utcMs: candidates[0], laterMs: candidates[candidates.length - 1] };
}

/** Wall-clock date + time in `zone` → UTC ms (gap: moved forward; overlap: the earlier instant). */
export function localToUtc(zone: string, date: string, time: string): number {
  return resolveLocal(zone, date, time).utcMs;
}

export interface LocalParts {
  date: string; // YYYY-MM-DD
  time: string; // HH:MM
  weekday: number; // ISO 1 = Monday … 7 = Sunday
}

/**
 * The zone's offset at `utcMs` from the cached whole-hour probes: equal offsets at the hour
 * before and the hour after mean no transition in between (no zone has two within an hour), so
 * it is exact; otherwise (the transition hour itself) it asks Intl. Ranking and training call
 * utcToLocal thousands of times per request, and formatToParts is the expensive part.
 */
function offsetNear(zone: string, utcMs: number): number {
  const a = probeOffset(zone, utcMs);
  return a === probeOffset(zone, utcMs + HOUR_MS) ? a : offsetAt(zone, utcMs);
}

/** UTC instant → wall-clock date, time and ISO weekday in `zone`. */
export function utcToLocal(zone: string, utcMs: number): LocalParts {
  const w = new Date(utcMs + offsetNear(zone, utcMs));
  const iso = w.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16), weekday: w.getUTCDay() || 7 };
}

/** "YYYY-MM-DD" + "HH:MM" (or "24:00") → wall ms. */
export function wallMsOf(date: string, time: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  return Date.UTC(y, m - 1, d, hh, mm);
}

/** ISO weekday (1 = Monday) of a calendar date. */
export function isoWeekday(date: string): number {
  return new Date(wallMsOf(date, "00:00")).getUTCDay() || 7;
}

export function addDays(date: string, days: number): string {
  return new Date(wallMsOf(date, "00:00") + days * DAY_MS).toISOString().slice(0, 10);
}

/** Every calendar date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
