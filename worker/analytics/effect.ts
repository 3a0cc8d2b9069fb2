// Keeps the analytics rollups in the same D1 batch as every appointment change
// (registered in appointments/effects.ts), so the dashboard never reads appointments:
//   1. add to the rollups the difference the change makes to the facts it can alter (those
//      facts as they will be minus as they are; rollup rows it leaves equal are not written),
//   2. rewrite the appointment's fact (or drop it on a hard delete), and — when the start,
//      status or patient changed — the history columns of the patient's later appointments
//      (their "first visit" and "earlier no-shows" depend on this one).
// All of it is SQL over rows the batch has just written; the only JS is the clinic-zone
// bucket and who cancelled (./facts.ts). Every origin counts (a provider's or an import's
// change is still an appointment the clinic had).
import type { AppointmentChange, ChangeEffect } from "../appointments/effects";
import { bucketOf, cancelByOf, isPatientActor, leadBucket } from "./facts";
import { inboundLatencyStatements } from "./sync-metrics";
import { dropGoneFactStmt, type FactInput, laterOfPatients, refreshHistoryStmt, rollupDeltaStmts, type Stmt, toSql, upsertFactsStmt } from "./fact-sql";

/**
 * The facts a change touches: the appointment itself (`where`), plus — when its start, status
 * or patient changed — its patients' later appointments (`later`), whose history columns
 * depend on it.
 */
export function touchedFacts(change: AppointmentChange): { where: Stmt; later: Stmt | null } {
  const { before, after } = change;
  const a = (after ?? before)!;
  const historyMoved =
    !before || !after || before.start !== after.start || before.status !== after.status || before.patientId !== after.patientId;
  if (!historyMoved) return { where: { text: "f.appointment_id = ?", params: [a.id] }, later: null };
  const patients = [...new Set([before?.patientId, after?.patientId].filter((p): p is string => !!p))];
  const from = Math.min(...[before, after].filter((x) => !!x).map((x) => Date.parse(x!.start)));
  const later = laterOfPatients(patients, from, a.id);
  return { where: { text: `(f.appointment_id = ? OR (${later.text}))`, params: [a.id, ...later.params] }, later };
}

export function analyticsStatements(change: AppointmentChange, now = Date.now()): Stmt[] {
  const { before, after } = change;
  const { where, later } = touchedFacts(change);
  const facts: FactInput[] = [];
  if (after) {
    // Without context (never on create/update today) the zone falls back to UTC; a rebuild corrects it.
    const zone = change.context?.clinic.timeZone ?? "UTC";
    const startMs = Date.parse(after.start);
    facts.push({
      id: after.id,
      ...bucketOf(zone, startMs),
      lead: leadBucket(zone, Date.parse(after.createdAt), startMs),
      cancelBy: cancelByOf(change.actor, change.origin),
      at: now,
      patientConfirm: after.status === "confirmed" && before?.status !== "confirmed" && isPatientActor(change.actor) ? 1 : 0,
    });
  }
  // The rollups' difference first (it reads the facts as they were), then the facts themselves.
  const out: Stmt[] = rollupDeltaStmts(facts, where, later);
  out.push(after ? upsertFactsStmt(facts) : dropGoneFactStmt(before!.id));
  if (later) out.push(refreshHistoryStmt(later));
  out.push(...inboundLatencyStatements(change, now));
  return out;
}

export const analyticsEffect: ChangeEffect = (db, change) => analyticsStatements(change).map((s) => db.run(toSql(s)));
