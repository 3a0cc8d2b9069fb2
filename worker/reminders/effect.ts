// Reminders are re-planned in the same D1 batch as every appointment change that can move
// them (registered in worker/features.ts): pending reminders of the appointment that the new
// plan (./plan.ts) does not have are deleted and the plan upserted. A reschedule moves them, a cancel /
// completed / no-show / hard delete drops them, a patient, type or length change re-decides them.
// Reminders already sent stay as history; the unique key (appointment, channel, offset, start)
// means moving an appointment away and back never queues a reminder that already went out for
// that same start. A reminder that was skipped (never sent: consent withdrawn, quiet hours) is
// planned again in its own row when the reason goes away. A visit marked completed also gets the
// NPS follow-up when the clinic turned it on (./nps-follow-up.ts).
import { type SQL, sql } from "drizzle-orm";
import type { AppointmentChange, ChangeEffect } from "../appointments/effects";
import { newId } from "../ids";
import { type PlannedReminder, parseRules, parseStringList, planReminders } from "./plan";
import { npsChannel, planNpsFollowUp } from "./nps-follow-up";

/** Changes that can alter which reminders are due when. Notes/reason-only edits change nothing. */
export function remindersAffected(change: AppointmentChange): boolean {
  const { before, after } = change;
  if (!before || !after) return true;
  return (
    before.start !== after.start ||
    // the end travels with each pending reminder (its link expires then)
    before.end !== after.end ||
    before.doctorId !== after.doctorId ||
    before.patientId !== after.patientId ||
    before.status !== after.status ||
    before.type !== after.type
  );
}

export interface PlannedAppointment {
  id: string;
  clinicId: string;
  doctorId: string;
  patientId: string | null;
  startMs: number;
  endMs: number;
}

/**
 * The INSERT of each planned reminder (reviving a skipped one with the same key). The address is read from the patient inside the
 * statement: the e-mail, or the phone only while the patient consents to SMS (so a consent
 * withdrawn in the same batch, just before, is seen). The row names its patient (patient_id): its
 * link opens the appointment only while that is the appointment's patient
 * (worker/patient-links/links.ts). A pending row with the same key takes the plan's due time,
 * end, address, patient and doctor, and is not written when they are already equal; a row
 * already sent keeps the patient it went to.
 */
export function insertPlanned(a: PlannedAppointment, planned: PlannedReminder[], now: number): SQL[] {
  return planned.map(
    (r) => sql`INSERT INTO reminders (id, clinic_id, appointment_id, doctor_id, channel, offset_minutes, start_ms, end_ms, due_at, state, attempts, created_at, to_address, patient_id)
      VALUES (${newId()}, ${a.clinicId}, ${a.id}, ${a.doctorId}, ${r.channel}, ${r.offsetMinutes}, ${a.startMs}, ${a.endMs}, ${r.dueAt}, 'pending', 0, ${now},
        (SELECT CASE WHEN ${r.channel} = 'email' THEN NULLIF(p.email, '') WHEN p.sms_consent = 1 THEN NULLIF(p.phone, '') END
         FROM patients p WHERE p.id = ${a.patientId ?? ""}), ${a.patientId})
      ON CONFLICT (appointment_id, channel, offset_minutes, start_ms) DO UPDATE SET
        state = 'pending', due_at = excluded.due_at, end_ms = excluded.end_ms, to_address = excluded.to_address, doctor_id = excluded.doctor_id,
        patient_id = excluded.patient_id,
        attempts = IIF(reminders.state = 'skipped', 0, reminders.attempts), last_error = IIF(reminders.state = 'skipped', NULL, reminders.last_error)
      WHERE reminders.state = 'skipped'
        OR (reminders.state = 'pending' AND (reminders.due_at != excluded.due_at OR reminders.end_ms != excluded.end_ms
          OR reminders.to_address IS NOT excluded.to_address OR reminders.doctor_id != excluded.doctor_id
          OR reminders.patient_id IS NOT excluded.patient_id))`,
  );
}

export const reminderEffect: ChangeEffect = (db, change) => {
  // An .ics import announces nothing to patients (as for invites).
  if (change.origin === "ics" || !remindersAffected(change)) return [];
  const a = (change.after ?? change.before)!;
  const after = change.after;
  const ctx = change.context;
  if (!after || !ctx) return [db.run(sql`DELETE FROM reminders WHERE appointment_id = ${a.id} AND state = 'pending'`)];
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
  const appt = { id: after.id, clinicId: after.clinicId, doctorId: after.doctorId, patientId: after.patientId, startMs, endMs: Date.parse(after.end) };
  // Pending rows the new plan does not have go; the plan's own keys stay (and are brought up to
  // date by the INSERT's upsert), so a change that keeps the plan — a confirmation — writes none.
  const keep = JSON.stringify(planned.map((r) => `${r.channel}:${r.offsetMinutes}`));
  const items = [
    db.run(sql`DELETE FROM reminders WHERE appointment_id = ${a.id} AND state = 'pending'
      AND NOT (kind = 'reminder' AND start_ms = ${startMs} AND channel || ':' || offset_minutes IN (SELECT value FROM json_each(${keep})))`),
    ...insertPlanned(appt, planned, now).map((q) => db.run(q)),
  ];
  // A completed visit gets the NPS follow-up when the clinic has it on (./nps-follow-up.ts);
  // any later status change deletes it above while still pending.
  const channel = after.status === "completed" ? npsChannel(ctx.patient) : null;
  if (channel) items.push(db.run(planNpsFollowUp(appt, channel, now)));
  return items;
};
