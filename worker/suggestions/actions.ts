// What a clinic can have done about high no-show risk (settings, all off by default), run on the
// 5-minute cron after the nightly training (./train.ts):
// - extraSms: a high-risk patient whose appointment is not confirmed gets one extra SMS reminder
//   `hoursBefore` the start. It is a row in the reminders table (channel sms, offset_minutes =
//   hoursBefore·60), so the reminders' own sender sends it with the clinic's SMS template and
//   confirm link (a reply "C" confirms), with its exactly-once claim, quiet hours, consent
//   check at send time and delivery tracking. A rescheduled appointment loses its pending rows
//   (reminders/effect.ts) and is re-judged at the next tick; the unique key (appointment,
//   channel, offset, start) means it never gets two for the same start.
// - waitlistEarly: offerEarlyToWaitlist below — standby offers of a high-risk unconfirmed time.
// Nothing here moves or cancels an appointment (a standby booking and the opt-in release at the
// final point go through the doctor's hub and the write path, worker/waitlist/standby.ts).
import { auditInsert, systemActor } from "../db/audit";
import { makeDb, toD1 } from "../db/client";
import type { Env } from "../env";
import { sendableAt } from "../reminders/plan";
import { plannedStatements } from "../reminders/replan";
import { loadRiskContext, riskFor, type UpcomingRow } from "./risk";
import { effectiveSettings, type SuggestionSettings } from "./settings";
import { standbySlotInsert } from "../waitlist/standby";

/** At most this many appointments judged per clinic and tick (bounded work; the rest next tick). */
const PER_CLINIC = 200;

interface Candidate extends UpcomingRow {
  doctor_id: string;
  end_ms: number;
  quiet_start_min: number;
  quiet_end_min: number;
}

/** Unconfirmed appointments starting in (now, now + hours] whose patient may get an SMS and has no extra one for this start yet. */
function extraSmsCandidates(d1: D1Database, clinicId: string, now: number, offsetMinutes: number) {
  return d1
    .prepare(
      "SELECT a.id, a.patient_id, a.doctor_id, a.start_ms, a.end_ms, a.created_at, a.type, a.status, c.quiet_start_min, c.quiet_end_min " +
        "FROM appointments a INDEXED BY appointments_clinic_start_idx JOIN patients p ON p.id = a.patient_id JOIN clinics c ON c.id = a.clinic_id " +
        "WHERE a.clinic_id = ? AND a.start_ms > ? AND a.start_ms <= ? AND a.status = 'scheduled' AND p.sms_consent = 1 AND p.phone != '' " +
        "AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.appointment_id = a.id AND r.channel = 'sms' AND r.offset_minutes = ? AND r.start_ms = a.start_ms) " +
        "ORDER BY a.start_ms LIMIT ?",
    )
    .bind(clinicId, now, now + offsetMinutes * 60_000, offsetMinutes, PER_CLINIC)
    .all<Candidate>();
}

/** Plans the extra SMS for the clinic's high-risk unconfirmed appointments; returns the doctors to wake. */
export async function planExtraSms(env: Env, clinicId: string, s: SuggestionSettings, now: number): Promise<string[]> {
  const d1 = env.DB;
  const offset = s.extraSms.hoursBefore * 60;
  const { results } = await extraSmsCandidates(d1, clinicId, now, offset);
  if (!results.length) return [];
  const ctx = await loadRiskContext(d1, clinicId, results, now);
  const stmts: D1PreparedStatement[] = [];
  const doctors = new Set<string>();
  for (const a of results) {
    const risk = riskFor(a, ctx);
    if (risk.level !== "high" || ctx.confirmed.has(a.id)) continue;
    const due = sendableAt(Math.max(now, a.start_ms - offset * 60_000), "sms", a.start_ms, { startMin: a.quiet_start_min, endMin: a.quiet_end_min }, ctx.zone);
    if (due == null) continue;
    stmts.push(
      // Written like every planned reminder (reminders/replan.ts): with the end and the patient's address.
      ...plannedStatements(d1, { id: a.id, clinicId, doctorId: a.doctor_id, patientId: a.patient_id, startMs: a.start_ms, endMs: a.end_ms }, [{ channel: "sms", offsetMinutes: offset, dueAt: due }], now),
      toD1(d1, auditInsert(makeDb(d1), clinicId, systemActor("suggestions"), "reminder.extra_sms", "appointment", a.id, { risk: Math.round(risk.probability * 100) / 100, reasons: risk.reasons })),
    );
    doctors.add(a.doctor_id);
  }
  if (stmts.length) await d1.batch(stmts);
  return [...doctors];
}

/** Still-unconfirmed appointments whose cut-off has come (start within `cutoffHours`) and whose final point is still ahead, with no standby slot for this start yet. */
function standbyCandidates(d1: D1Database, clinicId: string, now: number, cutoffMs: number, finalMs: number) {
  return d1
    .prepare(
      "SELECT a.id, a.patient_id, a.doctor_id, a.start_ms, a.end_ms, a.created_at, a.type, a.status FROM appointments a INDEXED BY appointments_clinic_start_idx " +
        "WHERE a.clinic_id = ? AND a.start_ms > ? AND a.start_ms <= ? AND a.status = 'scheduled' " +
        "AND NOT EXISTS (SELECT 1 FROM waitlist_slots s WHERE s.standby_for = a.id AND s.start_ms = a.start_ms) ORDER BY a.start_ms LIMIT ?",
    )
    .bind(clinicId, now + finalMs, now + cutoffMs, PER_CLINIC)
    .all<UpcomingRow & { doctor_id: string; end_ms: number }>();
}

/**
 * "Offer high-risk slots to the waitlist early": an appointment still unconfirmed `cutoffHours`
 * before its start and at high risk gets a STANDBY slot (worker/waitlist/standby.ts): its time is
 * offered to the waitlist as standby — it becomes the waitlist patient's only through the normal
 * booking path once this patient cancels (or, if the clinic chose `releaseUnconfirmed`, has not
 * confirmed by the final point, `finalHours` before the start); if this patient confirms, the
 * offers are withdrawn. Never a second booking of the same time. Once per appointment and start
 * (the slot's unique key); returns the doctors whose hubs should offer now.
 */
export async function offerEarlyToWaitlist(env: Env, clinicId: string, s: SuggestionSettings, now: number): Promise<string[]> {
  const d1 = env.DB;
  const w = s.waitlistEarly;
  const { results } = await standbyCandidates(d1, clinicId, now, w.cutoffHours * 3_600_000, w.finalHours * 3_600_000);
  if (!results.length) return [];
  const ctx = await loadRiskContext(d1, clinicId, results, now);
  const stmts: D1PreparedStatement[] = [];
  const doctors = new Set<string>();
  for (const a of results) {
    const risk = riskFor(a, ctx);
    if (risk.level !== "high" || ctx.confirmed.has(a.id)) continue;
    stmts.push(
      standbySlotInsert(d1, { id: a.id, clinicId, doctorId: a.doctor_id, startMs: a.start_ms, endMs: a.end_ms }, a.start_ms - w.finalHours * 3_600_000, w.releaseUnconfirmed, now),
      toD1(d1, auditInsert(makeDb(d1), clinicId, systemActor("suggestions"), "waitlist.standby_offer", "appointment", a.id, { risk: Math.round(risk.probability * 100) / 100, reasons: risk.reasons })),
    );
    doctors.add(a.doctor_id);
  }
  if (stmts.length) await d1.batch(stmts);
  return [...doctors];
}

/** Every clinic that turned an action on, bounded per clinic. */
export async function runRiskActions(env: Env, now: number): Promise<void> {
  const { results } = await env.DB.prepare("SELECT clinic_id, settings FROM suggestion_settings WHERE settings LIKE '%\"enabled\":true%'").all<{
    clinic_id: string;
    settings: string;
  }>();
  const wake = new Set<string>();
  for (const r of results) {
    const s = effectiveSettings(r.settings);
    try {
      if (s.extraSms.enabled) for (const d of await planExtraSms(env, r.clinic_id, s, now)) wake.add(d);
      if (s.waitlistEarly.enabled) for (const d of await offerEarlyToWaitlist(env, r.clinic_id, s, now)) wake.add(d);
    } catch (err) {
      console.error("risk actions failed", r.clinic_id, err);
    }
  }
  // The doctor's hub sends reminders and waitlist offers on its alarm; wake it so they go now.
  await Promise.allSettled([...wake].map((id) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(id)).kick(id)));
}

