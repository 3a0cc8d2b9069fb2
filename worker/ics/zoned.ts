// Wall-clock formatting of an instant in an IANA zone, for ical-generator.
//
// Why this exists: ical-generator formats a plain Date with the *runtime's*
// local zone (UTC in workerd), so "TZID=Europe/Berlin:..." would carry UTC
// digits. It does accept a Luxon DateTime and calls only setZone/toFormat on
// it; this is the smallest object with that shape, backed by Intl (which
// workerd ships with full tz data), so we need no Luxon dependency.
// Zone maths (formatters, validity, wall time → instant) live in scheduling/zone.ts.
import { offsetAt, resolveWall, wallMsAt } from "../scheduling/zone";

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

let last: { ms: number; zone: string; clock: WallClock } | null = null;

// Offsets per (zone, UTC day): a feed of 5,000 appointments spans ~400 days, so
// two Intl calls per day replace two per appointment (formatToParts is the
// costly part of rendering). A day whose start and end offsets differ holds a
// transition and is computed exactly for each instant.
const DAY_MS = 86_400_000;
const dayOffsets = new Map<string, number | null>();
const DAY_CACHE_MAX = 20_000;

function offsetForDay(ms: number, zone: string): number | null {
  const day = Math.floor(ms / DAY_MS);
  const key = `${zone}|${day}`;
  let v = dayOffsets.get(key);
  if (v === undefined) {
    const a = offsetFromClock(day * DAY_MS, zone);
    const b = offsetFromClock((day + 1) * DAY_MS - 1000, zone);
    v = a === b ? a : null;
    if (dayOffsets.size >= DAY_CACHE_MAX) dayOffsets.clear();
    dayOffsets.set(key, v);
  }
  return v;
}

function offsetFromClock(ms: number, zone: string): number {
  return Math.round(offsetAt(zone, ms) / 60_000);
}

/** The wall-clock fields of `ms` in `zone`. */
export function wallClock(ms: number, zone: string): WallClock {
  // ical-generator asks for the date and then the time of the same instant: remember one.
  if (last && last.ms === ms && last.zone === zone) return last.clock;
  const offset = offsetForDay(ms, zone);
  const clock = offset === null ? computeWallClock(ms, zone) : utcClock(ms + offset * 60_000);
  last = { ms, zone, clock };
  return clock;
}

function computeWallClock(ms: number, zone: string): WallClock {
  return utcClock(wallMsAt(zone, ms));
}

const p2 = (n: number) => String(n).padStart(2, "0");

/** The instant of a local wall-clock time in `zone` (in a DST gap: moved forward; in an overlap: the earlier). */
export function instantOf(w: WallClock, zone: string): number {
  return resolveWall(zone, Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)).utcMs;
}

/** A Luxon-DateTime-shaped value that ical-generator can format in any zone. */
export class ZonedInstant {
  readonly zone: { type: string };
  constructor(
    readonly ms: number,
    readonly zoneName: string = "UTC",
  ) {
    this.zone = { type: zoneName === "UTC" ? "fixed" : "iana" };
  }
  get isValid(): boolean {
    return Number.isFinite(this.ms);
  }
  setZone(zone?: string): ZonedInstant {
    return new ZonedInstant(this.ms, zone ?? "UTC");
  }
  toJSDate(): Date {
    return new Date(this.ms);
  }
  toJSON(): string {
    return new Date(this.ms).toISOString();
  }
  /** Only the two patterns ical-generator uses. */
  toFormat(fmt: string): string {
    const w = this.zoneName.toUpperCase() === "UTC" ? utcClock(this.ms) : wallClock(this.ms, this.zoneName);
    if (fmt === "yyyyLLdd") return `${String(w.year).padStart(4, "0")}${p2(w.month)}${p2(w.day)}`;
    if (fmt === "HHmmss") return `${p2(w.hour)}${p2(w.minute)}${p2(w.second)}`;
    throw new Error(`ZonedInstant cannot format ${fmt}`);
  }
}

function utcClock(ms: number): WallClock {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}
