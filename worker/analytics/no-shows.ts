// No-show patterns: the rate overall and by weekday, hour, lead time, type, doctor, first visit,
// patient history and engagement, each with its n and 95% Wilson interval; and the
// before/after line of the no-show reduction the product promises.
import { LEAD_LABELS } from "./facts";
import { addMonths, type Period } from "./period";
import { cubeBy, cubeByMonth, cubeTotals, doctorsOf, heatCells, type Counters } from "./read";
import type { Scope } from "./scope";
import { pct, type Table } from "./tables";
import { rateOf, type Rate } from "./stats";
import { WEEKDAYS } from "./busiest";

export interface Group extends Rate {
  label: string;
}

const group = (label: string, k: number, n: number): Group => ({ label, ...rateOf(k, n) });

function tableOf(id: string, title: string, by: string, groups: Group[]): Table {
  return {
    id,
    title,
    columns: [by, "Appointments (n)", "No-shows", "No-show rate %", "95% low %", "95% high %", "Too few to compare"],
    rows: groups.map((g) => [g.label, g.n, g.k, pct(g.rate), pct(g.low), pct(g.high), g.few ? "yes" : "no"]),
  };
}

/** Engagement and history groups from cube counters (d_* = with an outcome, ns_* = no-shows). */
export function breakdowns(c: Counters) {
  const done = c.completed + c.no_show;
  return {
    overall: group("All", c.no_show, done),
    lead: LEAD_LABELS.map((l, b) => group(l, c[`ns_lead${b}`], c[`d_lead${b}`])),
    visit: [group("First visit", c.ns_first, c.d_first), group("Returning", c.no_show - c.ns_first, done - c.d_first)],
    history: ["No earlier no-show", "1 earlier no-show", "2+ earlier no-shows"].map((l, h) => group(l, c[`ns_hist${h}`], c[`d_hist${h}`])),
    reminder: [group("Reminder sent", c.ns_rem, c.d_rem), group("No reminder", c.no_show - c.ns_rem, done - c.d_rem)],
    confirmed: [group("Confirmed by link/SMS", c.ns_conf, c.d_conf), group("Not confirmed", c.no_show - c.ns_conf, done - c.d_conf)],
  };
}

export async function noShows(d1: D1Database, scope: Scope) {
  const [totals, heat, byDoctor, byType, doctors] = await Promise.all([
    cubeTotals(d1, scope),
    heatCells(d1, scope, false),
    cubeBy(d1, scope, "doctor_id"),
    cubeBy(d1, scope, "type"),
    doctorsOf(d1, scope),
  ]);
  const b = breakdowns(totals.current);
  const prev = breakdowns(totals.previous).overall;
  const sumBy = (key: "weekday" | "hour") => {
    const m = new Map<number, { k: number; n: number }>();
    for (const c of heat) if (c.cur) {
      const x = m.get(c[key]) ?? { k: 0, n: 0 };
      x.k += c.ns_all;
      x.n += c.d_all;
      m.set(c[key], x);
    }
    return [...m.entries()].sort((a, z) => a[0] - z[0]);
  };
  const weekday = sumBy("weekday").map(([w, x]) => group(WEEKDAYS[w - 1], x.k, x.n));
  const hour = sumBy("hour").map(([h, x]) => group(`${String(h).padStart(2, "0")}:00`, x.k, x.n));
  const names = new Map(doctors.map((d) => [d.id, d.name]));
  const doctor = byDoctor.map((r) => group(names.get(r.key) ?? "Former doctor", r.no_show, r.completed + r.no_show)).sort((a, z) => a.label.localeCompare(z.label));
  const type = byType.map((r) => group(r.key, r.no_show, r.completed + r.no_show)).sort((a, z) => a.label.localeCompare(z.label));
  const tables = [
    tableOf("overall", "No-show rate, this period and the previous one", "Period", [{ ...b.overall, label: "This period" }, { ...prev, label: "Previous period" }]),
    tableOf("weekday", "No-show rate by weekday", "Weekday", weekday),
    tableOf("hour", "No-show rate by hour of day", "Hour", hour),
    tableOf("lead", "No-show rate by how far ahead it was booked", "Lead time", b.lead),
    tableOf("type", "No-show rate by appointment type", "Type", type),
    tableOf("doctor", "No-show rate by doctor", "Doctor", doctor),
    tableOf("visit", "No-show rate, first visit or returning", "Visit", b.visit),
    tableOf("history", "No-show rate by the patient's earlier no-shows", "History", b.history),
    tableOf("reminder", "No-show rate with and without a reminder", "Reminder", b.reminder),
    tableOf("confirmed", "No-show rate by confirmation", "Confirmation", b.confirmed),
  ];
  return { overall: b.overall, previous: prev, weekday, hour, lead: b.lead, type, doctor, visit: b.visit, history: b.history, reminder: b.reminder, confirmed: b.confirmed, tables };
}

/**
 * The no-show rate per month since the clinic's first month, with the month reminders started
 * (the first month with a reminded appointment) and the rates before and after it.
 */
export async function reduction(d1: D1Database, scope: Scope, firstMonth: string) {
  const range: Period = { from: firstMonth, to: scope.period.to };
  const rows = await cubeByMonth(d1, scope.clinicId, scope.filter, range);
  const months = rows.map((r) => ({ month: r.month, ...rateOf(r.no_show, r.completed + r.no_show) }));
  const on = rows.find((r) => r.d_rem > 0)?.month ?? null;
  const sum = (pred: (m: string) => boolean) =>
    rows.filter((r) => pred(r.month)).reduce((a, r) => ({ k: a.k + r.no_show, n: a.n + r.completed + r.no_show }), { k: 0, n: 0 });
  const before = on ? sum((m) => m < on) : null;
  const after = on ? sum((m) => m >= on) : null;
  const beforeRate = before ? rateOf(before.k, before.n) : null;
  const afterRate = after ? rateOf(after.k, after.n) : null;
  const change = beforeRate?.rate != null && afterRate?.rate != null ? afterRate.rate - beforeRate.rate : null;
  const tables: Table[] = [
    tableOf("monthly", "No-show rate by month", "Month", months.map((m) => ({ label: m.month, ...m }))),
    tableOf("before-after", on ? `No-show rate before and after reminders (from ${on})` : "No-show rate before and after reminders", "Period",
      [beforeRate && { label: `Before ${on}`, ...beforeRate }, afterRate && { label: `From ${on}`, ...afterRate }].filter((x): x is Group => !!x)),
  ];
  return { months, remindersFrom: on, before: beforeRate, after: afterRate, change, tables, nextMonth: addMonths(scope.period.to, 1) };
}
