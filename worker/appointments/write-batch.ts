// The statements every appointment change commits after its own guard and row change, in one
// D1 batch (split out of write.ts): the audit entry, the sync outbox row(s), the registered
// change effects (worker/features.ts) and the caller's extra statements.
import type { BatchItem } from "drizzle-orm/batch";
import { auditInsert } from "../db/audit";
import { changedFields } from "../db/audit-diff";
import type { Db } from "../db/client";
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
  return rows.map((r) =>
    db.insert(syncOutbox).values({
      clinicId: a.clinicId,
      doctorId: r.doctorId,
      appointmentId: a.id,
      op: r.op,
      version,
      createdAt: now,
      updatedAt: now,
    }),
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

