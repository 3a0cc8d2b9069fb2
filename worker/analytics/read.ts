// Reads of the rollups for one scope. Their key is (clinic, month, doctor, type, video, …) and
// each fact is stored under its own doctor/type/video, its doctor's total (doctor, '*', -1) and
// the clinic's ('*', '*', -1) (migrations/0022_analytics_leaf_rollups.sql): the unfiltered
// dashboard and a doctor's own read one total row per month (and weekday-hour cell); a type or
// video filter sums that month's own-key rows, one key range per month — never appointments.
import { CUBE_COUNTERS } from "./counters";
import { monthList, previousOf, type Period } from "./period";
import type { Filter, Scope } from "./scope";

export type Counters = Record<string, number>;
export const zeroCounters = (): Counters => Object.fromEntries(Object.keys(CUBE_COUNTERS).map((k) => [k, 0]));

const SUMS = Object.keys(CUBE_COUNTERS).map((c) => `SUM(${c}) AS ${c}`).join(", ");

export interface DoctorRow {
  id: string;
  name: string;
  working_hours: string;
  slot_minutes: number;
  active: number;
}

/** The doctors a scope covers (one, or every active doctor of the clinic). */
export async function doctorsOf(d1: D1Database, scope: Scope): Promise<DoctorRow[]> {
  const base = "SELECT id, name, working_hours, slot_minutes, active FROM doctors WHERE clinic_id = ?";
  const r =
    scope.filter.doctor === "*"
      ? await d1.prepare(`${base} AND active = 1 ORDER BY name`).bind(scope.clinicId).all<DoctorRow>()
      : await d1.prepare(`${base} AND id = ?`).bind(scope.clinicId, scope.filter.doctor).all<DoctorRow>();
  return r.results;
}

interface Slice {
  where: string;
  params: unknown[];
}

/**
 * The rollup rows whose sum is a filter's figures over some months (`month IN` their list: one
 * key range per month). Without a type or video filter that is a total row per month: the
 * clinic's, or each doctor's (one doctor's filter, or grouping by doctor). With one, or
 * grouping by type, the own-key rows the filter keeps (never the totals: type != '*').
 */
function sliceOf(clinicId: string, f: Filter, months: Period, groupBy?: "doctor_id" | "type"): Slice {
  const where = ["clinic_id = ?", "month IN (SELECT value FROM json_each(?))"];
  const params: unknown[] = [clinicId, JSON.stringify(monthList(months))];
  const is = (cond: string, value: unknown) => {
    where.push(cond);
    params.push(value);
  };
  // A doctor's rows (theirs, or every doctor's: never the clinic's total).
  const doctors = () => (f.doctor === "*" ? where.push("doctor_id != '*'") : is("doctor_id = ?", f.doctor));
  if (f.type === "*" && f.video === -1 && groupBy !== "type") {
    if (f.doctor === "*" && groupBy !== "doctor_id") where.push("doctor_id = '*'");
    else doctors();
    where.push("type = '*'", "video = -1");
  } else {
    doctors();
    if (f.type === "*") where.push("type != '*'");
    else is("type = ?", f.type);
    if (f.video !== -1) is("video = ?", f.video);
  }
  return { where: where.join(" AND "), params };
}

/** Cube totals of the period and of the previous one, for the scope's filter. */
export async function cubeTotals(d1: D1Database, scope: Scope): Promise<{ current: Counters; previous: Counters }> {
  const prev = previousOf(scope.period);
  const slice = sliceOf(scope.clinicId, scope.filter, { from: prev.from, to: scope.period.to });
  const rows = (
    await d1
      .prepare(`SELECT month >= ? AS cur, ${SUMS} FROM analytics_cube WHERE ${slice.where} GROUP BY 1`)
      .bind(scope.period.from, ...slice.params)
      .all<Counters & { cur: number }>()
  ).results;
  const pick = (cur: number): Counters => ({ ...zeroCounters(), ...strip(rows.find((r) => r.cur === cur)) });
  return { current: pick(1), previous: pick(0) };
}

/** Cube sums per month over a range of months (the no-show line). */
export async function cubeByMonth(d1: D1Database, clinicId: string, f: Filter, range: Period): Promise<(Counters & { month: string })[]> {
  const slice = sliceOf(clinicId, f, range);
  return (
    await d1
      .prepare(`SELECT month, ${SUMS} FROM analytics_cube WHERE ${slice.where} GROUP BY month ORDER BY month`)
      .bind(...slice.params)
      .all<Counters & { month: string }>()
  ).results;
}

/**
 * Cube sums per doctor or per type in the period. Per doctor, every doctor of the clinic
 * (former doctors included) with the scope's doctor filter; per type, the types in use.
 */
export async function cubeBy(d1: D1Database, scope: Scope, by: "doctor_id" | "type"): Promise<(Counters & { key: string })[]> {
  const slice = sliceOf(scope.clinicId, scope.filter, scope.period, by);
  return (
    await d1
      .prepare(`SELECT ${by} AS key, ${SUMS} FROM analytics_cube WHERE ${slice.where} GROUP BY ${by}`)
      .bind(...slice.params)
      .all<Counters & { key: string }>()
  ).results;
}

export interface HeatCell {
  weekday: number;
  hour: number;
  booked: number;
  minutes: number;
  d_all: number;
  ns_all: number;
  cur: number;
}

/** Weekday × hour sums of the period (cur 1) and, when asked, the previous one (cur 0). */
export async function heatCells(d1: D1Database, scope: Scope, withPrevious: boolean): Promise<HeatCell[]> {
  const prev = withPrevious ? previousOf(scope.period) : scope.period;
  const slice = sliceOf(scope.clinicId, scope.filter, { from: prev.from, to: scope.period.to });
  return (
    await d1
      .prepare(
        `SELECT month >= ? AS cur, weekday, hour, SUM(booked) AS booked, SUM(minutes) AS minutes, SUM(d_all) AS d_all, SUM(ns_all) AS ns_all
         FROM analytics_heat WHERE ${slice.where} GROUP BY 1, 2, 3`,
      )
      .bind(scope.period.from, ...slice.params)
      .all<HeatCell>()
  ).results;
}

function strip(r: Record<string, number | null> | undefined): Counters {
  if (!r) return {};
  const { cur: _c, ...rest } = r;
  // SUM over no rows is null.
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v ?? 0]));
}

export interface BlockRow {
  doctor_id: string;
  start_ms: number;
  end_ms: number;
  source: string; // 'manual' = time off; anything else = busy time from the doctor's own calendar
}

/** Blocked time (time off and external busy) of the doctors overlapping [fromMs, toMs). */
export async function blocksOf(d1: D1Database, doctorIds: string[], fromMs: number, toMs: number): Promise<BlockRow[]> {
  if (!doctorIds.length) return [];
  return (
    await d1
      .prepare(
        // Per doctor on blocked_doctor_end_idx (one range each), not a scan of the clinic's column.
        "SELECT doctor_id, start_ms, end_ms, source FROM blocked_times WHERE doctor_id IN (SELECT value FROM json_each(?)) AND end_ms > ? AND start_ms < ?",
      )
      .bind(JSON.stringify(doctorIds), fromMs, toMs)
      .all<BlockRow>()
  ).results;
}
