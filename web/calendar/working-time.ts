// Working time you can see: from each doctor's weekly hours (the same JSON the Worker checks
// bookings against, worker/scheduling/working-hours.ts) the calendar derives
//  - the visible day range (clinic's earliest start … latest end),
//  - which weekend days to hide (no shown doctor works then),
//  - shaded background blocks for time outside working hours, breaks and days off,
//  - the plain reason a clicked time is not bookable.
// All in calendar wall-clock terms ("YYYY-MM-DDTHH:MM" in the clinic's zone), so no zone maths
// here: working hours are wall times too. Pure functions, table-tested.
import type { Calendar } from "@event-calendar/core";
import type { Doctor } from "../api-client/types";

export type Hours = Partial<Record<"1" | "2" | "3" | "4" | "5" | "6" | "7", [string, string][]>>;
export const OFF_PREFIX = "off:";

const hoursOf = (d: Pick<Doctor, "workingHours">): Hours => (d.workingHours && typeof d.workingHours === "object" ? (d.workingHours as Hours) : {});
const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const toHhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
/** ISO weekday ("1" Monday … "7" Sunday) of a calendar date YYYY-MM-DD. */
export function isoWeekdayOf(ymd: string): keyof Hours {
  const d = new Date(`${ymd}T00:00:00Z`).getUTCDay();
  return String(d === 0 ? 7 : d) as keyof Hours;
}
const rangesOn = (d: Pick<Doctor, "workingHours">, ymd: string) =>
  [...(hoursOf(d)[isoWeekdayOf(ymd)] ?? [])].map(([s, e]) => [toMin(s), toMin(e)] as [number, number]).sort((a, b) => a[0] - b[0]);

/** Visible hours of the time grid: earliest start to latest end over the doctors, whole hours. */
export function dayRange(doctors: Pick<Doctor, "workingHours">[], extra: { startMin: number; endMin: number }[] = []): { slotMinTime: string; slotMaxTime: string } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of doctors)
    for (const ranges of Object.values(hoursOf(d)))
      for (const [s, e] of ranges ?? []) {
        lo = Math.min(lo, toMin(s));
        hi = Math.max(hi, toMin(e));
      }
  // Appointments booked outside hours (an admin may) must stay visible.
  for (const x of extra) {
    lo = Math.min(lo, x.startMin);
    hi = Math.max(hi, x.endMin);
  }
  if (!Number.isFinite(lo)) return { slotMinTime: "08:00", slotMaxTime: "18:00" };
  lo = Math.floor(lo / 60) * 60;
  hi = Math.min(24 * 60, Math.ceil(hi / 60) * 60);
  return { slotMinTime: toHhmm(lo), slotMaxTime: hi >= 24 * 60 ? "24:00" : toHhmm(hi) };
}

/** Saturday/Sunday (calendar day numbers 6, 0) on which none of the doctors works. */
export function idleWeekendDays(doctors: Pick<Doctor, "workingHours">[]): number[] {
  const works = (iso: "6" | "7") => doctors.some((d) => (hoursOf(d)[iso] ?? []).length > 0);
  return [...(works("6") ? [] : [6]), ...(works("7") ? [] : [0])];
}

export interface OffSpan {
  start: number;
  end: number;
  reason: string;
}

/** Minutes of day `ymd` in [lo, hi) that the doctor does not work, each with its reason. */
export function offSpans(d: Pick<Doctor, "workingHours" | "name">, ymd: string, lo = 0, hi = 24 * 60): OffSpan[] {
  const ranges = rangesOn(d, ymd);
  if (!ranges.length) return lo < hi ? [{ start: lo, end: hi, reason: `${d.name}'s day off` }] : [];
  const out: OffSpan[] = [];
  let at = lo;
  ranges.forEach(([s, e], i) => {
    if (s > at) {
      const reason =
        i === 0
          ? `Outside ${d.name}'s working hours`
          : // A gap between two working ranges is a break; around midday it is the lunch break.
            `${d.name}'s ${at >= 11 * 60 && at <= 14 * 60 ? "lunch break" : "break"} (${toHhmm(at)}–${toHhmm(s)})`;
      out.push({ start: at, end: Math.min(s, hi), reason });
    }
    at = Math.max(at, e);
  });
  if (at < hi) out.push({ start: at, end: hi, reason: `Outside ${d.name}'s working hours` });
  return out.filter((x) => x.end > x.start);
}

/** Why the doctor does not work at wall time "YYYY-MM-DDTHH:MM", or "" when they do. */
export function offReason(d: Pick<Doctor, "workingHours" | "name">, wall: string): string {
  const m = toMin(wall.slice(11, 16));
  return offSpans(d, wall.slice(0, 10)).find((x) => x.start <= m && m < x.end)?.reason ?? "";
}

const datesFrom = (from: Date, to: Date) => {
  const out: string[] = [];
  for (const d = new Date(from); d < to; d.setDate(d.getDate() + 1))
    out.push(`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`);
  return out;
};

/**
 * Shaded background events for the visible dates. Side by side: one set per doctor column.
 * Combined view: only the time when none of the shown doctors works (per-doctor shading
 * would paint over colleagues' working time in the shared column).
 */
export function offHoursEvents(doctors: Pick<Doctor, "id" | "workingHours" | "name">[], from: Date, to: Date, perDoctor: boolean, range: { slotMinTime: string; slotMaxTime: string }): Calendar.EventInput[] {
  const lo = toMin(range.slotMinTime);
  const hi = range.slotMaxTime === "24:00" ? 24 * 60 : toMin(range.slotMaxTime);
  const out: Calendar.EventInput[] = [];
  const ev = (id: string, ymd: string, s: OffSpan, resourceIds: string[]): Calendar.EventInput => ({
    id,
    resourceIds,
    start: `${ymd}T${toHhmm(s.start)}`,
    end: s.end >= 24 * 60 ? `${ymd}T23:59:59` : `${ymd}T${toHhmm(s.end)}`,
    display: "background",
    editable: false,
    title: s.reason,
    classNames: ["off-hours"],
    extendedProps: { kind: "off", label: s.reason },
  });
  for (const ymd of datesFrom(from, to)) {
    if (perDoctor || doctors.length === 1) {
      for (const d of doctors) offSpans(d, ymd, lo, hi).forEach((s, i) => out.push(ev(`${OFF_PREFIX}${d.id}:${ymd}:${i}`, ymd, s, [d.id])));
      continue;
    }
    // Minutes where nobody works: walk the minute marks where any doctor's span starts or ends.
    const spans = doctors.map((d) => offSpans(d, ymd, lo, hi));
    const marks = [...new Set([lo, hi, ...spans.flat().flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
    let i = 0;
    for (let k = 0; k + 1 < marks.length; k++) {
      const [a, b] = [marks[k], marks[k + 1]];
      if (spans.every((ss) => ss.some((s) => s.start <= a && b <= s.end))) {
        const last = out[out.length - 1];
        if (last && last.end === `${ymd}T${toHhmm(a)}` && String(last.id).includes(`:all:${ymd}:`)) last.end = `${ymd}T${toHhmm(b)}`;
        else out.push(ev(`${OFF_PREFIX}all:${ymd}:${i++}`, ymd, { start: a, end: b, reason: "Outside working hours" }, doctors.map((d) => d.id)));
      }
    }
  }
  return out;
}
