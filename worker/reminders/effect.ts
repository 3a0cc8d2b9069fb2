// Reminders are re-planned in the same D1 batch as every appointment change that can move
// them (registered in worker/features.ts): pending reminders of the appointment are
// deleted and the new plan (./plan.ts) inserted. A reschedule moves them, a cancel /
// completed / no-show / hard delete drops them, a patient or type change re-decides them.
// Reminders already sent stay as history; INSERT OR IGNORE on the unique key
// (appointment, channel, offset, start) means moving an appointment away and back never
// queues a reminder that already went out for that same start.
import { sql } from "drizzle-orm";
import type { AppointmentChange, ChangeEffect } from "../appointments/effects";
import { newId } from "../ids";
import { parseRules, parseStringList, planReminders } from "./plan";

/** Changes that can alter which reminders are due when. Notes/reason-only edits change nothing. */
export function remindersAffected(change: AppointmentChange): boolean {
  const { before, after } = change;
  if (!before || !after) return true;
  return (
    before.start !== after.start ||
    before.doctorId !== after.doctorId ||
    before.patientId !== after.patientId ||
    before.status !== after.status ||
    before.type !== after.type
  );
}

export const reminderEffect: ChangeEffect = (db, change) => {
  // An .ics import announces nothing to patients (as for invites).
  if (change.origin === "ics" || !remindersAffected(change)) return [];
  const a = (change.after ?? change.before)!;
  const items = [db.run(sql`DELETE FROM reminders WHERE appointment_id = ${a.id} AND state = 'pending'`)];
  const after = change.after;
  const ctx = change.context;
  if (!after || !ctx) return items;
  const now = Date.now();
  const startMs = Date.parse(after.start);
  const planned = planReminders({
    startMs,
    now,
    status: after.status,
    type: after.type,
    zone: ctx.clinic.timeZone,
    rules: parseRules(ctx.clinic.reminderRules),
    quiet: { startMin: ctx.clinic.quietStartMin, endMin: ctx.clinic.quietEndMin },
    noReminderTypes: parseStringList(ctx.clinic.noReminderTypes),
    patient: ctx.patient,
  });
  for (const r of planned)
    items.push(
      db.run(sql`INSERT OR IGNORE INTO reminders (id, clinic_id, appointment_id, doctor_id, channel, offset_minutes, start_ms, due_at, state, attempts, created_at)
        VALUES (${newId()}, ${after.clinicId}, ${after.id}, ${after.doctorId}, ${r.channel}, ${r.offsetMinutes}, ${startMs}, ${r.dueAt}, 'pending', 0, ${now})`),
    );
  return items;
};
