// Commits an import plan (./import-plan.ts): create, update and remove.
//
// Blocked time: ONE D1 batch (one transaction) for the whole file: new
// imported_events rows (primary key doctor+uid+recurrence id, with the source
// hash), new blocked_times rows, moved/relabelled blocks updated in place, blocks
// of removed occurrences deleted with their imported_events rows, and one audit
// entry. Rows travel as a single JSON parameter expanded with json_each, so 2,000
// events are a handful of statements (D1 allows 100 bound parameters per
// statement and few queries per invocation on the Free plan). Updates and deletes
// only ever touch blocks with source 'ics' of this doctor.
// Why this is safe without the DoctorHub lock: blocked time never needs an
// overlap check of its own (it may overlap appointments), bookings re-check
// blocked time inside their own guarded batch at commit, and two concurrent
// imports of the same file collide on the imported_events key, so the second
// batch rolls back whole (→ 409, nothing half-written); a repeated update or
// delete is idempotent.
// Appointments: each goes through the core write path (appointments/write.ts,
// origin "ics": no invite e-mails, overlap and version guards in SQL) with its
// imported_events row in the same batch, so a crash mid-way never duplicates on
// re-import. An update moves the appointment; a removal cancels it (never deletes:
// the record and its audit trail stay).
// Working hours: origin "ics" makes the write path skip them (meant for a calendar synced
// from elsewhere), but an API import is staff booking: as through the API, only an admin may
// place an appointment outside the doctor's working hours. For anyone else such a create or
// move is refused per item (`outside_working_hours` in `failed`); an admin's goes through with
// allowOutsideHours, so its audit entry says overrideHours.
import { sql } from "drizzle-orm";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb } from "../db/client";
import type { SessionUser } from "../env";
import { newId } from "../ids";
import { createAppointment, updateAppointment } from "../appointments/write";
import { appointmentLiveChanges } from "../appointments/live";
import { runBatch } from "../appointments/batch";
import type { LiveChange } from "../live/messages";
import { checkBookingRules } from "../scheduling/rules";
import type { WorkingHours } from "../scheduling/working-hours";
import type { PlannedItem } from "./import-plan";

export interface CommitResult {
  created: { uid: string; recurrenceId: string; id: string }[];
  updated: { uid: string; recurrenceId: string; id: string }[];
  removed: { uid: string; recurrenceId: string; id: string }[];
  failed: { uid: string; recurrenceId: string; code: string; message: string }[];
  live: LiveChange[];
}

/** Above this many changed blocks, one bulk live change replaces one change per block. */
const LIVE_EACH_MAX = 200;

export const IMPORTED_LABEL = "Busy (imported)";

/** The label a block gets for an occurrence: the SUMMARY (labels=summary) or "Busy (imported)". */
export function blockLabel(labels: "busy" | "summary", summary: string): string {
  return labels === "summary" && summary ? summary.slice(0, 100) : IMPORTED_LABEL;
}

const ref = (i: PlannedItem, id: string) => ({ uid: i.uid, recurrenceId: i.recurrenceId, id });

export async function commitBlocked(
  d1: D1Database,
  user: SessionUser,
  doctorId: string,
  items: PlannedItem[],
  labels: "busy" | "summary",
  source = "",
  now = Date.now(),
): Promise<CommitResult> {
  const block = (i: PlannedItem, id: string) => ({ id, uid: i.uid, rid: i.recurrenceId, s: i.startMs, e: i.endMs, a: i.allDay ? 1 : 0, l: blockLabel(labels, i.summary) });
  const creates = items.filter((i) => i.action === "create").map((i) => ({ ...block(i, newId()), x: `${i.uid}#${i.recurrenceId}`.slice(0, 500) }));
  const updates = items.filter((i) => i.action === "update" && i.entityId).map((i) => block(i, i.entityId!));
  const removes = items.filter((i) => i.action === "remove" && i.entityId).map((i) => block(i, i.entityId!));
  const empty: CommitResult = { created: [], updated: [], removed: [], failed: [], live: [] };
  if (!creates.length && !updates.length && !removes.length) return empty;
  const db = makeDb(d1);
  const stmts = [];
  if (creates.length) {
    const json = JSON.stringify(creates);
    stmts.push(
      db.run(sql`INSERT INTO imported_events (doctor_id, uid, recurrence_id, entity_type, entity_id, created_at, source, start_ms, end_ms)
        SELECT ${doctorId}, json_extract(value, '$.uid'), json_extract(value, '$.rid'), 'blocked_time', json_extract(value, '$.id'), ${now}, ${source},
               json_extract(value, '$.s'), json_extract(value, '$.e')
        FROM json_each(${json})`),
      db.run(sql`INSERT INTO blocked_times (id, clinic_id, doctor_id, start_ms, end_ms, source, label, all_day, external_id, created_by, created_at, updated_at)
        SELECT json_extract(value, '$.id'), ${user.clinicId}, ${doctorId}, json_extract(value, '$.s'), json_extract(value, '$.e'), 'ics',
               json_extract(value, '$.l'), json_extract(value, '$.a'), json_extract(value, '$.x'), ${user.userId}, ${now}, ${now}
        FROM json_each(${json})`),
    );
  }
  if (updates.length) {
    const json = JSON.stringify(updates);
    stmts.push(
      db.run(sql`UPDATE blocked_times SET start_ms = u.s, end_ms = u.e, all_day = u.a, label = u.l, updated_at = ${now}
        FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.s') AS s, json_extract(value, '$.e') AS e,
                     json_extract(value, '$.a') AS a, json_extract(value, '$.l') AS l FROM json_each(${json})) AS u
        WHERE blocked_times.id = u.id AND blocked_times.doctor_id = ${doctorId} AND blocked_times.source = 'ics'`),
    );
    // Remember where the file put them now; rows imported before sources were recorded adopt this one.
    stmts.push(
      db.run(sql`UPDATE imported_events SET start_ms = u.s, end_ms = u.e, source = CASE WHEN imported_events.source = '' THEN ${source} ELSE imported_events.source END
        FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.s') AS s, json_extract(value, '$.e') AS e FROM json_each(${json})) AS u
        WHERE imported_events.doctor_id = ${doctorId} AND imported_events.entity_type = 'blocked_time' AND imported_events.entity_id = u.id`),
    );
  }
  if (removes.length) {
    const json = JSON.stringify(removes);
    stmts.push(
      db.run(sql`DELETE FROM blocked_times WHERE doctor_id = ${doctorId} AND source = 'ics'
        AND id IN (SELECT json_extract(value, '$.id') FROM json_each(${json}))`),
      db.run(sql`DELETE FROM imported_events WHERE doctor_id = ${doctorId} AND entity_type = 'blocked_time'
        AND entity_id IN (SELECT json_extract(value, '$.id') FROM json_each(${json}))`),
    );
  }
  stmts.push(
    auditInsert(db, user.clinicId, actorOf(user), "ics.import", "doctor", doctorId, {
      mode: "blocked",
      created: creates.length,
      updated: updates.length,
      removed: removes.length,
    }),
  );
  await runBatch(d1, stmts);
  const record = (r: ReturnType<typeof block>) => ({ id: r.id, doctorId, start: new Date(r.s).toISOString(), end: new Date(r.e).toISOString(), source: "ics", label: r.l, allDay: !!r.a });
  const total = creates.length + updates.length + removes.length;
  const live: LiveChange[] =
    total <= LIVE_EACH_MAX
      ? [
          ...creates.map((r): LiveChange => ({ kind: "blocked", op: "created", doctorId, record: record(r) })),
          ...updates.map((r): LiveChange => ({ kind: "blocked", op: "updated", doctorId, record: record(r) })),
          ...removes.map((r): LiveChange => ({ kind: "blocked", op: "deleted", doctorId, record: { id: r.id, doctorId } })),
        ]
      : [{ kind: "blocked", op: "created", doctorId, record: { bulk: true, count: total } }];
  return {
    created: creates.map((r) => ({ uid: r.uid, recurrenceId: r.rid, id: r.id })),
    updated: updates.map((r) => ({ uid: r.uid, recurrenceId: r.rid, id: r.id })),
    removed: removes.map((r) => ({ uid: r.uid, recurrenceId: r.rid, id: r.id })),
    failed: [],
    live,
  };
}

export async function commitAppointments(
  d1: D1Database,
  user: SessionUser,
  doctorId: string,
  patientId: string,
  type: string,
  items: PlannedItem[],
  source: string,
  hours: { zone: string; workingHours: WorkingHours },
): Promise<CommitResult> {
  const out: CommitResult = { created: [], updated: [], removed: [], failed: [], live: [] };
  const caller = { actor: actorOf(user), role: user.role, doctorId: user.doctorId };
  const failed = (i: PlannedItem, code: string, message: string) => out.failed.push({ uid: i.uid, recurrenceId: i.recurrenceId, code, message });
  /** Outside the doctor's working hours (other rules are the write path's to report). */
  const outside = (i: PlannedItem) =>
    checkBookingRules({ startMs: i.startMs, endMs: i.endMs, zone: hours.zone, workingHours: hours.workingHours, allowOutsideHours: false })?.code === "outside_working_hours";
  const admin = user.role === "admin";
  const refuseHours = (i: PlannedItem) => failed(i, "outside_working_hours", "The time is outside the doctor's working hours; only an admin may import it there.");
  for (const i of items) {
    const overrideHours = (i.action === "create" || i.action === "update") && outside(i);
    if (overrideHours && !admin) {
      refuseHours(i);
      continue;
    }
    if (i.action === "create") {
      const id = newId();
      const r = await createAppointment(
        { DB: d1 },
        caller,
        { clinicId: user.clinicId, doctorId, patientId, startMs: i.startMs, endMs: i.endMs, type, id, ...(overrideHours ? { allowOutsideHours: true } : {}) },
        {
          origin: "ics",
          extra: (db) => [
            db.run(sql`INSERT INTO imported_events (doctor_id, uid, recurrence_id, entity_type, entity_id, created_at, source, start_ms, end_ms)
              VALUES (${doctorId}, ${i.uid}, ${i.recurrenceId}, 'appointment', ${id}, ${Date.now()}, ${source}, ${i.startMs}, ${i.endMs})`),
          ],
        },
      );
      if (r.ok) {
        out.created.push(ref(i, r.appointment.id));
        out.live.push(...appointmentLiveChanges(r.change));
      } else failed(i, r.error.code, r.error.message);
    } else if ((i.action === "update" || i.action === "remove") && i.entityId && i.version != null) {
      // The version read at planning time guards against a concurrent edit by staff (409 → reported).
      const patch =
        i.action === "update"
          ? { version: i.version, startMs: i.startMs, endMs: i.endMs, ...(overrideHours ? { allowOutsideHours: true } : {}) }
          : { version: i.version, status: "cancelled" as const };
      const r = await updateAppointment({ DB: d1 }, caller, user.clinicId, i.entityId, patch, {
        origin: "ics",
        // In the same batch: where the file puts it now (a later unchanged file leaves it alone).
        extra:
          i.action === "update"
            ? (db) => [
                db.run(sql`UPDATE imported_events SET start_ms = ${i.startMs}, end_ms = ${i.endMs}, source = CASE WHEN source = '' THEN ${source} ELSE source END
                  WHERE doctor_id = ${doctorId} AND entity_type = 'appointment' AND entity_id = ${i.entityId!}`),
              ]
            : undefined,
      });
      if (r.ok) {
        (i.action === "update" ? out.updated : out.removed).push(ref(i, i.entityId));
        if (!r.unchanged) out.live.push(...appointmentLiveChanges(r.change));
      } else failed(i, r.error.code, r.error.message);
    }
  }
  return out;
}
