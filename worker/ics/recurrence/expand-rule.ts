// One RRULE → the local (wall-clock) start times it produces inside a window.
//
// Why our own expander and not ical.js's iterator or the `rrule` package:
// - ical.js 2.2 iterates candidate by candidate with no bound inside `next()`:
//   FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 never yields and freezes the isolate; it also
//   counts its caps from DTSTART, so a series that began decades ago ran out before the
//   window, rolled 31 February over into March, and returned every Monday of a year
//   without week 53 for BYWEEKNO=53.
// - `rrule` (a port of python-dateutil) is correct on most rules and is what our
//   property test compares against, but it has no step bound either (an impossible rule
//   loops until its own year limit), no way to start at the window, and its time-zone
//   support returns "local time dressed as UTC" dates. `rrule-temporal` needs a Temporal
//   polyfill (~200 kB) in the Worker and also iterates from DTSTART.
// So this file implements RFC 5545 §3.3.10 directly, period by period (a year, a month,
// a week, a day, an hour…), never candidate by candidate, charging every period and every
// candidate to a step budget; it jumps straight to the window when the rule allows it.
import { DAY_MS, dayNumber, dayOf, dayMatches, dayRuleOf, FREQ_RANK, monthLength, neverMatches, RecurrenceError, weekdayOf, type DayRule, type Rule } from "./rule";

/** Counts work; throws RecurrenceError when the allowance is used up. */
export interface Budget {
  tick(n?: number): void;
}

export interface RuleWindow {
  /** Collect starts with fromWall ≤ start < toWall (wall ms; the caller widens its instant window by a zone's offset). */
  fromWall: number;
  toWall: number;
  /** Stop after collecting this many; `capped` tells the caller. */
  maxOut: number;
  /** True when a start (wall ms) lies after the rule's UNTIL (the caller knows the zone for UTC UNTIL values). */
  afterUntil: (wall: number) => boolean;
}

export interface RuleResult {
  walls: number[];
  capped: boolean;
}

const HOUR_MS = 3_600_000;
const MIN_MS = 60_000;
const SUB_DAILY_LEN: Record<string, number> = { HOURLY: HOUR_MS, MINUTELY: MIN_MS, SECONDLY: 1000 };

/** Next value of a sorted list after `cur`, or null. */
const nextIn = (list: number[], cur: number) => {
  for (const v of list) if (v > cur) return v;
  return null;
};

/** BYSETPOS over one period's sorted set (RFC 5545: 1 = first, −1 = last). */
function setPos(cands: number[], pos: number[] | null): number[] {
  if (!pos) return cands;
  const out = new Set<number>();
  for (const p of pos) {
    const i = p > 0 ? p - 1 : cands.length + p;
    if (i >= 0 && i < cands.length) out.add(cands[i]);
  }
  return [...out].sort((a, b) => a - b);
}

export function expandRule(r: Rule, dtstart: number, w: RuleWindow, budget: Budget): RuleResult {
  const start = dayOf(Math.floor(dtstart / DAY_MS));
  const tod = dtstart - start.dn * DAY_MS;
  const [sH, sM, sS] = [Math.floor(tod / HOUR_MS), Math.floor(tod / MIN_MS) % 60, Math.floor(tod / 1000) % 60];
  const f = dayRuleOf(r, start);
  if (neverMatches(f, (n) => budget.tick(n))) throw new RecurrenceError("its RRULE can never produce a date (no day satisfies its BYMONTH/BYMONTHDAY/BYYEARDAY/BYWEEKNO/BYDAY parts)");
  // Second 60 (a leap second) never exists in our time scale: skipped like any invalid date.
  const secs = (r.bySecond ?? [sS]).filter((s) => s < 60);
  if (!secs.length) throw new RecurrenceError("its RRULE can never produce a time (BYSECOND=60 only)");
  const mins = r.byMinute ?? [sM];
  const hours = r.byHour ?? [sH];
  const sub = FREQ_RANK[r.freq] < FREQ_RANK.DAILY;
  const times: number[] = [];
  if (!sub) for (const h of hours) for (const m of mins) for (const s of secs) times.push(h * HOUR_MS + m * MIN_MS + s * 1000);
  times.sort((a, b) => a - b);

  const out: number[] = [];
  let count = 0;
  let capped = false;
  /** Takes one start in order; false = stop the whole expansion. */
  const emit = (c: number): boolean => {
    if (w.afterUntil(c)) return false;
    count++;
    if (r.count !== null && count > r.count) return false;
    if (c >= w.toWall) return false;
    if (c >= w.fromWall) {
      out.push(c);
      if (out.length >= w.maxOut) {
        capped = true;
        return false;
      }
    }
    return true;
  };
  if (w.afterUntil(dtstart)) throw new RecurrenceError("its RRULE's UNTIL is before its DTSTART");
  // "The DTSTART property value always counts as the first occurrence" (RFC 5545 §3.8.5.3), matched or not.
  if (!emit(dtstart)) return { walls: out, capped };

  const per = sub ? subDaily(r, f, secs, mins) : daily(r, f, times);
  const p0 = per.index(dtstart);
  let p = p0;
  // Start at the window, not at DTSTART: without COUNT nothing before the window matters; with COUNT we may
  // skip only when every period holds the same number of starts (then we can count them without visiting).
  const k = Math.floor((per.index(w.fromWall) - p0) / r.interval);
  if (k > 1) {
    const pj = p0 + k * r.interval;
    if (r.count === null) p = pj;
    else {
      const each = uniformCount(r, f, times.length, secs.length);
      if (each !== null) {
        budget.tick();
        const first = setPos(per.candidates(p0, budget), r.bySetPos).filter((c) => c > dtstart).length;
        const skipped = first + (k - 1) * each;
        if (count + skipped >= r.count || w.afterUntil(per.startWall(pj))) return { walls: out, capped };
        count += skipped;
        p = pj;
      }
    }
  }
  for (;;) {
    budget.tick();
    const ps = per.startWall(p);
    if (ps >= w.toWall || w.afterUntil(ps)) break;
    const skipTo = per.skip(p);
    if (skipTo !== null) {
      p = skipTo <= p ? p + r.interval : p0 + Math.ceil((skipTo - p0) / r.interval) * r.interval;
      continue;
    }
    for (const c of setPos(per.candidates(p, budget), r.bySetPos)) {
      if (c <= dtstart) continue;
      if (!emit(c)) return { walls: out, capped };
    }
    p += r.interval;
  }
  return { walls: out, capped };
}

/** How a frequency cuts time into periods. */
interface Periods {
  index(wall: number): number;
  startWall(p: number): number;
  /** A later period index where the next match can be (this one cannot match), or null to expand this one. */
  skip(p: number): number | null;
  /** The sorted starts inside period p (before BYSETPOS). */
  candidates(p: number, budget: Budget): number[];
}

function daily(r: Rule, f: DayRule, times: number[]): Periods {
  const days = (dns: number[], budget: Budget) => {
    budget.tick(dns.length);
    const keep = dns.filter((dn) => dayMatches(dayOf(dn), f));
    budget.tick(keep.length * times.length);
    const out: number[] = [];
    for (const dn of keep) for (const t of times) out.push(dn * DAY_MS + t);
    return out;
  };
  /** Candidate days of one month: listed from BYMONTHDAY, or the BYDAY weekdays when given (a day of another
   *  weekday can never match), else every day. dayMatches then applies every part. */
  const monthDays = (y: number, m: number, budget: Budget): number[] => {
    if (f.byMonth && !f.byMonth.has(m)) return [];
    const len = monthLength(y, m);
    const first = dayNumber(y, m, 1);
    if (f.byMonthDay) {
      const ds = f.byMonthDay.map((v) => (v > 0 ? v : len + v + 1)).filter((d) => d >= 1 && d <= len);
      return [...new Set(ds)].sort((a, b) => a - b).map((d) => first + d - 1);
    }
    if (f.plain && !f.plain.size && f.ordinalsIn === "month") return ordinalDays(first, len);
    budget.tick(len); // scanning the month is work too, even for the days the weekday test drops
    const all = Array.from({ length: len }, (_, i) => first + i);
    if (f.plain) {
      const wds = new Set([...f.plain, ...f.ordinals.map((o) => o.wd)]);
      return all.filter((dn) => wds.has(weekdayOf(dn)));
    }
    return all;
  };
  /** Only ordinals (BYDAY=2TU,-1FR): the nth weekday of a span computed directly, not by scanning it. */
  const ordinalDays = (first: number, len: number): number[] => {
    const out = new Set<number>();
    for (const o of f.ordinals) {
      const dn =
        o.n > 0
          ? first + ((o.wd - weekdayOf(first) + 7) % 7) + (o.n - 1) * 7
          : first + len - 1 - ((weekdayOf(first + len - 1) - o.wd + 7) % 7) + (o.n + 1) * 7;
      if (dn >= first && dn < first + len) out.add(dn);
    }
    return [...out].sort((a, b) => a - b);
  };
  // Weeks start on WKST: the anchor is the first day on or after 1970-01-01 with that weekday.
  const anchor = (r.wkst - weekdayOf(0) + 7) % 7;
  switch (r.freq) {
    case "YEARLY":
      return {
        index: (wall) => dayOf(Math.floor(wall / DAY_MS)).y,
        startWall: (y) => dayNumber(y, 1, 1) * DAY_MS,
        skip: () => null,
        candidates: (y, budget) => {
          if (f.byYearDay && !f.byMonthDay) {
            const len = dayNumber(y + 1, 1, 1) - dayNumber(y, 1, 1);
            const yd = f.byYearDay.map((v) => (v > 0 ? v : len + v + 1)).filter((d) => d >= 1 && d <= len);
            return days([...new Set(yd)].sort((a, b) => a - b).map((d) => dayNumber(y, 1, 1) + d - 1), budget);
          }
          if (f.plain && !f.plain.size && f.ordinalsIn === "year" && !f.byMonthDay && !f.byYearDay)
            return days(ordinalDays(dayNumber(y, 1, 1), dayNumber(y + 1, 1, 1) - dayNumber(y, 1, 1)), budget);
          const dns: number[] = [];
          for (let m = 1; m <= 12; m++) dns.push(...monthDays(y, m, budget));
          return days(dns, budget);
        },
      };
    case "MONTHLY":
      return {
        index: (wall) => {
          const d = dayOf(Math.floor(wall / DAY_MS));
          return d.y * 12 + d.m - 1;
        },
        startWall: (p) => dayNumber(Math.floor(p / 12), (p % 12) + 1, 1) * DAY_MS,
        skip: (p) => (f.byMonth && !f.byMonth.has((p % 12) + 1) ? p + 1 : null),
        candidates: (p, budget) => days(monthDays(Math.floor(p / 12), (p % 12) + 1, budget), budget),
      };
    case "WEEKLY":
      return {
        index: (wall) => Math.floor((Math.floor(wall / DAY_MS) - anchor) / 7),
        startWall: (p) => (anchor + p * 7) * DAY_MS,
        skip: () => null,
        candidates: (p, budget) => days([0, 1, 2, 3, 4, 5, 6].map((i) => anchor + p * 7 + i), budget),
      };
    default: // DAILY
      return {
        index: (wall) => Math.floor(wall / DAY_MS),
        startWall: (dn) => dn * DAY_MS,
        skip: (dn) => {
          const d = dayOf(dn);
          if (f.byMonth && !f.byMonth.has(d.m)) return d.m === 12 ? dayNumber(d.y + 1, 1, 1) : dayNumber(d.y, d.m + 1, 1);
          return dayMatches(d, f) ? null : dn + 1;
        },
        candidates: (dn, budget) => days([dn], budget),
      };
  }
}

function subDaily(r: Rule, f: DayRule, secs: number[], mins: number[]): Periods {
  const len = SUB_DAILY_LEN[r.freq];
  let cachedDn = NaN;
  let cachedOk = false;
  return {
    index: (wall) => Math.floor(wall / len),
    startWall: (p) => p * len,
    // Jump over a whole day, hour or minute that a BYxxx limit excludes (in period units).
    skip: (p) => {
      const ps = p * len;
      const dn = Math.floor(ps / DAY_MS);
      if (dn !== cachedDn) {
        cachedDn = dn;
        cachedOk = dayMatches(dayOf(dn), f);
      }
      if (!cachedOk) return ((dn + 1) * DAY_MS) / len;
      const inDay = ps - dn * DAY_MS;
      const [h, m, s] = [Math.floor(inDay / HOUR_MS), Math.floor(inDay / MIN_MS) % 60, Math.floor(inDay / 1000) % 60];
      if (r.byHour && !r.byHour.includes(h)) {
        const nh = nextIn(r.byHour, h);
        return (nh === null ? (dn + 1) * DAY_MS : dn * DAY_MS + nh * HOUR_MS) / len;
      }
      if (r.freq !== "HOURLY" && r.byMinute && !r.byMinute.includes(m)) {
        const nm = nextIn(r.byMinute, m);
        return (dn * DAY_MS + h * HOUR_MS + (nm === null ? HOUR_MS : nm * MIN_MS)) / len;
      }
      if (r.freq === "SECONDLY" && r.bySecond && !r.bySecond.includes(s)) {
        const ns = nextIn(secs, s);
        return (dn * DAY_MS + h * HOUR_MS + m * MIN_MS + (ns === null ? MIN_MS : ns * 1000)) / len;
      }
      return null;
    },
    candidates: (p, budget) => {
      const ps = p * len;
      if (r.freq === "SECONDLY") return [ps];
      const out: number[] = [];
      if (r.freq === "MINUTELY") for (const s of secs) out.push(ps + s * 1000);
      else for (const m of mins) for (const s of secs) out.push(ps + m * MIN_MS + s * 1000);
      budget.tick(out.length);
      return out;
    },
  };
}

/** Starts per period when every period holds the same number (so COUNT can be skipped over arithmetically), else null. */
function uniformCount(r: Rule, f: DayRule, timesPerDay: number, secs: number): number | null {
  if (r.bySetPos || r.byMonth || r.byWeekNo || r.byYearDay || r.byMonthDay) return null;
  switch (r.freq) {
    case "WEEKLY":
      return f.plain ? new Set([...f.plain, ...f.ordinals.map((o) => o.wd)]).size * timesPerDay : null;
    case "DAILY":
      return r.byDay ? null : timesPerDay;
    case "HOURLY":
      return r.byDay || r.byHour ? null : (r.byMinute?.length ?? 1) * secs;
    case "MINUTELY":
      return r.byDay || r.byHour || r.byMinute ? null : secs;
    case "SECONDLY":
      return r.byDay || r.byHour || r.byMinute || r.bySecond ? null : 1;
    default:
      return null;
  }
}
