// Commits an import plan.
//
// Blocked time: ONE D1 batch (one transaction) for the whole file: the
// imported_events rows (primary key doctor+uid+recurrence id), the blocked_times
// rows and one audit entry. Rows travel as a single JSON parameter expanded with
// json_each, so 2,000 events are 3 statements (D1 allows 100 bound parameters per
// statement and few queries per invocation on the Free plan).
// Why this is safe without the DoctorHub lock: blocked time never needs an
// overlap check of its own (it may overlap appointments), bookings re-check
// blocked time inside their own guarded batch at commit, and two concurrent
// imports of the same file collide on the imported_events key, so the second
// batch rolls back whole (→ 409, nothing half-written).
// Appointments: each goes through the core write path (appointments/write.ts,
// origin "ics": no invite e-mails, overlap guard in SQL) with its imported_events
// row in the same batch, so a crash mid-way never duplicates on re-import.
import { sql } from "drizzle-orm";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb } from "../db/client";
import type { SessionUser } from "../env";
import { newId } from "../ids";
import { createAppointment } from "../appointments/write";
import { appointmentLiveChanges } from "../appointments/live";
import { runBatch } from "../appointments/batch";
import type { LiveChange } from "../live/messages";
import type { PlannedItem } from "./import";

export interface CommitResult {
  created: { uid: string; recurrenceId: string; id: string }[];
  failed: { uid: string; recurrenceId: string; code: string; message: string }[];
  live: LiveChange[];
}

/** Above this many new blocks, one bulk live change replaces one change per block. */
const LIVE_EACH_MAX = 200;

export async function commitBlocked(
  d1: D1Database,
  user: SessionUser,
  doctorId: string,
  items: PlannedItem[],
  labels: "busy" | "summary",
  now = Date.now(),
): Promise<CommitResult> {
  const rows = items
    .filter((i) => i.action === "create")
    .map((i) => ({
      id: newId(),
      uid: i.uid,
      rid: i.recurrenceId,
      s: i.startMs,
      e: i.endMs,
      a: i.allDay ? 1 : 0,
      l: labels === "summary" && i.summary ? i.summary.slice(0, 100) : "Busy (imported)",
      x: `${i.uid}#${i.recurrenceId}`.slice(0, 500),
    }));
  if (!rows.length) return { created: [], failed: [], live: [] };
  const json = JSON.stringify(rows);
  const db = makeDb(d1);
  await runBatch(d1, [
    db.run(sql`INSERT INTO imported_events (doctor_id, uid, recurrence_id, entity_type, entity_id, created_at)
      SELECT ${doctorId}, json_extract(value, '$.uid'), json_extract(value, '$.rid'), 'blocked_time', json_extract(value, '$.id'), ${now}
      FROM json_each(${json})`),
    db.run(sql`INSERT INTO blocked_times (id, clinic_id, doctor_id, start_ms, end_ms, source, label, all_day, external_id, created_by, created_at, updated_at)
      SELECT json_extract(value, '$.id'), ${user.clinicId}, ${doctorId}, json_extract(value, '$.s'), json_extract(value, '$.e'), 'ics',
             json_extract(value, '$.l'), json_extract(value, '$.a'), json_extract(value, '$.x'), ${user.userId}, ${now}, ${now}
      FROM json_each(${json})`),
    auditInsert(db, user.clinicId, actorOf(user), "ics.import", "doctor", doctorId, { mode: "blocked", created: rows.length }),
  ]);
  const live: LiveChange[] =
    rows.length <= LIVE_EACH_MAX
      ? rows.map((r) => ({
          kind: "blocked",
          op: "created",
          doctorId,
          record: { id: r.id, doctorId, start: new Date(r.s).toISOString(), end: new Date(r.e).toISOString(), source: "ics", label: r.l, allDay: !!r.a },
        }))
      : [{ kind: "blocked", op: "created", doctorId, record: { bulk: true, count: rows.length } }];
  return { created: rows.map((r) => ({ uid: r.uid, recurrenceId: r.rid, id: r.id })), failed: [], live };
}

export async function commitAppointments(
  d1: D1Database,
  user: SessionUser,
  doctorId: string,
  patientId: string,
  type: string,
  items: PlannedItem[],
): Promise<CommitResult> {
  const out: CommitResult = { created: [], failed: [], live: [] };
  const caller = { actor: actorOf(user), role: user.role, doctorId: user.doctorId };
  for (const i of items.filter((x) => x.action === "create")) {
    const id = newId();
    const r = await createAppointment(
      { DB: d1 },
      caller,
      { clinicId: user.clinicId, doctorId, patientId, startMs: i.startMs, endMs: i.endMs, type, id },
      {
        origin: "ics",
        extra: (db) => [
          db.run(sql`INSERT INTO imported_events (doctor_id, uid, recurrence_id, entity_type, entity_id, created_at)
            VALUES (${doctorId}, ${i.uid}, ${i.recurrenceId}, 'appointment', ${id}, ${Date.now()})`),
        ],
      },
    );
    if (r.ok) {
      out.created.push({ uid: i.uid, recurrenceId: i.recurrenceId, id: r.appointment.id });
      out.live.push(...appointmentLiveChanges(r.change));
    } else out.failed.push({ uid: i.uid, recurrenceId: i.recurrenceId, code: r.error.code, message: r.error.message });
  }
  return out;
}
