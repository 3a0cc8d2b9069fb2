// RRULE text → a validated Rule, the calendar maths its BYxxx parts need, and the
// static "can this rule ever match?" check (RFC 5545 §3.3.10, §3.8.5.3).
//
// Every date here is a "day number" (days since 1970-01-01 in the proleptic
// Gregorian calendar) or "wall ms" (a local wall-clock reading encoded as if it
// were UTC): the rule is expanded in local time and only then turned into instants
// (recurrence.ts), which is what RFC 5545 describes ("the local time of DTSTART").

export const DAY_MS = 86_400_000;

export type Freq = "SECONDLY" | "MINUTELY" | "HOURLY" | "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY";
export const FREQ_RANK: Record<Freq, number> = { SECONDLY: 0, MINUTELY: 1, HOURLY: 2, DAILY: 3, WEEKLY: 4, MONTHLY: 5, YEARLY: 6 };
const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/** A BYDAY entry: `n` = 0 for "every such weekday", else its ordinal (−53…53). `wd` 0 = Monday … 6 = Sunday. */
export interface WeekdayNum {
  n: number;
  wd: number;
}

export interface Until {
  /** Wall ms of the UNTIL value (for a DATE: 23:59:59 of that day, RFC 5545 says "inclusive"). */
  wall: number;
  /** True when UNTIL was written in UTC ("…Z"): then it is compared as an instant. */
  utc: boolean;
}

export interface Rule {
  freq: Freq;
  interval: number;
  count: number | null;
  until: Until | null;
  bySecond: number[] | null;
  byMinute: number[] | null;
  byHour: number[] | null;
  byDay: WeekdayNum[] | null;
  byMonthDay: number[] | null;
  byYearDay: number[] | null;
  byWeekNo: number[] | null;
  byMonth: number[] | null;
  bySetPos: number[] | null;
  /** 0 = Monday (the RFC default) … 6 = Sunday. */
  wkst: number;
}

/** A rule that is invalid, can never match, or cannot be expanded within the bounds. The message is for people. */
export class RecurrenceError extends Error {}

const MAX_LIST = 400; // entries in one BYxxx list (BYYEARDAY has at most 732 meaningful values; nobody writes more)
const MAX_INTERVAL = 2 ** 40; // keeps period arithmetic within safe integers

const RANGES: Record<string, [number, number, boolean]> = {
  // part: [min, max, negative values allowed]
  BYSECOND: [0, 60, false],
  BYMINUTE: [0, 59, false],
  BYHOUR: [0, 23, false],
  BYMONTHDAY: [1, 31, true],
  BYYEARDAY: [1, 366, true],
  BYWEEKNO: [1, 53, true],
  BYMONTH: [1, 12, false],
  BYSETPOS: [1, 366, true],
};

function intOf(part: string, v: string): number {
  if (!/^[+-]?\d{1,16}$/.test(v)) throw new RecurrenceError(`${part}=${v} is not a whole number`);
  return Number(v);
}

function numList(part: string, v: string): number[] {
  const [min, max, neg] = RANGES[part];
  const items = v.split(",");
  if (items.length > MAX_LIST) throw new RecurrenceError(`${part} has more than ${MAX_LIST} values`);
  const out = items.map((s) => {
    const n = intOf(part, s);
    const a = Math.abs(n);
    if (a < min || a > max || (n < 0 && !neg) || (neg && n === 0)) throw new RecurrenceError(`${part}=${s} is out of range`);
    return n;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

function dayList(v: string): WeekdayNum[] {
  const items = v.split(",");
  if (items.length > MAX_LIST) throw new RecurrenceError(`BYDAY has more than ${MAX_LIST} values`);
  return items.map((s) => {
    const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(s);
    if (!m) throw new RecurrenceError(`BYDAY=${s} is not a weekday`);
    const n = m[1] ? Number(m[1]) : 0;
    if (m[1] && (n === 0 || Math.abs(n) > 53)) throw new RecurrenceError(`BYDAY=${s} has an ordinal out of range`);
    return { n, wd: WEEKDAYS.indexOf(m[2]) };
  });
}

function untilOf(v: string): Until {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(v);
  if (!m) throw new RecurrenceError(`UNTIL=${v} is not a date or date-time`);
  const [y, mo, d, hh, mi, ss] = m.slice(1, 7).map((x) => (x === undefined ? -1 : Number(x)));
  if (!validDate(y, mo, d) || hh > 23 || mi > 59 || ss > 60) throw new RecurrenceError(`UNTIL=${v} is not a real date`);
  if (hh < 0) return { wall: wallOf(y, mo, d, 23, 59, 59), utc: false };
  return { wall: wallOf(y, mo, d, hh, mi, Math.min(ss, 59)), utc: m[7] === "Z" };
}

/** Parses one RRULE value ("FREQ=…;…"). Throws RecurrenceError with the reason. */
export function parseRule(text: string): Rule {
  const seen = new Map<string, string>();
  for (const piece of text.trim().split(";")) {
    if (!piece) continue;
    const eq = piece.indexOf("=");
    if (eq <= 0) throw new RecurrenceError(`"${piece.slice(0, 40)}" is not NAME=VALUE`);
    const name = piece.slice(0, eq).toUpperCase();
    if (seen.has(name)) throw new RecurrenceError(`${name} is given twice`);
    seen.set(name, piece.slice(eq + 1).toUpperCase());
  }
  const get = (k: string) => seen.get(k);
  const freq = get("FREQ") as Freq | undefined;
  if (!freq || !(freq in FREQ_RANK)) throw new RecurrenceError(`FREQ=${freq ?? ""} is missing or unknown`);
  // RFC 7529 (non-Gregorian RSCALE, SKIP=BACKWARD/FORWARD) changes what an invalid date means: refuse rather than guess.
  const rscale = get("RSCALE");
  if (rscale && rscale !== "GREGORIAN") throw new RecurrenceError(`RSCALE=${rscale} is not supported`);
  const skip = get("SKIP");
  if (skip && skip !== "OMIT") throw new RecurrenceError(`SKIP=${skip} is not supported`);
  if (get("COUNT") !== undefined && get("UNTIL") !== undefined) throw new RecurrenceError("COUNT and UNTIL are both given (RFC 5545 allows one)");
  const interval = get("INTERVAL") === undefined ? 1 : intOf("INTERVAL", get("INTERVAL")!);
  if (interval < 1 || interval > MAX_INTERVAL) throw new RecurrenceError(`INTERVAL=${get("INTERVAL")} is out of range`);
  const count = get("COUNT") === undefined ? null : intOf("COUNT", get("COUNT")!);
  if (count !== null && count < 1) throw new RecurrenceError(`COUNT=${get("COUNT")} must be at least 1`);
  const wkst = get("WKST") === undefined ? 0 : WEEKDAYS.indexOf(get("WKST")!);
  if (wkst < 0) throw new RecurrenceError(`WKST=${get("WKST")} is not a weekday`);
  const list = (k: string) => (get(k) === undefined ? null : numList(k, get(k)!));
  return {
    freq,
    interval,
    count,
    until: get("UNTIL") === undefined ? null : untilOf(get("UNTIL")!),
    bySecond: list("BYSECOND"),
    byMinute: list("BYMINUTE"),
    byHour: list("BYHOUR"),
    byDay: get("BYDAY") === undefined ? null : dayList(get("BYDAY")!),
    byMonthDay: list("BYMONTHDAY"),
    byYearDay: list("BYYEARDAY"),
    byWeekNo: list("BYWEEKNO"),
    byMonth: list("BYMONTH"),
    bySetPos: list("BYSETPOS"),
    wkst,
  };
}

// ---- calendar maths -------------------------------------------------------

export const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const monthLength = (y: number, m: number) => (m === 2 && isLeap(y) ? 29 : MONTH_DAYS[m - 1]);
export const validDate = (y: number, m: number, d: number) => m >= 1 && m <= 12 && d >= 1 && d <= monthLength(y, m);
// Civil date ↔ day number by arithmetic (H. Hinnant's algorithms), not Date objects: these run for
// every candidate day, and Date.UTC also reads years 0–99 as 1900–1999.
export function dayNumber(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

function civil(dn: number): [number, number, number] {
  const z = dn + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, doy - Math.floor((153 * mp + 2) / 5) + 1];
}

/** Wall ms of a local reading. */
export const wallOf = (y: number, m: number, d: number, hh = 0, mi = 0, ss = 0) => dayNumber(y, m, d) * DAY_MS + ((hh * 60 + mi) * 60 + ss) * 1000;
/** 0 = Monday … 6 = Sunday. 1970-01-01 was a Thursday. */
export const weekdayOf = (dn: number) => (((dn + 3) % 7) + 7) % 7;

export interface Day {
  dn: number;
  y: number;
  m: number;
  d: number;
  wd: number;
  /** Day of the year, 1-based. */
  yd: number;
}

export function dayOf(dn: number): Day {
  const [y, m, d] = civil(dn);
  return { dn, y, m, d, wd: weekdayOf(dn), yd: dn - dayNumber(y, 1, 1) + 1 };
}

/** First day of week 1 of `year` with weeks starting on `wkst`: the first such week with at least 4 days in the year (RFC 5545 BYWEEKNO, ISO 8601). */
const week1Cache = new Map<number, number>();
function week1Start(year: number, wkst: number): number {
  const key = year * 7 + wkst;
  let v = week1Cache.get(key);
  if (v === undefined) {
    if (week1Cache.size > 10_000) week1Cache.clear();
    v = computeWeek1Start(year, wkst);
    week1Cache.set(key, v);
  }
  return v;
}

function computeWeek1Start(year: number, wkst: number): number {
  const jan1 = dayNumber(year, 1, 1);
  const back = (weekdayOf(jan1) - wkst + 7) % 7;
  return back <= 3 ? jan1 - back : jan1 - back + 7;
}

/** The week number of `dn` and how many weeks its week-numbering year has. */
export function weekNumber(dn: number, wkst: number): { week: number; weeks: number } {
  const start = dn - ((weekdayOf(dn) - wkst + 7) % 7);
  const wy = civil(start + 3)[0]; // the year holding ≥4 days of this week
  const w1 = week1Start(wy, wkst);
  return { week: (start - w1) / 7 + 1, weeks: (week1Start(wy + 1, wkst) - w1) / 7 };
}

// ---- the day-level filter -------------------------------------------------

/** Which BYxxx parts act on days, with RFC 5545's defaults taken from DTSTART already applied. */
export interface DayRule {
  byMonth: Set<number> | null;
  byMonthDay: number[] | null;
  byYearDay: number[] | null;
  byWeekNo: number[] | null;
  /** Plain weekdays (n = 0, and ordinals where the frequency makes them plain). */
  plain: Set<number> | null;
  ordinals: WeekdayNum[];
  /** Ordinals count within the month (MONTHLY, or YEARLY with BYMONTH) or within the year. */
  ordinalsIn: "month" | "year";
  wkst: number;
}

/** RFC 5545 p. 44 (expand/limit table) read as one filter over days, as python-dateutil does. */
export function dayRuleOf(r: Rule, start: Day): DayRule {
  let { byMonth, byMonthDay, byDay } = r;
  const noDayParts = !r.byWeekNo && !r.byYearDay && !byMonthDay && !byDay;
  if (noDayParts && r.freq === "YEARLY") {
    if (!byMonth) byMonth = [start.m];
    byMonthDay = [start.d];
  } else if (noDayParts && r.freq === "MONTHLY") byMonthDay = [start.d];
  else if (noDayParts && r.freq === "WEEKLY") byDay = [{ n: 0, wd: start.wd }];
  // Ordinals only mean something in MONTHLY and YEARLY rules (RFC 5545: "MUST NOT be specified" otherwise);
  // elsewhere they are read as the plain weekday, like dateutil and ical.js.
  const ordinalsAllowed = r.freq === "MONTHLY" || r.freq === "YEARLY";
  return {
    byMonth: byMonth ? new Set(byMonth) : null,
    byMonthDay,
    byYearDay: r.byYearDay,
    byWeekNo: r.byWeekNo,
    // Only ordinals (BYDAY=2TU): an empty set, so dayMatches goes on to the ordinal test.
    plain: byDay ? new Set(byDay.filter((x) => x.n === 0 || !ordinalsAllowed).map((x) => x.wd)) : null,
    ordinals: ordinalsAllowed && byDay ? byDay.filter((x) => x.n !== 0) : [],
    ordinalsIn: r.freq === "MONTHLY" || (r.freq === "YEARLY" && byMonth) ? "month" : "year",
    wkst: r.wkst,
  };
}

export function dayMatches(x: Day, f: DayRule): boolean {
  if (f.byMonth && !f.byMonth.has(x.m)) return false;
  // Cheapest test first: with only plain weekdays, a day of another weekday fails before week numbers are worked out.
  if (f.plain && !f.ordinals.length && !f.plain.has(x.wd)) return false;
  const ml = monthLength(x.y, x.m);
  if (f.byMonthDay && !f.byMonthDay.some((v) => (v > 0 ? v === x.d : ml + v + 1 === x.d))) return false;
  const yl = isLeap(x.y) ? 366 : 365;
  if (f.byYearDay && !f.byYearDay.some((v) => (v > 0 ? v === x.yd : yl + v + 1 === x.yd))) return false;
  if (f.byWeekNo) {
    const { week, weeks } = weekNumber(x.dn, f.wkst);
    if (!f.byWeekNo.some((v) => (v > 0 ? v === week : weeks + v + 1 === week))) return false;
  }
  if (f.plain) {
    if (f.plain.has(x.wd)) return true;
    if (!f.ordinals.length) return false;
    const [pos, len] = f.ordinalsIn === "month" ? [x.d, ml] : [x.yd, yl];
    const nth = Math.floor((pos - 1) / 7) + 1;
    const fromEnd = -(Math.floor((len - pos) / 7) + 1);
    return f.ordinals.some((o) => o.wd === x.wd && (o.n === nth || o.n === fromEnd));
  }
  return true;
}

// 2000–2027: 28 consecutive years hold every (weekday of 1 January, leap year) pair together with its
// neighbours, and the Gregorian calendar repeats them: a day-level rule that matches no day in these
// years matches no day ever (within 1901–2099; the 400-year cycle differs only around 2100/2200/2300,
// which changes no "can it ever match" answer for these parts).
const PROBE_FROM = dayNumber(2000, 1, 1);
const PROBE_TO = dayNumber(2028, 1, 1);

/** True when no day can ever pass the day-level parts (e.g. BYMONTH=2;BYMONTHDAY=30). Stops at the first match. */
export function neverMatches(f: DayRule, tick: (n: number) => void): boolean {
  if (!f.byMonth && !f.byMonthDay && !f.byYearDay && !f.byWeekNo && !f.plain) return false;
  for (let dn = PROBE_FROM; dn < PROBE_TO; dn += 64) {
    tick(64);
    for (let i = dn; i < Math.min(dn + 64, PROBE_TO); i++) if (dayMatches(dayOf(i), f)) return false;
  }
  return true;
}
