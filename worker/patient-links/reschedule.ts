// Self-reschedule from the patient's link page (/r/<token>, "Choose another time").
//
// The choices are the doctor's free slots for the appointment's own duration (so the same
// type fits), over the next `reschedule_days` days, inside working hours, never inside the
// clinic's cancel cut-off, on the doctor's slot grid — computed from the same data the write
// path checks (appointments/free-time.ts). A chosen time is accepted only if it is in a fresh
// list at the moment of choosing, and then moves the appointment through the doctor's
// DoctorHub and the normal write path (version checked; a slot taken meanwhile comes back as
// slot_taken and the page shows a fresh list). Everything a staff move does follows from that:
// audit (actor "patient via link"), invite update (REQUEST, SEQUENCE+1), provider events moved,
// reminders re-planned, live update. On top, in the move's own batch (./reschedule-effect.ts): a
// patient_reschedules row (the per-appointment limit counts them; a guard there refuses a move
// past the limit, so two moves at once cannot exceed it) and a patient_responses row; after it,
// a notice to the doctor and front desk.
import { doctorFreeTime } from "../appointments/free-time";
import type { Appointment } from "../appointments/model";
import { sameVisitHolder, type VisitRef } from "./links";
import { PATIENT_LINK_ACTOR } from "./reschedule-effect";
import { getAppointment } from "../appointments/queries";
import type { Caller } from "../appointments/write";
import type { Env } from "../env";
import { hubFor } from "../hub/doctor-hub";
import { notifyDoctorAndFrontDesk } from "../notices/front-desk";
import { parseStringList } from "../reminders/plan";
import { freeSlots } from "../scheduling/slots";
import { utcToLocal } from "../scheduling/zone";
import { type ClinicContact, clinicContact, mayCancel } from "./actions";

export interface RescheduleRules {
  allowed: boolean;
  limit: number;
  days: number;
  noTypes: string[];
}

export async function rescheduleRules(d1: D1Database, clinicId: string): Promise<RescheduleRules> {
  const r = await d1
    .prepare("SELECT self_reschedule, reschedule_limit, reschedule_days, no_reschedule_types FROM clinics WHERE id = ?")
    .bind(clinicId)
    .first<{ self_reschedule: number; reschedule_limit: number; reschedule_days: number; no_reschedule_types: string }>();
  return r
    ? { allowed: r.self_reschedule === 1, limit: r.reschedule_limit, days: r.reschedule_days, noTypes: parseStringList(r.no_reschedule_types).map((t) => t.toLowerCase()) }
    : { allowed: false, limit: 0, days: 0, noTypes: [] };
}

export interface DayChoices {
  /** Clinic-local date (YYYY-MM-DD). */
  date: string;
  label: string;
  slots: { startMs: number; time: string }[];
}

export type Choices = { ok: true; days: DayChoices[] } | { ok: false; message: string };

/** At most this many times (14 days of half-hour slots round the clock): a phone page, not a database dump. */
export const MAX_CHOICES = 700;

const callText = (clinic: ClinicContact) => (clinic.phone ? ` Please call ${clinic.phone}.` : " Please call the clinic.");
const limitText = (clinic: ClinicContact) => `This appointment has been moved online as often as the clinic allows.${callText(clinic)}`;

/** The appointment has been moved by its patient as often as the clinic allows. */
async function limitReached(d1: D1Database, appointmentId: string, limit: number): Promise<boolean> {
  const r = await d1.prepare("SELECT count(*) AS n FROM patient_reschedules WHERE appointment_id = ?").bind(appointmentId).first<{ n: number }>();
  return (r?.n ?? 0) >= limit;
}

/** Why this appointment cannot be moved by the patient now, or null (it can). */
export async function rescheduleRefusal(d1: D1Database, a: Appointment, clinic: ClinicContact, rules: RescheduleRules, now: number): Promise<string | null> {
  if (!rules.allowed || rules.noTypes.includes(a.type.toLowerCase())) return `This appointment cannot be moved online.${callText(clinic)}`;
  if ((a.status !== "scheduled" && a.status !== "confirmed") || Date.parse(a.start) <= now) return "This appointment can no longer be moved.";
  if (!mayCancel(a, clinic.cancelCutoffMin, now)) return `It is too late to move this appointment online.${callText(clinic)}`;
  if (await limitReached(d1, a.id, rules.limit)) return limitText(clinic);
  return null;
}

/** The times the patient may move to, grouped by clinic-local day. */
export async function rescheduleChoices(env: Env, a: Appointment, clinic: ClinicContact, rules: RescheduleRules, now: number): Promise<Choices> {
  const refusal = await rescheduleRefusal(env.DB, a, clinic, rules, now);
  if (refusal) return { ok: false, message: refusal };
  const from = now + clinic.cancelCutoffMin * 60_000;
  const to = now + rules.days * 86_400_000;
  const free = await doctorFreeTime(env.DB, a.clinicId, a.doctorId, from, to, a.id);
  if (!free || !free.active) return { ok: false, message: `This appointment cannot be moved online.${callText(clinic)}` };
  const minutes = Math.round((Date.parse(a.end) - Date.parse(a.start)) / 60_000);
  const own = Date.parse(a.start);
  const slots = freeSlots(free.working, free.busy, minutes, from, free.slotMinutes)
    .filter((s) => s.end <= to && s.start !== own)
    .slice(0, MAX_CHOICES);
  // One formatter of each kind per request: building an Intl.DateTimeFormat costs far more than
  // using one, and a two-week list has hundreds of times (the bench's CPU went here).
  const dayFmt = new Intl.DateTimeFormat("en-GB", { timeZone: clinic.timeZone, weekday: "long", day: "numeric", month: "long" });
  const timeFmt = new Intl.DateTimeFormat("en-GB", { timeZone: clinic.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const days: DayChoices[] = [];
  for (const s of slots) {
    const local = utcToLocal(clinic.timeZone, s.start);
    let day = days[days.length - 1];
    if (!day || day.date !== local.date) {
      day = { date: local.date, label: dayFmt.format(new Date(s.start)), slots: [] };
      days.push(day);
    }
    day.slots.push({ startMs: s.start, time: timeFmt.format(new Date(s.start)) });
  }
  return { ok: true, days };
}

export type RescheduleResult =
  | { ok: true; appointment: Appointment }
  | { ok: false; reason: "refused" | "taken" | "failed"; message: string };

const linkCaller: Caller = { actor: { userId: null, label: PATIENT_LINK_ACTOR }, role: "system", doctorId: null };


const short = (ms: number, zone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(ms));

/** Moves the appointment to `startMs` if that is one of the patient's choices right now. */
export async function patientReschedule(env: Env, visit: VisitRef, startMs: number, now = Date.now()): Promise<RescheduleResult> {
  const { clinicId } = visit;
  const [read, clinic, rules] = await Promise.all([getAppointment(env.DB, clinicId, visit.appointmentId), clinicContact(env.DB, clinicId), rescheduleRules(env.DB, clinicId)]);
  const a = sameVisitHolder(read, visit.patientId);
  if (!a || !clinic) return { ok: false, reason: "refused", message: "This appointment no longer exists." };
  const choices = await rescheduleChoices(env, a, clinic, rules, now);
  if (!choices.ok) return { ok: false, reason: "refused", message: choices.message };
  if (!choices.days.some((d) => d.slots.some((s) => s.startMs === startMs)))
    return { ok: false, reason: "taken", message: "That time is no longer free. Please choose another one." };
  const duration = Date.parse(a.end) - Date.parse(a.start);
  const fromMs = Date.parse(a.start);
  // The move's record (patient_reschedules, which the limit counts), the patient's response and
  // their links' new expiry commit in the move's own batch, under a guard that the limit still
  // holds (./reschedule-effect.ts): a second move racing this one is refused there.
  const r = await hubFor(env, a.doctorId).updateAppointment(a.doctorId, linkCaller, clinicId, a.id, { version: a.version, startMs, endMs: startMs + duration }, a);
  if (!r.ok) {
    // (RPC results lose the union's narrowing: read the failure's code explicitly.)
    const code = (r as unknown as { error: { code: string } }).error.code;
    if (code === "slot_taken" || code === "blocked_time" || code === "version_conflict") {
      // The limit's guard refuses as a write guard does (seen as slot_taken): tell which it was.
      if (await limitReached(env.DB, a.id, rules.limit)) return { ok: false, reason: "refused", message: limitText(clinic) };
      return { ok: false, reason: "taken", message: "That time has just been taken. Please choose another one." };
    }
    return { ok: false, reason: "failed", message: `That did not work.${callText(clinic)}` };
  }
  await notifyDoctorAndFrontDesk(
    env,
    {
      clinicId,
      doctorId: a.doctorId,
      kind: "patient_rescheduled",
      // Staff-only screens: the patient's name is what the front desk needs to recognise the call.
      message: `${a.patientName || "A patient"} moved their appointment from ${short(fromMs, clinic.timeZone)} to ${short(startMs, clinic.timeZone)} (by link).`,
      entityType: "appointment",
      entityId: a.id,
    },
    now,
  ).catch((err) => console.error("reschedule notice failed", err));
  return { ok: true, appointment: r.appointment };
}
