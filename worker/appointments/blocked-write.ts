// Manual blocked time (lunch, leave): create and delete, with the audit entry in the
// same batch. External busy time (source google/microsoft/caldav/ics) is written by
// the sync/import engines and cannot be deleted through the API (it would come back).
// Blocked time may overlap existing appointments: blocking does not cancel them;
// it only stops new bookings.
import { sql } from "drizzle-orm";
import { makeDb } from "../db/client";
import { auditInsert } from "../db/audit";
import { blockedTimes } from "../db/schema";
import { newId } from "../ids";
import { runBatch } from "./batch";
import { type BlockedTime, BLOCKED_COLUMNS, type BlockedTimeRow, iso, toBlockedTime } from "./model";
import { type Caller, type Failure, fail } from "./write";

export type BlockedResult = { ok: true; blockedTime: BlockedTime } | { ok: false; error: Failure };

export const MAX_BLOCK_MS = 366 * 86_400_000;

export interface BlockedInput {
  clinicId: string;
  doctorId: string;
  startMs: number;
  endMs: number;
  label?: string;
  allDay?: boolean;
}

export async function createBlockedTime(env: { DB: D1Database }, caller: Caller, input: BlockedInput, now = Date.now()): Promise<BlockedResult> {
  if (caller.role === "doctor" && caller.doctorId !== input.doctorId) return fail(403, "forbidden", "Doctors can only block their own time.");
  if (!(input.startMs < input.endMs)) return fail(422, "validation_failed", "The start must be before the end.", [{ path: "end", message: "must be after start" }]);
  if (input.endMs - input.startMs > MAX_BLOCK_MS)
    return fail(422, "validation_failed", "Blocked time is at most a year.", [{ path: "end", message: "at most a year after start" }]);
  const doc = await env.DB.prepare("SELECT clinic_id FROM doctors WHERE id = ?").bind(input.doctorId).first<{ clinic_id: string }>();
  if (!doc || doc.clinic_id !== input.clinicId) return fail(404, "not_found", "Doctor not found.");
  const id = newId();
  const db = makeDb(env.DB);
  const bt: BlockedTime = {
    id,
    doctorId: input.doctorId,
    start: iso(input.startMs),
    end: iso(input.endMs),
    source: "manual",
    label: input.label ?? "",
    allDay: !!input.allDay,
  };
  await runBatch(env.DB, [
    db.insert(blockedTimes).values({
      id,
      clinicId: input.clinicId,
      doctorId: input.doctorId,
      startMs: input.startMs,
      endMs: input.endMs,
      source: "manual",
      label: bt.label,
      allDay: bt.allDay,
      createdBy: caller.actor.userId ?? caller.actor.label,
      createdAt: now,
      updatedAt: now,
    }),
    auditInsert(db, input.clinicId, caller.actor, "blocked_time.create", "blocked_time", id, { after: bt }),
  ]);
  return { ok: true, blockedTime: bt };
}

export async function readBlockedTime(d1: D1Database, clinicId: string, id: string): Promise<BlockedTime | null> {
  const row = await d1.prepare(`SELECT ${BLOCKED_COLUMNS} FROM blocked_times WHERE id = ? AND clinic_id = ?`).bind(id, clinicId).first<BlockedTimeRow>();
  return row ? toBlockedTime(row) : null;
}

export async function deleteBlockedTime(env: { DB: D1Database }, caller: Caller, clinicId: string, id: string): Promise<BlockedResult> {
  const bt = await readBlockedTime(env.DB, clinicId, id);
  if (!bt) return fail(404, "not_found", "Blocked time not found.");
  if (caller.role === "doctor" && caller.doctorId !== bt.doctorId) return fail(403, "forbidden", "Doctors can only change their own blocked time.");
  if (bt.source !== "manual" && caller.role !== "system")
    return fail(409, "external_blocked_time", `This busy time comes from ${bt.source}; change it there.`);
  const db = makeDb(env.DB);
  await runBatch(env.DB, [
    db.run(sqlDelete(id)),
    auditInsert(db, clinicId, caller.actor, "blocked_time.delete", "blocked_time", id, { before: bt }),
  ]);
  return { ok: true, blockedTime: bt };
}

const sqlDelete = (id: string) => sql`DELETE FROM blocked_times WHERE id = ${id}`;
