// The NPS follow-up (issue #19): "the SMS/e-mail that follows the visit when the clinic turns it
// on" — one message after a completed appointment asking how likely the patient is to recommend
// the clinic, with a link to their page where they answer 0–10 (worker/analytics/nps.ts).
// It rides the reminder pipeline as a reminders row of kind 'nps', so it gets the same claim
// (never twice), quiet hours, consent, retries and unknown-outcome rules as every reminder:
//  - planned in the appointment's own D1 batch when it becomes completed (./effect.ts), due
//    `clinics.nps_follow_up_min` minutes after its end (or now, when marked completed later);
//    off (NULL) by default; never for a no-show or cancelled visit (a status change drops it);
//  - one per appointment: offset_minutes is fixed (-1, whatever the delay), and no second row is
//    planned once one went out or the patient answered;
//  - sent only while the visit is still completed, the clinic still has it on, the patient has
//    not answered and it is within NPS_SEND_WINDOW_MS of the end (checked again by the claim);
//  - the text carries the clinic name and the link only — no doctor, date, type or name, since
//    an SMS is read on a lock screen;
//  - its link opens only the NPS question, for NPS_LINK_MS after the visit
//    (worker/patient-links/links.ts), while the reminders' links expire when the visit ends; like
//    theirs, only while the row's patient (patient_id) is still the appointment's.
import { type SQL, sql } from "drizzle-orm";
import { newId } from "../ids";
import { fill } from "../email/templates";
import type { ReminderChannel } from "./plan";

export const NPS_OFFSET = -1;
export const NPS_SEND_WINDOW_MS = 7 * 86_400_000;
export const NPS_LINK_MS = 14 * 86_400_000;
/** The longest delay a clinic may set (3 days), so the message always lands inside the send window. */
export const NPS_MAX_DELAY_MIN = 3 * 24 * 60;

/** SMS first when the patient consents to it (most read), else e-mail; null when neither reaches them. */
export function npsChannel(patient: { hasEmail: boolean; smsOk: boolean }): ReminderChannel | null {
  return patient.smsOk ? "sms" : patient.hasEmail ? "email" : null;
}

export interface NpsAppointment {
  id: string;
  clinicId: string;
  doctorId: string;
  patientId: string | null;
  startMs: number;
  endMs: number;
}

/**
 * The follow-up's INSERT: reads the clinic's setting and the patient's address inside the
 * statement (nothing is read before the batch), and plans nothing when the setting is off, the
 * visit ended too long ago, a follow-up already went out or the patient answered.
 */
export function planNpsFollowUp(a: NpsAppointment, channel: ReminderChannel, now: number): SQL {
  return sql`INSERT INTO reminders (id, clinic_id, appointment_id, doctor_id, kind, channel, offset_minutes, start_ms, end_ms, due_at, state, attempts, created_at, to_address, patient_id)
    SELECT ${newId()}, c.id, ${a.id}, ${a.doctorId}, 'nps', ${channel}, ${NPS_OFFSET}, ${a.startMs}, ${a.endMs},
      MAX(${a.endMs} + c.nps_follow_up_min * 60000, ${now}), 'pending', 0, ${now},
      (SELECT CASE WHEN ${channel} = 'email' THEN NULLIF(p.email, '') WHEN p.sms_consent = 1 THEN NULLIF(p.phone, '') END FROM patients p WHERE p.id = ${a.patientId ?? ""}),
      ${a.patientId}
    FROM clinics c
    WHERE c.id = ${a.clinicId} AND c.nps_follow_up_min IS NOT NULL AND ${now} < ${a.endMs + NPS_SEND_WINDOW_MS}
      AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.appointment_id = ${a.id} AND r.kind = 'nps' AND r.state NOT IN ('pending', 'skipped'))
      AND NOT EXISTS (SELECT 1 FROM nps_responses n WHERE n.appointment_id = ${a.id})
    ON CONFLICT (appointment_id, channel, offset_minutes, start_ms) DO UPDATE SET
      state = 'pending', due_at = excluded.due_at, end_ms = excluded.end_ms, to_address = excluded.to_address, patient_id = excluded.patient_id, attempts = 0, last_error = NULL
    WHERE reminders.state = 'skipped'`;
}

/**
 * Turning the follow-up on reaches the visits completed before it was on whose follow-up would
 * still be ahead had it been on all along (end + delay after now): an admin who switches it on
 * at noon expects the morning's patients to be asked too, but nobody gets a message later than
 * the set delay. The same channel rule as npsChannel, in SQL (SMS with consent and a number,
 * else e-mail); nothing for a visit that has a follow-up or an answer already. Reads the clinic's
 * appointments of the look-back only (its start index, bounded by the longest appointment).
 * Returns the doctors whose hubs should plan their alarm (RETURNING doctor_id).
 */
export function backfillNpsFollowUps(d1: D1Database, clinicId: string, now: number): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO reminders (id, clinic_id, appointment_id, doctor_id, kind, channel, offset_minutes, start_ms, end_ms, due_at, state, attempts, created_at, to_address, patient_id)
      SELECT lower(hex(randomblob(16))), a.clinic_id, a.id, a.doctor_id, 'nps', x.channel, ${NPS_OFFSET}, a.start_ms, a.end_ms,
        MAX(a.end_ms + c.nps_follow_up_min * 60000, ?2), 'pending', 0, ?2, CASE x.channel WHEN 'email' THEN p.email ELSE p.phone END, a.patient_id
      FROM clinics c
      JOIN appointments a INDEXED BY appointments_clinic_start_idx ON a.clinic_id = c.id
      JOIN patients p ON p.id = a.patient_id
      JOIN (SELECT 'sms' AS channel UNION ALL SELECT 'email') x
        ON x.channel = CASE WHEN p.phone_digits <> '' AND p.sms_consent = 1 THEN 'sms' WHEN p.email <> '' THEN 'email' END
      WHERE c.id = ?1 AND c.nps_follow_up_min IS NOT NULL
        AND a.start_ms >= ?2 - c.nps_follow_up_min * 60000 - c.max_appointment_ms AND a.start_ms <= ?2
        AND a.status = 'completed' AND a.end_ms + c.nps_follow_up_min * 60000 > ?2
        AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.appointment_id = a.id AND r.kind = 'nps')
        AND NOT EXISTS (SELECT 1 FROM nps_responses n WHERE n.appointment_id = a.id)
      ON CONFLICT DO NOTHING
      RETURNING doctor_id`,
    )
    .bind(clinicId, now);
}

/** The claim's check for an NPS row (?1 = now): the visit is completed, the clinic has it on, no answer yet, not too late. */
export const NPS_OK =
  "EXISTS (SELECT 1 FROM appointments a JOIN clinics c ON c.id = a.clinic_id WHERE a.id = reminders.appointment_id AND a.status = 'completed' " +
  `AND c.nps_follow_up_min IS NOT NULL AND ?1 < a.end_ms + ${NPS_SEND_WINDOW_MS}) ` +
  "AND NOT EXISTS (SELECT 1 FROM nps_responses n WHERE n.appointment_id = reminders.appointment_id)";

/** Why an NPS row that may not go any more is skipped (inside an UPDATE of reminders; ?1 = now). */
export const NPS_SKIP_REASON =
  "COALESCE((SELECT CASE WHEN a.status <> 'completed' THEN 'the appointment is ' || a.status " +
  "WHEN c.nps_follow_up_min IS NULL THEN 'the clinic turned the NPS follow-up off' " +
  "WHEN EXISTS (SELECT 1 FROM nps_responses n WHERE n.appointment_id = a.id) THEN 'the patient has answered already' " +
  "ELSE 'too long after the visit' END FROM appointments a JOIN clinics c ON c.id = a.clinic_id WHERE a.id = reminders.appointment_id), " +
  "'the appointment no longer exists')";

/** The last instant a row may be sent: a reminder before its appointment starts, a follow-up within the window after the end. */
export function sendDeadline(r: { kind?: string | null; start_ms: number; end_ms: number }): number {
  return r.kind === "nps" ? r.end_ms + NPS_SEND_WINDOW_MS : r.start_ms;
}

// Fixed texts (not clinic-editable): what the message may carry is the clinic name and the link.
export const NPS_TEXTS = {
  sms: "{{clinic}}: thank you for your visit. How likely are you to recommend us? Answer 0-10 here: {{link}}",
  subject: "How was your visit to {{clinic}}?",
  text:
    "Hello,\n\nthank you for visiting {{clinic}}. How likely are you to recommend us to a friend or family member?\n" +
    "Answer from 0 to 10 (it takes a few seconds): {{link}}\n",
  html:
    "<p>Hello,</p><p>thank you for visiting <b>{{clinic}}</b>. How likely are you to recommend us to a friend or family member?</p>" +
    '<p><a href="{{link}}">Answer from 0 to 10</a> (it takes a few seconds).</p>',
};

type NpsVars = { clinic: string; link: string };
const fillN = (tpl: string, v: NpsVars, html = false) => fill(tpl, v as never, html);

export function renderNpsSms(v: NpsVars): string {
  return fillN(NPS_TEXTS.sms, v).replace(/\s+/g, " ").trim();
}

export function renderNpsEmail(v: NpsVars): { subject: string; text: string; html: string } {
  return { subject: fillN(NPS_TEXTS.subject, v).replace(/[\r\n]+/g, " ").trim(), text: fillN(NPS_TEXTS.text, v), html: fillN(NPS_TEXTS.html, v, true) };
}
