// The one recurrence expander (RFC 5545): a parsed VEVENT master with its
// RECURRENCE-ID overrides, RRULEs, RDATEs (DATE, DATE-TIME, PERIOD) and EXDATEs,
// and a window → every occurrence that overlaps the window, with exact UTC
// start and end. Used by the .ics import (ics/import.ts parseIcs) and, through
// parseIcs, by the CalDAV inbound sync.
//
// ical.js is used for what it does right: tokenising the file and typing the
// property values (Time, Period, Duration, Recur). The expansion is ours
// (recurrence/expand-rule.ts says why), and so are the instants:
// - A rule is expanded in DTSTART's local wall-clock time, then each start is
//   turned into an instant by the property's zone (`Frame`, given by the caller).
//   A local time in a DST gap takes the offset before the gap (RFC 5545 §3.3.5:
//   01:30 on London's spring-forward day is 02:30 BST); a repeated one is the first.
// - Durations (§3.3.6): weeks/days are nominal (same wall time N days later), hours,
//   minutes and seconds exact. A DTEND gives every instance the master's exact
//   duration (§3.8.5.3: "the same exact duration will apply to all the members").
// - Work is bounded: every period and candidate is charged to a StepBudget (per event
//   and per file); running out is an error naming the event, never a silent cut.
import ICAL from "ical.js";
import { expandRule, type Budget } from "./recurrence/expand-rule";
import { DAY_MS, FREQ_RANK, dayNumber, parseRule, RecurrenceError, wallOf } from "./recurrence/rule";

export { RecurrenceError } from "./recurrence/rule";

/** How local readings of one property become instants. */
export interface Frame {
  /** The value was written in UTC ("…Z"). */
  utc: boolean;
  toInstant(wall: number): number;
}

export interface ExpandOptions {
  fromMs: number;
  toMs: number;
  /** More occurrences than this inside the window → `capped` (the caller reports it). */
  maxOccurrences: number;
  /** The frame of a value: DATE (all-day, the clinic's zone), UTC ("…Z"), or local in TZID (null: floating). */
  frameOf(v: { isDate: boolean; utc: boolean }, tzid: string | null): Frame;
  budget: Budget;
}

export interface Occurrence {
  /** "" for a non-recurring event; else the original start in ICS basic format (20260316T090000, …Z, or 20260320). */
  recurrenceId: string;
  startMs: number;
  endMs: number;
  allDay: boolean;
  /** The master, or the RECURRENCE-ID override that replaced this occurrence (for SUMMARY, STATUS, TRANSP). */
  component: ICAL.Component;
}

export interface EventExpansion {
  inWindow: Occurrence[];
  /** Non-recurring events and overrides outside the window (listed so the preview can say why they are skipped). */
  outOfWindow: Occurrence[];
  capped: boolean;
}

/** Bad event data (not a recurrence problem): the file is refused as a whole, as before. */
export class InvalidEventError extends Error {}

// Why steps and not milliseconds: inside workerd, Date.now() does not advance during
// synchronous work (a Spectre mitigation), so a time budget could never fire inside the
// loop. Steps are deterministic; measured in workerd at 0.2–2 µs each (a BYWEEKNO day is the costly kind),
// so a file costs at most ~0.5 s of CPU and one event ~0.2 s.
export const EVENT_STEPS = 150_000;
export const FILE_STEPS = 500_000;

export class StepBudget implements Budget {
  private fileLeft: number;
  private eventLeft = 0;
  constructor(
    readonly perFile = FILE_STEPS,
    readonly perEvent = EVENT_STEPS,
  ) {
    this.fileLeft = perFile;
  }
  startEvent() {
    this.eventLeft = this.perEvent;
  }
  tick(n = 1) {
    this.fileLeft -= n;
    this.eventLeft -= n;
    if (this.eventLeft < 0) throw new RecurrenceError(`its recurrence could not be expanded within ${this.perEvent.toLocaleString("en")} steps (a rule that matches too rarely, or counts from a DTSTART too far back)`);
    if (this.fileLeft < 0) throw new RecurrenceError(`the file's recurrence budget (${this.perFile.toLocaleString("en")} steps) was used up before this event`);
  }
}

const HOUR_MS = 3_600_000;
const p2 = (n: number) => String(n).padStart(2, "0");

/** A DATE or DATE-TIME value as a local reading. */
interface Stamp {
  wall: number;
  isDate: boolean;
  utc: boolean;
}

function wallOfTime(t: ICAL.Time): number {
  return t.isDate ? wallOf(t.year, t.month, t.day) : wallOf(t.year, t.month, t.day, t.hour, t.minute, t.second);
}
const stampOfTime = (t: ICAL.Time): Stamp => ({ wall: wallOfTime(t), isDate: t.isDate, utc: !t.isDate && t.zone?.tzid === "UTC" });

// RDATE/EXDATE lists are read from ical.js's raw jCal strings ("2026-03-02T09:00:00Z", "2026-03-02"):
// its getValues() builds a decorated Time per value at ~13 µs each, 0.5 s for a 40,000-date list.
const JCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(Z)?)?$/;
function stampOfJcal(v: unknown): Stamp {
  const m = typeof v === "string" ? JCAL_TIME.exec(v) : null;
  if (!m) throw new InvalidEventError(`has an unreadable date in RDATE/EXDATE (${String(v).slice(0, 40)})`);
  const n = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x)));
  return { wall: wallOf(n[0], n[1], n[2], n[3], n[4], n[5]), isDate: m[4] === undefined, utc: m[7] === "Z" };
}
/** The raw values of a property (jCal: [name, params, type, ...values]). */
const rawValues = (prop: ICAL.Property): { type: string; values: unknown[] } => {
  const j = (prop as unknown as { jCal: unknown[] }).jCal;
  return { type: String(j[2]), values: j.slice(3) };
};

function basic(wall: number, isDate: boolean, utc: boolean): string {
  const d = new Date(wall);
  const date = `${String(d.getUTCFullYear()).padStart(4, "0")}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}`;
  return isDate ? date : `${date}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}${utc ? "Z" : ""}`;
}

export function tzidOf(ve: ICAL.Component, prop: string): string | null {
  const tz = ve.getFirstProperty(prop)?.getParameter("tzid");
  return typeof tz === "string" && tz ? tz : null;
}

/** Nominal days, then exact milliseconds (RFC 5545 §3.3.6). */
interface Dur {
  days: number;
  exactMs: number;
}

interface Start {
  time: ICAL.Time;
  wall: number;
  frame: Frame;
  ms: number;
}

function startOf(ve: ICAL.Component, o: ExpandOptions): Start {
  const time = ve.getFirstPropertyValue("dtstart") as ICAL.Time | null;
  if (!time || typeof time !== "object" || !("isDate" in time)) throw new InvalidEventError("has no DTSTART");
  const frame = o.frameOf(stampOfTime(time), tzidOf(ve, "dtstart"));
  const wall = wallOfTime(time);
  return { time, wall, frame, ms: frame.toInstant(wall) };
}

function durationOf(ve: ICAL.Component, s: Start, o: ExpandOptions, fallback: Dur | null): Dur {
  const dtend = ve.getFirstPropertyValue("dtend") as ICAL.Time | null;
  if (dtend && typeof dtend === "object") {
    if (s.time.isDate) {
      const days = dayNumber(dtend.year, dtend.month, dtend.day) - Math.floor(s.wall / DAY_MS);
      return { days: days > 0 ? days : 1, exactMs: 0 };
    }
    const endMs = o.frameOf(stampOfTime(dtend), tzidOf(ve, "dtend") ?? tzidOf(ve, "dtstart")).toInstant(wallOfTime(dtend));
    if (endMs < s.ms) throw new InvalidEventError("ends before it starts");
    return { days: 0, exactMs: endMs - s.ms };
  }
  const dur = ve.getFirstPropertyValue("duration") as ICAL.Duration | null;
  if (dur && typeof dur === "object") return durOfValue(dur);
  return fallback ?? (s.time.isDate ? { days: 1, exactMs: 0 } : { days: 0, exactMs: 0 });
}

function durOfValue(dur: ICAL.Duration): Dur {
  if (dur.isNegative) throw new InvalidEventError("has a negative DURATION");
  return { days: dur.weeks * 7 + dur.days, exactMs: dur.hours * HOUR_MS + dur.minutes * 60_000 + dur.seconds * 1000 };
}

const durationFromText = (text: string) => ICAL.Duration.fromString(text);

const endOf = (wall: number, ms: number, frame: Frame, d: Dur) => (d.days ? frame.toInstant(wall + d.days * DAY_MS) : ms) + d.exactMs;

/** One VEVENT without recurrence (or an override whose master is not in the file). */
export function singleOccurrence(ve: ICAL.Component, recurrenceId: string, o: ExpandOptions, fallback: Dur | null = null): Occurrence {
  const s = startOf(ve, o);
  const d = durationOf(ve, s, o, fallback);
  return { recurrenceId, startMs: s.ms, endMs: endOf(s.wall, s.ms, s.frame, d), allDay: s.time.isDate, component: ve };
}

const overlaps = (x: { startMs: number; endMs: number }, o: ExpandOptions) => !(x.endMs <= o.fromMs || x.startMs >= o.toMs);

/** A RECURRENCE-ID / EXDATE value → its instant. */
const keyOf = (t: Stamp, tzid: string | null, o: ExpandOptions) => o.frameOf(t, tzid).toInstant(t.wall);

export function expandEvent(master: ICAL.Component, overrides: ICAL.Component[], o: ExpandOptions): EventExpansion {
  const rrules = master.getAllProperties("rrule");
  const rdates = master.getAllProperties("rdate");
  if (!rrules.length && !rdates.length) {
    const x = singleOccurrence(master, "", o);
    return overlaps(x, o) ? { inWindow: [x], outOfWindow: [], capped: false } : { inWindow: [], outOfWindow: [x], capped: false };
  }
  const s = startOf(master, o);
  const dur = durationOf(master, s, o, null);
  const isDate = s.time.isDate;
  // starts by instant: a set, so an RDATE repeating an RRULE start counts once (RFC 5545 §3.8.5.2).
  const starts = new Map<number, { wall: number; frame: Frame; rid: string; dur: Dur }>();
  const add = (wall: number, frame: Frame, d: Dur, dateOnly: boolean) => {
    const ms = frame.toInstant(wall);
    // Starts that cannot reach the window are dropped here (a 40,000-date RDATE list keeps only its few).
    if (ms >= o.toMs || ms + d.days * DAY_MS + d.exactMs + 2 * HOUR_MS <= o.fromMs) return;
    if (!starts.has(ms)) starts.set(ms, { wall, frame, rid: basic(wall, dateOnly, frame.utc), dur: d });
  };
  // Widen the instant window by the longest duration and any zone offset (±14 h) for the wall-clock expansion.
  const longest = dur.days * DAY_MS + dur.exactMs + 2 * HOUR_MS;
  const fromWall = o.fromMs - longest - 2 * DAY_MS;
  const toWall = o.toMs + 2 * DAY_MS;
  let capped = false;

  for (const prop of rrules) {
    o.budget.tick();
    const rule = parseRule(String(prop.getFirstValue()));
    if (isDate && (FREQ_RANK[rule.freq] < FREQ_RANK.DAILY || rule.byHour || rule.byMinute || rule.bySecond))
      throw new RecurrenceError(`an all-day series cannot repeat ${rule.freq.toLowerCase()} or by hour/minute/second`);
    const until = rule.until;
    const afterUntil = !until
      ? () => false
      : until.utc && !isDate
        ? (wall: number) => (wall > until.wall + 2 * DAY_MS ? true : wall < until.wall - 2 * DAY_MS ? false : s.frame.toInstant(wall) > until.wall)
        : (wall: number) => wall > until.wall; // local UNTIL (floating or DATE series): compared as a local reading
    const res = expandRule(rule, s.wall, { fromWall, toWall, maxOut: o.maxOccurrences + 1, afterUntil }, o.budget);
    capped ||= res.capped;
    for (const wall of res.walls) add(wall, s.frame, dur, isDate);
  }
  if (!rrules.length) add(s.wall, s.frame, dur, isDate); // RDATE-only: DTSTART is the first instance

  for (const prop of rdates) {
    const tz = prop.getParameter("tzid");
    const tzid = typeof tz === "string" ? tz : null;
    const { type, values } = rawValues(prop);
    o.budget.tick(values.length);
    for (const v of values) {
      if (type === "period" && Array.isArray(v)) {
        // VALUE=PERIOD: an explicit start and end (or duration) for this one instance.
        const st = stampOfJcal(v[0]);
        const frame = o.frameOf(st, tzid);
        let d: Dur;
        if (typeof v[1] === "string" && /^[+-]?P/.test(v[1])) d = durOfValue(durationFromText(v[1]));
        else {
          const en = stampOfJcal(v[1]);
          d = { days: 0, exactMs: Math.max(0, o.frameOf(en, tzid).toInstant(en.wall) - frame.toInstant(st.wall)) };
        }
        add(st.wall, frame, d, false);
        continue;
      }
      const t = stampOfJcal(v);
      if (t.isDate && !isDate) {
        // A DATE in a timed series: that day at DTSTART's time of day (RFC 5545 leaves this open).
        add(t.wall + (s.wall - Math.floor(s.wall / DAY_MS) * DAY_MS), s.frame, dur, false);
      } else add(t.wall, o.frameOf(t, tzid), dur, t.isDate);
    }
  }

  // EXDATE: by instant; a DATE EXDATE in a timed series removes every start on that local day.
  const exInstants = new Set<number>();
  const exDays = new Set<number>();
  for (const prop of master.getAllProperties("exdate")) {
    const tz = prop.getParameter("tzid");
    const { values } = rawValues(prop);
    o.budget.tick(values.length);
    for (const v of values) {
      const t = stampOfJcal(v);
      if (t.isDate && !isDate) exDays.add(Math.floor(t.wall / DAY_MS));
      else exInstants.add(keyOf(t, typeof tz === "string" ? tz : null, o));
    }
  }

  // Overrides replace the instance they name (matched by instant, so a RECURRENCE-ID in UTC matches a TZID series).
  const replaced = new Set<number>();
  const inWindow: Occurrence[] = [];
  const outOfWindow: Occurrence[] = [];
  for (const ov of overrides) {
    o.budget.tick();
    const rid = ov.getFirstPropertyValue("recurrence-id") as ICAL.Time;
    const key = keyOf(stampOfTime(rid), tzidOf(ov, "recurrence-id"), o);
    replaced.add(key);
    // Same recurrence id as the instance it replaces (so re-imports match), in the series' own notation.
    const x = singleOccurrence(ov, starts.get(key)?.rid ?? rid.toICALString(), o, dur);
    (overlaps(x, o) ? inWindow : outOfWindow).push(x);
  }

  for (const [ms, st] of starts) {
    if (exInstants.has(ms) || replaced.has(ms) || exDays.has(Math.floor(st.wall / DAY_MS))) continue;
    const x: Occurrence = { recurrenceId: st.rid, startMs: ms, endMs: endOf(st.wall, ms, st.frame, st.dur), allDay: isDate, component: master };
    if (overlaps(x, o)) inWindow.push(x);
  }
  inWindow.sort((a, b) => a.startMs - b.startMs);
  if (inWindow.length > o.maxOccurrences) capped = true;
  return { inWindow, outOfWindow, capped };
}
