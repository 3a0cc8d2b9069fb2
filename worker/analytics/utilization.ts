// Utilization: booked minutes against the minutes each doctor could be booked — working hours
// less time off (manual blocks) and less busy time from their own calendars, each shown apart —
// plus cancellations (late = under 24 h before the start, and by whom) and booking lead time.
import { type Interval, merge, subtract } from "../scheduling/intervals";
import { parseWorkingHours, workingIntervals, type WorkingHours } from "../scheduling/working-hours";
import { addDays, isoWeekday, localToUtc, utcToLocal } from "../scheduling/zone";
import { datesOf } from "./period";
import { blocksOf, cubeBy, cubeTotals, doctorsOf, type Counters } from "./read";
import type { Scope } from "./scope";
import { pct, type Table } from "./tables";

const minutes = (list: Interval[]) => list.reduce((a, i) => a + (i.end - i.start), 0) / 60_000;

/** Working, time-off and external-busy minutes of one doctor: blocks count only inside working time, time off first. */
export function availability(working: Interval[], blocks: { start: number; end: number; manual: boolean }[]) {
  const off = merge(blocks.filter((b) => b.manual));
  const afterOff = subtract(working, off);
  const busy = merge(blocks.filter((b) => !b.manual));
  const bookable = subtract(afterOff, busy);
  const w = minutes(working);
  const a = minutes(afterOff);
  const b = minutes(bookable);
  return { working: w, timeOff: w - a, externalBusy: a - b, bookable: b };
}

const toMin = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** How many of each ISO weekday (1..7) the dates from `first` to `last` hold. */
export function weekdayCounts(first: string, last: string): number[] {
  const days = Math.round((Date.parse(last) - Date.parse(first)) / 86_400_000) + 1;
  const counts = new Array(8).fill(Math.floor(days / 7));
  const w0 = isoWeekday(first);
  for (let i = 0; i < days % 7; i++) counts[((w0 - 1 + i) % 7) + 1]++;
  return counts;
}

/** Wall-clock working minutes over the period (a DST day's lost or extra hour is not counted). */
export function workingMinutes(hours: WorkingHours, counts: number[]): number {
  let m = 0;
  for (const [day, spans] of Object.entries(hours)) for (const [s, e] of spans ?? []) m += (toMin(e) - toMin(s)) * counts[Number(day)];
  return m;
}

/** Time off and external busy minutes inside working time, from working intervals around the blocks only. */
function blockedMinutes(zone: string, hours: WorkingHours, blocks: { start_ms: number; end_ms: number; source: string }[], fromMs: number, toMs: number) {
  const spans = merge(blocks.map((b) => ({ start: Math.max(b.start_ms, fromMs), end: Math.min(b.end_ms, toMs) })));
  const working: Interval[] = [];
  for (const sp of spans) working.push(...workingIntervals(zone, hours, utcToLocal(zone, sp.start).date, utcToLocal(zone, sp.end - 1).date));
  const av = availability(merge(working), blocks.map((b) => ({ start: b.start_ms, end: b.end_ms, manual: b.source === "manual" })));
  return { timeOff: av.timeOff, externalBusy: av.externalBusy };
}

export async function utilization(d1: D1Database, scope: Scope, zone: string) {
  const { first, last } = datesOf(scope.period);
  const fromMs = localToUtc(zone, first, "00:00");
  const toMs = localToUtc(zone, addDays(last, 1), "00:00");
  const [doctors, byDoctor, totals] = await Promise.all([doctorsOf(d1, scope), cubeBy(d1, scope, "doctor_id"), cubeTotals(d1, scope)]);
  const blocks = await blocksOf(d1, doctors.map((d) => d.id), fromMs, toMs);
  const weeks = (toMs - fromMs) / (7 * 86_400_000);
  const booked = new Map(byDoctor.map((r) => [r.key, r]));
  const counts = weekdayCounts(first, last);
  const rows = doctors.map((d) => {
    const hours = parseWorkingHours(d.working_hours);
    const mine = blocks.filter((b) => b.doctor_id === d.id);
    // Working minutes by arithmetic (wall-clock hours × the weekdays in the period); working
    // intervals in UTC only around this doctor's blocks, where overlap must be measured.
    const working = workingMinutes(hours, counts);
    const cut = mine.length ? blockedMinutes(zone, hours, mine, fromMs, toMs) : { timeOff: 0, externalBusy: 0 };
    const av = { working, ...cut, bookable: Math.max(0, working - cut.timeOff - cut.externalBusy) };
    const c = booked.get(d.id);
    const bookedMin = c?.minutes ?? 0;
    return {
      doctorId: d.id,
      name: d.name,
      bookedMinutes: bookedMin,
      workingMinutes: Math.round(av.working),
      timeOffMinutes: Math.round(av.timeOff),
      externalBusyMinutes: Math.round(av.externalBusy),
      bookableMinutes: Math.round(av.bookable),
      utilization: av.bookable > 0 ? bookedMin / av.bookable : null,
      bookedHoursPerWeek: weeks > 0 ? bookedMin / 60 / weeks : 0,
    };
  });
  const cancellations = (c: Counters) => ({
    cancelled: c.cancelled,
    late: c.cancel_late,
    byStaff: c.cancel_staff,
    byPatientLink: c.cancel_link,
    byPatientSms: c.cancel_sms,
    byProvider: c.cancel_provider,
    rate: c.booked + c.cancelled > 0 ? c.cancelled / (c.booked + c.cancelled) : null,
  });
  const cur = cancellations(totals.current);
  const prev = cancellations(totals.previous);
  const leadDays = (c: Counters) => (c.booked > 0 ? Math.round((c.lead_min_sum / c.booked / 1440) * 10) / 10 : null);
  const h = (m: number) => Math.round((m / 60) * 10) / 10;
  const tables: Table[] = [
    {
      id: "utilization",
      title: "Utilization by doctor (hours in the period)",
      columns: ["Doctor", "Booked h", "Working h", "Time off h", "External busy h", "Bookable h", "Utilization %", "Booked h per week"],
      rows: rows.map((r) => [r.name, h(r.bookedMinutes), h(r.workingMinutes), h(r.timeOffMinutes), h(r.externalBusyMinutes), h(r.bookableMinutes), pct(r.utilization), Math.round(r.bookedHoursPerWeek * 10) / 10]),
    },
    {
      id: "cancellations",
      title: "Cancellations, this period and the previous one",
      columns: ["Period", "Cancelled", "Late (< 24 h)", "By staff", "By patient link", "By patient SMS", "By doctor's calendar", "Cancellation rate %", "Average lead time (days)"],
      rows: [
        ["This period", cur.cancelled, cur.late, cur.byStaff, cur.byPatientLink, cur.byPatientSms, cur.byProvider, pct(cur.rate), leadDays(totals.current)],
        ["Previous period", prev.cancelled, prev.late, prev.byStaff, prev.byPatientLink, prev.byPatientSms, prev.byProvider, pct(prev.rate), leadDays(totals.previous)],
      ],
    },
  ];
  return { doctors: rows, cancellations: cur, previousCancellations: prev, averageLeadDays: leadDays(totals.current), previousAverageLeadDays: leadDays(totals.previous), tables };
}
