// SQL that keeps analytics_facts and the rollups (analytics_cube, analytics_heat) equal to
// "the sum of every appointment's fact", used by both the per-change effect (./effect.ts) and
// the rebuild (./rebuild.ts). Statements are plain {text, params} so either path can run them:
// the effect as drizzle batch items, the rebuild as D1 prepared statements.
//
// A change to a set S of facts is: subtract S from the rollups, rewrite S, add S back. The
// counters (./counters.ts) are sums, so this is exact whatever changed.
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

/**
 * Rewrites the facts of the appointments in `facts` (a JSON array of FactInput) from their
 * appointment rows. History columns (first visit, earlier no-shows) are read from the
 * patient's other appointments as they are now; engagement from reminders and patient_responses.
 */
export function upsertFactsStmt(facts: FactInput[]): Stmt {
  return {
    text: `INSERT OR REPLACE INTO analytics_facts (appointment_id, clinic_id, doctor_id, patient_id, start_ms, month, weekday, hour, type, video,
        status, minutes, lead_min, lead_bucket, first_visit, prior_no_shows, reminded, confirmed, cancel_by, cancelled_at, cancel_late)
      SELECT a.id, a.clinic_id, a.doctor_id, a.patient_id, a.start_ms, j.value ->> '$.month', j.value ->> '$.weekday', j.value ->> '$.hour', a.type,
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

/** Recomputes first-visit and earlier no-shows of the facts matching `where` (alias f). */
export function refreshHistoryStmt(where: Stmt): Stmt {
  return {
    text: `UPDATE analytics_facts AS f SET first_visit = ${FIRST("f.patient_id", "f.start_ms", "f.appointment_id")},
      prior_no_shows = ${PRIOR_NS("f.patient_id", "f.start_ms")}
      WHERE ${where.text}`,
    params: where.params,
  };
}

const STAR = "(SELECT 0 AS s UNION ALL SELECT 1)";

/**
 * Adds (sign 1) or subtracts (sign -1) the facts matching `where` (alias f) to one rollup,
 * under their own doctor/type/video and under each summary ('*', '*', -1): 8 rows per fact.
 */
export function applyRollupStmt(spec: RollupSpec, sign: 1 | -1, where: Stmt): Stmt {
  const counters = Object.keys(spec.counters);
  const keyCols = ["clinic_id", ...spec.keys, "doctor_id", "type", "video"];
  const keySel = [
    "f.clinic_id",
    ...spec.keys.map((k) => `f.${k}`),
    "CASE WHEN sd.s THEN '*' ELSE f.doctor_id END",
    "CASE WHEN st.s THEN '*' ELSE f.type END",
    "CASE WHEN sv.s THEN -1 ELSE f.video END",
  ];
  return {
    text: `INSERT INTO ${spec.table} (${[...keyCols, ...counters].join(", ")})
      SELECT ${[...keySel, ...counters.map((c) => `${sign} * SUM(${spec.counters[c]})`)].join(", ")}
      FROM analytics_facts f CROSS JOIN ${STAR} sd CROSS JOIN ${STAR} st CROSS JOIN ${STAR} sv
      WHERE ${where.text}
      GROUP BY ${keySel.map((_, i) => i + 1).join(", ")}
      ON CONFLICT DO UPDATE SET ${counters.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`,
    params: where.params,
  };
}

export const applyAllRollups = (sign: 1 | -1, where: Stmt): Stmt[] => ROLLUPS.map((r) => applyRollupStmt(r, sign, where));

/** A Stmt as a drizzle batch item (`?` placeholders become bound parameters). */
export function toSql(s: Stmt): SQL {
  const parts = s.text.split("?");
  const chunks: SQL[] = [sql.raw(parts[0])];
  for (let i = 1; i < parts.length; i++) chunks.push(sql`${s.params[i - 1]}`, sql.raw(parts[i]));
  return sql.join(chunks, sql.raw(""));
}

export const toD1 = (d1: D1Database, s: Stmt) => d1.prepare(s.text).bind(...s.params);
