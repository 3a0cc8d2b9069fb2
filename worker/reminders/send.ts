// Sends due reminders from the appointment's doctor's DoctorHub (registered in
// hub/work-registry.ts): the hub's alarm is set to the earliest pending reminder, so nothing
// scans the whole table every minute; each run reads only this doctor's due rows through
// reminders_doctor_due_idx.
//
// Exactly once: a row is claimed (pending → sending, one conditional UPDATE) before anything is
// sent, and only the claimer sends. A send that never reports back (the Worker died mid-send)
// is NOT retried: after the lease the row becomes 'unknown' and shows so on the appointment —
// a patient must never get the same text twice because we could not tell. A send that failed
// for sure retries with backoff (while the appointment has not started), then ends 'failed'.
// Before sending, the row is checked against the appointment as it is now (still active, same
// start) and the patient's consent as it is now (an SMS opt-out wins over a planned reminder).
import { auditInsert, systemActor } from "../db/audit";
import { makeDb, toD1 } from "../db/client";
import { clinicDateTime } from "../email/templates";
import { emailSenderFor } from "../email/sender";
import type { Env } from "../env";
import type { HubWork } from "../hub/work";
import { issuePatientLink } from "../patient-links/links";
import { SmsSendError, smsProviderFor } from "../sms/provider";
import { toE164 } from "../sms/phone";
import { joinUrl } from "../video/jitsi";
import { buildReminderMime } from "./email";
import { effectiveReminderTemplates, type ReminderVars, renderReminderEmail, renderSms } from "./messages";

export const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];
export const MAX_ATTEMPTS = BACKOFF_MS.length + 1;
const BATCH = 50;
const SEND_CONCURRENCY = 10;
export const LEASE_MS = 10 * 60_000;

interface DueRow {
  id: string;
  clinic_id: string;
  appointment_id: string;
  channel: "email" | "sms";
  start_ms: number;
  attempts: number;
  a_status: string | null;
  a_start: number | null;
  a_end: number | null;
  doctor_name: string | null;
  p_email: string | null;
  p_phone: string | null;
  p_sms_consent: number | null;
  c_name: string;
  c_zone: string;
  c_address: string;
  c_phone: string;
  c_domain: string;
  c_templates: string;
  video_url: string | null;
}

const DUE_SQL =
  "SELECT r.id, r.clinic_id, r.appointment_id, r.channel, r.start_ms, r.attempts, a.status AS a_status, a.start_ms AS a_start, " +
  "a.end_ms AS a_end, d.name AS doctor_name, p.email AS p_email, p.phone AS p_phone, p.sms_consent AS p_sms_consent, " +
  "c.name AS c_name, c.time_zone AS c_zone, c.address AS c_address, c.phone AS c_phone, c.domain AS c_domain, " +
  "c.reminder_templates AS c_templates, v.url AS video_url " +
  "FROM reminders r INDEXED BY reminders_doctor_due_idx JOIN clinics c ON c.id = r.clinic_id " +
  "LEFT JOIN appointments a ON a.id = r.appointment_id LEFT JOIN doctors d ON d.id = a.doctor_id " +
  "LEFT JOIN patients p ON p.id = a.patient_id LEFT JOIN appointment_video v ON v.appointment_id = r.appointment_id " +
  "WHERE r.doctor_id = ? AND r.state = 'pending' AND r.due_at <= ? ORDER BY r.due_at LIMIT ?";

/** Why a due reminder must not go out any more (the appointment changed under it), or null. */
export function staleReason(r: DueRow, now: number): string | null {
  if (r.a_status == null) return "the appointment no longer exists";
  if (r.a_status !== "scheduled" && r.a_status !== "confirmed") return `the appointment is ${r.a_status}`;
  if (r.a_start !== r.start_ms) return "the appointment was moved";
  if (r.a_start <= now) return "the appointment has started";
  if (r.channel === "sms" && r.p_sms_consent !== 1) return "no SMS consent";
  if (r.channel === "email" && !r.p_email) return "no e-mail address";
  return null;
}

async function varsOf(env: Env, r: DueRow, link: string): Promise<ReminderVars> {
  const { date, time } = clinicDateTime(r.a_start!, r.c_zone);
  const jwt = env.JITSI_APP_ID && env.JITSI_APP_SECRET ? { appId: env.JITSI_APP_ID, secret: env.JITSI_APP_SECRET } : null;
  const where = r.video_url ? `Video visit: ${await joinUrl(r.video_url, r.a_end!, jwt)}` : r.c_address ? `Address: ${r.c_address}` : "";
  return { clinic: r.c_name, doctor: r.doctor_name ?? "", date, time, timeZone: r.c_zone, where, link, phone: r.c_phone || "the clinic" };
}

/** Renders and sends one claimed reminder with its personal link; returns the provider's message id (SMS) or null (e-mail). Throws on failure. */
async function sendOne(env: Env, r: DueRow, linkUrl: string): Promise<string | null> {
  const vars = await varsOf(env, r, linkUrl);
  const templates = effectiveReminderTemplates(r.c_templates);
  if (r.channel === "email") {
    const sender = emailSenderFor(env);
    if (!sender) throw new SmsSendError("No EMAIL (send_email) binding is configured.", false);
    const from = env.EMAIL_FROM || `calendar@${r.c_domain}`;
    const m = renderReminderEmail(templates, vars);
    const raw = buildReminderMime({ from: { name: r.c_name, addr: from }, to: r.p_email!, ...m, reminderId: r.id, domain: from.split("@")[1] ?? r.c_domain });
    await sender.send({ from, to: r.p_email!, raw });
    return null;
  }
  const sms = smsProviderFor(env);
  if (!sms) throw new SmsSendError("SMS is not set up on this server (TWILIO_* settings).", false);
  const to = toE164(r.p_phone ?? "", env.SMS_DEFAULT_COUNTRY_CODE);
  if (!to) throw new SmsSendError("The patient's phone number cannot be written in international form (+country code).", false);
  const base = (env.WEBHOOK_BASE_URL ?? env.APP_URL).replace(/\/+$/, "");
  const res = await sms.send({ to, body: renderSms(templates, vars), statusCallback: `${base}/api/webhooks/twilio/status` });
  return res.id;
}

/** Runs fn over items with at most `limit` in flight (provider calls of one batch go out together). */
async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => { while (i < items.length) await fn(items[i++]); }));
}

/**
 * One run for a doctor: due rows are read and claimed in two statements, links issued in one
 * batch, the sends made concurrently (SEND_CONCURRENCY at a time), and every outcome written in
 * one final batch — so a batch of 50 reminders costs a handful of D1 round trips, not 150.
 */
export async function drainReminders(env: Env, doctorId: string, now = Date.now()): Promise<number | null> {
  const d1 = env.DB;
  const [, due] = await d1.batch([
    // Sends that never reported back: outcome unknown, never repeated.
    d1
      .prepare("UPDATE reminders SET state = 'unknown', last_error = 'the send did not finish; not repeated so the patient is not messaged twice' WHERE doctor_id = ? AND state = 'sending' AND claimed_at < ?")
      .bind(doctorId, now - LEASE_MS),
    d1.prepare(DUE_SQL).bind(doctorId, now, BATCH),
  ]);
  const rows = due.results as DueRow[];
  if (rows.length) {
    // Claim: only rows still pending are ours (another run may have taken some).
    const claimed = await d1
      .prepare("UPDATE reminders SET state = 'sending', claimed_at = ?, attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending' AND due_at <= ? RETURNING id")
      .bind(now, JSON.stringify(rows.map((r) => r.id)), now)
      .all<{ id: string }>();
    const mine = new Set(claimed.results.map((r) => r.id));
    const outcome: D1PreparedStatement[] = [];
    const toSend: { r: DueRow; url: string }[] = [];
    const links: D1PreparedStatement[] = [];
    for (const r of rows) {
      if (!mine.has(r.id)) continue;
      const stale = staleReason(r, now);
      if (stale) {
        outcome.push(d1.prepare("UPDATE reminders SET state = 'skipped', last_error = ? WHERE id = ?").bind(stale, r.id));
        continue;
      }
      const link = await issuePatientLink(d1, env.APP_URL, { clinicId: r.clinic_id, appointmentId: r.appointment_id, endMs: r.a_end! }, now);
      links.push(link.statement);
      toSend.push({ r, url: link.url });
    }
    if (links.length) await d1.batch(links);
    await pool(toSend, SEND_CONCURRENCY, async ({ r, url }) => {
      try {
        const providerId = await sendOne(env, r, url);
        outcome.push(d1.prepare("UPDATE reminders SET state = 'sent', sent_at = ?, provider_id = ?, last_error = NULL WHERE id = ? AND state = 'sending'").bind(Date.now(), providerId, r.id));
      } catch (err) {
        outcome.push(...failureStatements(d1, r, err, now));
      }
    });
    if (outcome.length) await d1.batch(outcome);
  }
  if (rows.length === BATCH) return Date.now();
  const next = await d1.prepare("SELECT min(due_at) AS at FROM reminders WHERE doctor_id = ? AND state = 'pending'").bind(doctorId).first<{ at: number | null }>();
  return next?.at ?? null;
}

function failureStatements(d1: D1Database, r: DueRow, err: unknown, now: number): D1PreparedStatement[] {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
  const e = err instanceof SmsSendError ? err : null;
  const attempts = r.attempts + 1;
  const retryAt = now + Math.max(BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length) - 1], e?.retryAfterMs ?? 0);
  // Anything that is not a known permanent error (a provider 4xx) is worth another try.
  const retryable = e ? e.retryable : true;
  if (retryable && attempts < MAX_ATTEMPTS && retryAt < r.a_start!)
    return [d1.prepare("UPDATE reminders SET state = 'pending', due_at = ?, last_error = ? WHERE id = ?").bind(retryAt, message, r.id)];
  const stmts = [
    d1.prepare("UPDATE reminders SET state = 'failed', last_error = ? WHERE id = ?").bind(message, r.id),
    toD1(d1, auditInsert(makeDb(d1), r.clinic_id, systemActor("reminders"), "reminder.failed", "appointment", r.appointment_id, { channel: r.channel, attempts, error: message })),
  ];
  // The provider says the number opted out (replied STOP): record it, so no SMS is planned again.
  if (e?.optedOut)
    stmts.push(
      d1.prepare("UPDATE patients SET sms_consent = 0, sms_consent_at = ?, sms_consent_source = 'twilio:21610' WHERE id = (SELECT patient_id FROM appointments WHERE id = ?)").bind(now, r.appointment_id),
    );
  return stmts;
}


export const reminderWork: HubWork = {
  name: "reminders",
  run: (ctx) => drainReminders(ctx.env, ctx.doctorId),
};
