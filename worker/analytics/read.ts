// Reads of the rollups for one scope: each query rides the tables' primary key or the
// by-doctor index, so a request reads one row per month (and per weekday-hour cell, doctor or
// type where it groups by them) — never appointments.
import { CUBE_COUNTERS } from "./counters";
import { previousOf, type Period } from "./period";
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

const sliceWhere = "clinic_id = ? AND doctor_id = ? AND type = ? AND video = ?";
const sliceParams = (clinicId: string, f: Filter) => [clinicId, f.doctor, f.type, f.video];

/** Cube totals of the period and of the previous one, for the scope's filter. */
export async function cubeTotals(d1: D1Database, scope: Scope): Promise<{ current: Counters; previous: Counters }> {
  const prev = previousOf(scope.period);
  const rows = (
    await d1
      .prepare(`SELECT month >= ? AS cur, ${SUMS} FROM analytics_cube WHERE ${sliceWhere} AND month BETWEEN ? AND ? GROUP BY 1`)
      .bind(scope.period.from, ...sliceParams(scope.clinicId, scope.filter), prev.from, scope.period.to)
      .all<Counters & { cur: number }>()
  ).results;
  const pick = (cur: number): Counters => ({ ...zeroCounters(), ...strip(rows.find((r) => r.cur === cur)) });
  return { current: pick(1), previous: pick(0) };
}

/** Cube sums per month over a range of months (the no-show line). */
export async function cubeByMonth(d1: D1Database, clinicId: string, f: Filter, range: Period): Promise<(Counters & { month: string })[]> {
  return (
    await d1
      .prepare(`SELECT month, ${SUMS} FROM analytics_cube WHERE ${sliceWhere} AND month BETWEEN ? AND ? GROUP BY month ORDER BY month`)
      .bind(...sliceParams(clinicId, f), range.from, range.to)
      .all<Counters & { month: string }>()
  ).results;
}

/** Cube sums per doctor (doctor filter ignored: every doctor's own row) or per type, in the period. */
export async function cubeBy(d1: D1Database, scope: Scope, by: "doctor_id" | "type"): Promise<(Counters & { key: string })[]> {
  const f = scope.filter;
  const { from, to } = scope.period;
  const stmt =
    by === "doctor_id"
      ? d1
          // One key range per doctor of the clinic (former doctors included).
          .prepare(`SELECT doctor_id AS key, ${SUMS} FROM analytics_cube
            WHERE clinic_id = ? AND doctor_id IN (SELECT id FROM doctors WHERE clinic_id = ? ${f.doctor === "*" ? "" : "AND id = ?"}) AND type = ? AND video = ? AND month BETWEEN ? AND ? GROUP BY doctor_id`)
          .bind(scope.clinicId, scope.clinicId, ...(f.doctor === "*" ? [] : [f.doctor]), f.type, f.video, from, to)
      : d1
          .prepare(`SELECT type AS key, ${SUMS} FROM analytics_cube WHERE clinic_id = ? AND doctor_id = ? AND video = ? AND month BETWEEN ? AND ? AND type != '*' ${f.type === "*" ? "" : "AND type = ?"} GROUP BY type`)
          .bind(scope.clinicId, f.doctor, f.video, from, to, ...(f.type === "*" ? [] : [f.type]));
  return (await stmt.all<Counters & { key: string }>()).results;
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
  return (
    await d1
      .prepare(
        `SELECT month >= ? AS cur, weekday, hour, SUM(booked) AS booked, SUM(minutes) AS minutes, SUM(d_all) AS d_all, SUM(ns_all) AS ns_all
         FROM analytics_heat WHERE ${sliceWhere} AND month BETWEEN ? AND ? GROUP BY 1, 2, 3`,
      )
      .bind(scope.period.from, ...sliceParams(scope.clinicId, scope.filter), prev.from, scope.period.to)
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
