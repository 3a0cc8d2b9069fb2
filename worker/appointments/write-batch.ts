// The statements every appointment change commits after its own guard and row change, in one
// D1 batch (split out of write.ts): the audit entry, the sync outbox row(s), the registered
// change effects (worker/features.ts) and the caller's extra statements.
import type { BatchItem } from "drizzle-orm/batch";
import { auditInsert } from "../db/audit";
import { changedFields } from "../db/audit-diff";
import type { Db } from "../db/client";
import { sql } from "drizzle-orm";
import { syncOutbox } from "../db/schema";
import { type AppointmentChange, changeEffects } from "./effects";
import { type Appointment, isActive } from "./model";
import { runBatch } from "./batch";


/** The fields an edit can change; their names go into the audit entry's `changed`. */
export const AUDITED_FIELDS = ["doctorId", "patientId", "start", "end", "type", "reason", "status", "notes"] as const;

const auditSummary = (a: Appointment | null) =>
  a && { doctorId: a.doctorId, patientId: a.patientId, start: a.start, end: a.end, status: a.status, type: a.type, version: a.version };

function outboxRows(db: Db, change: AppointmentChange, now: number) {
  const { before, after } = change;
  const rows: { doctorId: string; op: "upsert" | "delete" }[] = [];
  const a = (after ?? before)!;
  if (before && after && before.doctorId !== after.doctorId) {
    rows.push({ doctorId: before.doctorId, op: "delete" });
    rows.push({ doctorId: after.doctorId, op: isActive(after.status) ? "upsert" : "delete" });
  } else {
    rows.push({ doctorId: a.doctorId, op: after && isActive(after.status) ? "upsert" : "delete" });
  }
  const version = after ? after.version : before!.version + 1;
  // Only for a doctor with a calendar integration (in any state: a paused or broken one keeps
  // its rows until it works again). A doctor with none got a row only for the hub to close it
  // right after: 5 D1 rows written per change for nothing (issue #18's bill). No race with a
  // connect: D1 runs batches one at a time, and a connect queues the doctor's upcoming
  // appointments in its own batch (sync/backfill.ts), so a change committed before it is
  // queued there and one committed after it sees the integration here.
  return rows.map((r) =>
    db.run(sql`INSERT INTO ${syncOutbox} (clinic_id, doctor_id, appointment_id, op, version, state, attempts, next_attempt_at, created_at, updated_at)
      SELECT ${a.clinicId}, ${r.doctorId}, ${a.id}, ${r.op}, ${version}, 'pending', 0, 0, ${now}, ${now}
      WHERE EXISTS (SELECT 1 FROM calendar_integrations WHERE doctor_id = ${r.doctorId})`),
  );
}

export async function commit(
  d1: D1Database,
  db: Db,
  head: BatchItem<"sqlite">[],
  action: string,
  change: AppointmentChange,
  extra: ((db: Db, change: AppointmentChange) => BatchItem<"sqlite">[]) | undefined,
  now: number,
): Promise<void> {
  const a = (change.after ?? change.before)!;
  const items: BatchItem<"sqlite">[] = [
    ...head,
    auditInsert(db, a.clinicId, change.actor, action, "appointment", a.id, {
      before: auditSummary(change.before),
      after: auditSummary(change.after),
      // Every field that changed, by name: notes and reason are not in the summaries above
      // (medical detail), so a notes-only edit would otherwise show only a version bump.
      ...(change.before && change.after ? { changed: changedFields(change.before, change.after, AUDITED_FIELDS) } : {}),
      origin: change.origin,
      ...(change.overrideHours ? { overrideHours: true } : {}),
    }),
    ...outboxRows(db, change, now),
    ...changeEffects().flatMap((fx) => fx(db, change)),
    ...(extra?.(db, change) ?? []),
  ];
  await runBatch(d1, items);
}

