// What a patient can do without logging in — confirm or cancel their appointment — through the
// personal link page (worker/routes/patient-page.ts) or an SMS reply ("C" / "X",
// worker/routes/twilio-webhooks.ts). Both go through the doctor's DoctorHub and the normal write
// path, so a patient's cancel does exactly what a receptionist's does: audit (actor "patient via
// link" / "patient via SMS"), invite CANCEL, provider events deleted, reminders dropped, slot
// freed, live update on every staff screen — plus a notice to the doctor and a
// patient_responses row for the no-show report.
import type { Caller } from "../appointments/write";
import { getAppointment } from "../appointments/queries";
import type { Appointment } from "../appointments/model";
import { clinicDateTime } from "../email/templates";
import type { Env } from "../env";
import { hubFor } from "../hub/doctor-hub";
import { noticeInsert } from "../notices/notices";
import { sameVisitHolder, type VisitRef } from "./links";
import { PATIENT_LINK_ACTOR } from "./reschedule-effect";

export type PatientVia = "link" | "sms";
export type PatientAction = "confirm" | "cancel";

export type ActionResult =
  | { ok: true; appointment: Appointment }
  | { ok: false; reason: "inactive" | "started" | "cutoff" | "failed"; message: string };

export interface ClinicContact {
  name: string;
  phone: string;
  timeZone: string;
  cancelCutoffMin: number;
}

export async function clinicContact(d1: D1Database, clinicId: string): Promise<ClinicContact | null> {
  const r = await d1
    .prepare("SELECT name, phone, time_zone, cancel_cutoff_min FROM clinics WHERE id = ?")
    .bind(clinicId)
    .first<{ name: string; phone: string; time_zone: string; cancel_cutoff_min: number }>();
  return r && { name: r.name, phone: r.phone, timeZone: r.time_zone, cancelCutoffMin: r.cancel_cutoff_min };
}

const patientCaller = (via: PatientVia): Caller => ({
  actor: { userId: null, label: via === "link" ? PATIENT_LINK_ACTOR : "patient via SMS" },
  role: "system",
  doctorId: null,
});

/** Whether the patient may still cancel themselves (outside the clinic's cut-off). */
export const mayCancel = (a: Appointment, cutoffMin: number, now: number) => Date.parse(a.start) - now >= cutoffMin * 60_000;

export async function patientAction(env: Env, visit: VisitRef, action: PatientAction, via: PatientVia, now = Date.now()): Promise<ActionResult> {
  const { clinicId } = visit;
  const [read, clinic] = await Promise.all([getAppointment(env.DB, clinicId, visit.appointmentId), clinicContact(env.DB, clinicId)]);
  const a = sameVisitHolder(read, visit.patientId);
  if (!a || !clinic) return { ok: false, reason: "inactive", message: "This appointment no longer exists." };
  const call = clinic.phone ? ` Please call ${clinic.phone}.` : " Please call the clinic.";
  if (a.status !== "scheduled" && a.status !== "confirmed") return { ok: false, reason: "inactive", message: `This appointment is ${a.status === "cancelled" ? "cancelled" : "no longer open"}.` };
  if (Date.parse(a.start) <= now) return { ok: false, reason: "started", message: "This appointment has already started." };
  if (action === "confirm" && a.status === "confirmed") return { ok: true, appointment: a };
  if (action === "cancel" && !mayCancel(a, clinic.cancelCutoffMin, now))
    return { ok: false, reason: "cutoff", message: `It is too late to cancel online.${call}` };
  const hub = hubFor(env, a.doctorId);
  const r = await hub.updateAppointment(a.doctorId, patientCaller(via), clinicId, a.id, { version: a.version, status: action === "confirm" ? "confirmed" : "cancelled" }, a);
  if (!r.ok) return { ok: false, reason: "failed", message: `That did not work.${call}` };
  await recordResponse(env, a, action, via, clinic, now);
  return { ok: true, appointment: r.appointment };
}

async function recordResponse(env: Env, a: Appointment, action: PatientAction, via: PatientVia, clinic: ClinicContact, now: number) {
  const doctor = await env.DB.prepare("SELECT user_id FROM doctors WHERE id = ?").bind(a.doctorId).first<{ user_id: string | null }>();
  const stmts = [
    env.DB.prepare("INSERT INTO patient_responses (clinic_id, appointment_id, action, via, at) VALUES (?, ?, ?, ?, ?)").bind(a.clinicId, a.id, action, via, now),
  ];
  let notice: ReturnType<typeof noticeInsert> | null = null;
  if (doctor?.user_id) {
    const { date, time } = clinicDateTime(Date.parse(a.start), clinic.timeZone);
    const what = action === "cancel" ? "cancelled" : "confirmed";
    // No patient name in the notice text (it may show on a shared screen); it links to the appointment.
    notice = noticeInsert(
      env.DB,
      { clinicId: a.clinicId, userId: doctor.user_id, kind: `patient_${what}`, message: `A patient ${what} the appointment on ${date} at ${time} (${via === "link" ? "by link" : "by SMS"}).`, entityType: "appointment", entityId: a.id },
      now,
    );
    stmts.push(notice.statement);
  }
  await env.DB.batch(stmts);
  if (notice)
    await hubFor(env, a.doctorId)
      .publish(a.doctorId, { kind: "notice", op: "created", doctorId: a.doctorId, record: { ...notice.notice, userId: doctor!.user_id } })
      .catch((err) => console.error("notice publish failed", err));
}
