// SQL that keeps analytics_facts and the rollups (analytics_cube, analytics_heat) equal to
// "the sum of every appointment's fact", used by both the per-change effect (./effect.ts) and
// the rebuild (./rebuild.ts). Statements are plain {text, params} so either path can run them:
// the effect as drizzle batch items, the rebuild as D1 prepared statements.
//
// A change to a set S of facts adds (S as it will be) − (S as it is) to the rollups, then
// rewrites S. The counters (./counters.ts) are sums, so this is exact whatever changed.
import { sql, type SQL } from "drizzle-orm";
import { ROLLUPS, type RollupSpec } from "./counters";

export interface Stmt {
  text: string;
  params: unknown[];
}

/** What JS computes for one appointment's fact (zone- and actor-dependent parts). */
export interface FactInput {
  id: string;
  month: string;
  weekday: number;
  hour: number;
  lead: number;
  /** Who cancelled, if this change cancels (kept from the earlier fact when it was cancelled already). */
  cancelBy: string;
  /** When it was cancelled, if this change cancels. */
  at: number;
  /** This change is the patient's own confirmation (its patient_responses row is written after it). */
  patientConfirm: 0 | 1;
}

// First visit: no earlier appointment of the patient that was kept (not cancelled).
const FIRST = (patient: string, start: string, id: string) =>
  `NOT EXISTS (SELECT 1 FROM appointments p WHERE p.patient_id = ${patient} AND p.start_ms < ${start} AND p.status != 'cancelled' AND p.id != ${id})`;
// Earlier no-shows of the patient, capped at 2 (the "2+" group).
const PRIOR_NS = (patient: string, start: string) =>
  `MIN(2, (SELECT COUNT(*) FROM appointments p WHERE p.patient_id = ${patient} AND p.start_ms < ${start} AND p.status = 'no_show'))`;

// analytics_facts' columns, in table order.
const FACT_COLUMNS = [
  "appointment_id", "clinic_id", "doctor_id", "patient_id", "start_ms", "month", "weekday", "hour", "type", "video",
  "status", "minutes", "lead_min", "lead_bucket", "first_visit", "prior_no_shows", "reminded", "confirmed", "cancel_by", "cancelled_at", "cancel_late",
];

/**
 * The facts of the appointments in `facts` (a JSON array of FactInput) as their appointment rows
 * make them now: a SELECT of FACT_COLUMNS. History columns (first visit, earlier no-shows) are
 * read from the patient's other appointments as they are now; engagement from reminders and
 * patient_responses; who cancelled and when is kept from the current fact (alias o).
 */
function freshFactsSelect(facts: FactInput[]): Stmt {
  return {
    text: `SELECT a.id, a.clinic_id, a.doctor_id, a.patient_id, a.start_ms, j.value ->> '$.month', j.value ->> '$.weekday', j.value ->> '$.hour', a.type,
        EXISTS (SELECT 1 FROM clinics c, json_each(c.video_types) v WHERE c.id = a.clinic_id AND v.value = a.type),
        a.status, (a.end_ms - a.start_ms) / 60000, MAX(0, (a.start_ms - a.created_at) / 60000), j.value ->> '$.lead',
        ${FIRST("a.patient_id", "a.start_ms", "a.id")}, ${PRIOR_NS("a.patient_id", "a.start_ms")},
        EXISTS (SELECT 1 FROM reminders r WHERE r.appointment_id = a.id AND r.kind = 'reminder' AND r.state IN ('sent', 'delivered')),
        (j.value ->> '$.patientConfirm') OR EXISTS (SELECT 1 FROM patient_responses r WHERE r.appointment_id = a.id AND r.action = 'confirm'),
        CASE WHEN a.status != 'cancelled' THEN '' WHEN o.status = 'cancelled' AND o.cancel_by != '' THEN o.cancel_by ELSE j.value ->> '$.cancelBy' END,
        CASE WHEN a.status != 'cancelled' THEN NULL WHEN o.status = 'cancelled' AND o.cancelled_at IS NOT NULL THEN o.cancelled_at ELSE j.value ->> '$.at' END,
        CASE WHEN a.status != 'cancelled' THEN 0
             ELSE a.start_ms - (CASE WHEN o.status = 'cancelled' AND o.cancelled_at IS NOT NULL THEN o.cancelled_at ELSE j.value ->> '$.at' END) < 86400000 END
      FROM json_each(?) j
      JOIN appointments a ON a.id = j.value ->> '$.id'
      LEFT JOIN analytics_facts o ON o.appointment_id = a.id`,
    params: [JSON.stringify(facts)],
  };
}

/** Rewrites the facts of the appointments in `facts` (see freshFactsSelect). */
export function upsertFactsStmt(facts: FactInput[]): Stmt {
  const fresh = freshFactsSelect(facts);
  // An upsert, not INSERT OR REPLACE: a changed fact is updated in place, so D1 writes the row and
  // only the index entries whose columns changed, not a delete and a full re-insert. (`WHERE true`:
  // SQLite's parser needs a WHERE between an INSERT's SELECT … JOIN and ON CONFLICT.)
  return {
    text: `INSERT INTO analytics_facts (${FACT_COLUMNS.join(", ")}) ${fresh.text}
      WHERE true
      ON CONFLICT (appointment_id) DO UPDATE SET ${FACT_COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(", ")}`,
    params: fresh.params,
  };
}

/** Drops the fact of an appointment that no longer exists (hard delete). */
export const dropGoneFactStmt = (id: string): Stmt => ({
  text: "DELETE FROM analytics_facts WHERE appointment_id = ? AND NOT EXISTS (SELECT 1 FROM appointments WHERE id = ?)",
  params: [id, id],
});

/** The later appointments of these patients (their history columns depend on earlier ones). */
export const laterOfPatients = (patients: string[], afterMs: number, except: string): Stmt => ({
  text: "f.patient_id IN (?, ?) AND f.start_ms > ? AND f.appointment_id != ?",
  params: [patients[0] ?? "", patients[1] ?? patients[0] ?? "", afterMs, except],
});

// History columns of a fact `f` from its patient's appointments as they are now.
const FIRST_OF_F = FIRST("f.patient_id", "f.start_ms", "f.appointment_id");
const PRIOR_NS_OF_F = PRIOR_NS("f.patient_id", "f.start_ms");

/** The facts matching `where` (alias f) as refreshHistoryStmt will leave them: a SELECT of FACT_COLUMNS. */
function refreshedHistorySelect(where: Stmt): Stmt {
  const cols = FACT_COLUMNS.map((c) => (c === "first_visit" ? FIRST_OF_F : c === "prior_no_shows" ? PRIOR_NS_OF_F : `f.${c}`));
  return { text: `SELECT ${cols.join(", ")} FROM analytics_facts f WHERE ${where.text}`, params: where.params };
}

/** Recomputes first-visit and earlier no-shows of the facts matching `where` (alias f). */
export function refreshHistoryStmt(where: Stmt): Stmt {
  return {
    text: `UPDATE analytics_facts AS f SET first_visit = ${FIRST_OF_F}, prior_no_shows = ${PRIOR_NS_OF_F}
      WHERE ${where.text}`,
    params: where.params,
  };
}

// Each fact is added under its own (doctor, type, video) key (s = 0), under its doctor's total
// (doctor, '*', -1; s = 1) and under the clinic's total ('*', '*', -1; s = 2): the unfiltered
// dashboard and every doctor's own read one row per month, a type or video filter sums the
// month's own-key rows (./read.ts). The other 2^3 summary combinations it once kept cost 5
// more D1 rows written per rollup and change (migrations/0022_analytics_leaf_rollups.sql).
const LEVELS = "(SELECT 0 AS s UNION ALL SELECT 1 UNION ALL SELECT 2)";

/**
 * Adds signed fact rows (`rows`: a SELECT of sign, then FACT_COLUMNS) to one rollup, under each
 * fact's own doctor/type/video, its doctor's total and the clinic's: 3 rows per fact. Key rows
 * whose sums come to zero are left alone (HAVING): a change that moves no counter — a staff
 * confirmation, a move within the same month's cube row — writes none of them.
 */
function rollupStmt(spec: RollupSpec, rows: Stmt): Stmt {
  const counters = Object.keys(spec.counters);
  const keyCols = ["clinic_id", ...spec.keys, "doctor_id", "type", "video"];
  const keySel = [
    "f.clinic_id",
    ...spec.keys.map((k) => `f.${k}`),
    "CASE WHEN t.s = 2 THEN '*' ELSE f.doctor_id END",
    "CASE WHEN t.s > 0 THEN '*' ELSE f.type END",
    "CASE WHEN t.s > 0 THEN -1 ELSE f.video END",
  ];
  const sums = counters.map((c) => `SUM(f.sign * (${spec.counters[c]}))`);
  return {
    text: `WITH d(sign, ${FACT_COLUMNS.join(", ")}) AS (${rows.text})
      INSERT INTO ${spec.table} (${[...keyCols, ...counters].join(", ")})
      SELECT ${[...keySel, ...sums].join(", ")}
      FROM d f CROSS JOIN ${LEVELS} t
      GROUP BY ${keySel.map((_, i) => i + 1).join(", ")}
      HAVING ${sums.map((x) => `${x} != 0`).join(" OR ")}
      ON CONFLICT DO UPDATE SET ${counters.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`,
    params: rows.params,
  };
}

const signed = (sign: 1 | -1, select: Stmt): Stmt => ({ text: `SELECT ${sign}, * FROM (${select.text})`, params: select.params });
const union = (parts: Stmt[]): Stmt => ({ text: parts.map((p) => p.text).join(" UNION ALL "), params: parts.flatMap((p) => p.params) });
const factsWhere = (where: Stmt): Stmt => ({ text: `SELECT ${FACT_COLUMNS.map((c) => `f.${c}`).join(", ")} FROM analytics_facts f WHERE ${where.text}`, params: where.params });

/** Adds every fact matching `where` (alias f) to both rollups (the rebuild). */
export const addToRollups = (where: Stmt): Stmt[] => ROLLUPS.map((r) => rollupStmt(r, signed(1, factsWhere(where))));

/**
 * What a change does to both rollups, as one statement each, run BEFORE the facts are
 * rewritten: the touched facts (`touched`, alias f: the appointment and, when `later` is set,
 * its patients' later appointments) as they will be — the appointment's from `facts`, the later
 * ones with their history refreshed — minus as they are.
 */
export function rollupDeltaStmts(facts: FactInput[], touched: Stmt, later: Stmt | null): Stmt[] {
  const fresh = union([...(facts.length ? [freshFactsSelect(facts)] : []), ...(later ? [refreshedHistorySelect(later)] : [])]);
  const rows = union([...(fresh.text ? [signed(1, fresh)] : []), signed(-1, factsWhere(touched))]);
  return ROLLUPS.map((r) => rollupStmt(r, rows));
}

/** A Stmt as a drizzle batch item (`?` placeholders become bound parameters). */
export function toSql(s: Stmt): SQL {
  const parts = s.text.split("?");
  const chunks: SQL[] = [sql.raw(parts[0])];
  for (let i = 1; i < parts.length; i++) chunks.push(sql`${s.params[i - 1]}`, sql.raw(parts[i]));
  return sql.join(chunks, sql.raw(""));
}

export const toD1 = (d1: D1Database, s: Stmt) => d1.prepare(s.text).bind(...s.params);
