// Twilio webhooks (no session; every request must carry a valid X-Twilio-Signature computed
// over the public URL Twilio called — WEBHOOK_BASE_URL (default APP_URL) + path + query — and
// the POST parameters; anything else → 403 and nothing done):
//   POST /api/webhooks/twilio/sms     an inbound text: STOP/START/HELP, "C" confirm, "X" cancel, "R" reschedule link
//   POST /api/webhooks/twilio/status  delivery status of a reminder we sent (StatusCallback)
import { type Context, Hono } from "hono";
import type { AppEnv, Env } from "../env";
import { errorBody } from "../errors";
import { clinicDateTime } from "../email/templates";
import { patientAction } from "../patient-links/actions";
import { rescheduleLinkReply } from "../patient-links/reschedule-sms";
import { consentOffStatements, replanPatients } from "../reminders/replan";
import { storedDigitCandidates } from "../sms/phone";
import { classifyReply } from "../sms/replies";
import { verifyTwilioSignature } from "../sms/twilio";

export const twilioWebhookRoutes = new Hono<AppEnv>();

const MAX_FORM_BYTES = 16 * 1024;

/** The verified form parameters, or null (unsigned, wrong signature, not configured, too big). */
async function verifiedForm(c: Context<AppEnv>): Promise<URLSearchParams | null> {
  const token = c.env.TWILIO_AUTH_TOKEN;
  if (!token) return null;
  const raw = new TextDecoder().decode(await c.req.arrayBuffer());
  if (raw.length > MAX_FORM_BYTES) return null;
  const params = new URLSearchParams(raw);
  const url = new URL(c.req.url);
  const publicUrl = (c.env.WEBHOOK_BASE_URL ?? c.env.APP_URL).replace(/\/+$/, "") + url.pathname + url.search;
  return (await verifyTwilioSignature(token, publicUrl, params, c.req.header("x-twilio-signature"))) ? params : null;
}

/** The answer when a reply could mean more than one appointment: nothing done, nothing named. */
export const AMBIGUOUS = "We could not tell which appointment you mean. Please use the link in your reminder to confirm, cancel or change it. Reply STOP to stop texts.";

const forbidden = (c: Context<AppEnv>) => c.json(errorBody("invalid_signature", "The request is not signed by Twilio."), 403);

const xml = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch]!);
const twiml = (c: Context<AppEnv>, message: string | null) =>
  c.body(`<?xml version="1.0" encoding="UTF-8"?><Response>${message ? `<Message>${xml(message)}</Message>` : ""}</Response>`, 200, { "content-type": "text/xml" });

interface PhonePatient {
  id: string;
  clinic_id: string;
  sms_consent: number;
}

async function patientsByPhone(env: Env, from: string): Promise<PhonePatient[]> {
  const candidates = storedDigitCandidates(from, { callingCode: env.SMS_DEFAULT_COUNTRY_CODE });
  if (!candidates.length) return [];
  const { results } = await env.DB.prepare(`SELECT id, clinic_id, sms_consent FROM patients WHERE phone_digits IN (${candidates.map(() => "?").join(",")}) LIMIT 20`)
    .bind(...candidates)
    .all<PhonePatient>();
  return results;
}

twilioWebhookRoutes.post("/sms", async (c) => {
  const form = await verifiedForm(c);
  if (!form) return forbidden(c);
  const from = form.get("From") ?? "";
  const intent = classifyReply(form.get("Body") ?? "");
  const patients = await patientsByPhone(c.env, from);
  const now = Date.now();
  if (intent === "stop" || intent === "start") {
    // Consent belongs to the number: every patient record with it follows the reply. STOP skips
    // their pending SMS reminders in the same batch; START plans them again for appointments
    // already booked.
    if (patients.length && intent === "stop") await c.env.DB.batch(patients.flatMap((p) => consentOffStatements(c.env.DB, "?", [p.id], "sms:STOP", now)));
    if (patients.length && intent === "start") {
      await c.env.DB.batch(
        patients.map((p) => c.env.DB.prepare("UPDATE patients SET sms_consent = 1, sms_consent_at = ?, sms_consent_source = 'sms:START' WHERE id = ?").bind(now, p.id)),
      );
      for (const clinicId of new Set(patients.map((p) => p.clinic_id)))
        await replanPatients(c.env.DB, clinicId, patients.filter((p) => p.clinic_id === clinicId).map((p) => p.id), now);
    }
    // Twilio answers STOP/START itself on most numbers: no second reply from us.
    return twiml(c, null);
  }
  // C/X/R and HELP act only for patients who agreed to texts (the only ones we text), and only
  // when the reply can mean exactly one appointment. One number may belong to several patients
  // (a parent's, on each child) in several clinics: replying to one reminder must never confirm,
  // cancel or reveal another patient's visit. What the reply could mean, per consenting patient:
  // their next upcoming appointment, and any later one they already got an SMS reminder for (at
  // its present time: a reminder sent before staff moved the visit behind the next one is about
  // a time that is gone, and kept every reply of a weekly series "ambiguous" until it passed).
  // More than one (two patients, two clinics, or a reminder for a visit that is not the next)
  // → nothing is done, and the answer names no clinic, date or patient.
  const consenting = patients.filter((p) => p.sms_consent === 1);
  if (!consenting.length) return twiml(c, null);
  const ids = consenting.map((p) => p.id);
  const marks = ids.map(() => "?").join(",");
  const { results: meant } = await c.env.DB.prepare(
    `SELECT a.id, a.clinic_id, a.patient_id, a.start_ms, c.time_zone, c.name, c.phone FROM appointments a JOIN clinics c ON c.id = a.clinic_id
     WHERE a.patient_id IN (${marks}) AND a.status IN ('scheduled','confirmed') AND a.start_ms > ?
       AND (a.start_ms = (SELECT MIN(b.start_ms) FROM appointments b WHERE b.patient_id = a.patient_id AND b.status IN ('scheduled','confirmed') AND b.start_ms > ?)
            OR EXISTS (SELECT 1 FROM reminders r WHERE r.appointment_id = a.id AND r.kind = 'reminder' AND r.start_ms = a.start_ms
                       AND r.channel = 'sms' AND r.state IN ('sending','sent','delivered','unknown')))
     ORDER BY a.start_ms LIMIT 2`,
  )
    .bind(...ids, now, now)
    .all<{ id: string; clinic_id: string; patient_id: string; start_ms: number; time_zone: string; name: string; phone: string }>();
  if (!meant.length) return twiml(c, null);
  if (meant.length > 1) return twiml(c, AMBIGUOUS);
  const next = meant[0]!;
  if (intent === "help" || intent === "other") {
    const call = next.phone ? ` Call ${next.phone}.` : "";
    return twiml(c, `${next.name}: reply C to confirm or X to cancel your next appointment, R to choose another time, STOP to stop texts.${call}`);
  }
  if (intent === "reschedule") return twiml(c, await rescheduleLinkReply(c.env, next, now));
  const { date, time } = clinicDateTime(next.start_ms, next.time_zone);
  const r = await patientAction(c.env, { clinicId: next.clinic_id, appointmentId: next.id, patientId: next.patient_id }, intent, "sms", now);
  if (!r.ok) return twiml(c, `${next.name}: ${r.message}`);
  return twiml(c, `${next.name}: your appointment on ${date} at ${time} is ${intent === "confirm" ? "confirmed" : "cancelled"}.`);
});

const DELIVERED = new Set(["delivered"]);
const FAILED = new Set(["failed", "undelivered"]);

twilioWebhookRoutes.post("/status", async (c) => {
  const form = await verifiedForm(c);
  if (!form) return forbidden(c);
  const sid = form.get("MessageSid") ?? "";
  const status = form.get("MessageStatus") ?? "";
  // Our StatusCallback names the reminder (?r=<id>, covered by the signature); the message id
  // must match too. A callback without it (a message sent before 0014) is acknowledged and
  // ignored: looking it up by provider_id would scan the table (that index is gone).
  const reminderId = new URL(c.req.url).searchParams.get("r") ?? "";
  if (!sid || !/^[0-9a-f]{32}$/.test(reminderId)) return c.body(null, 204);
  // 'unknown' too: a send that timed out on our side may still be reported delivered.
  if (DELIVERED.has(status))
    await c.env.DB.prepare("UPDATE reminders SET state = 'delivered', delivered_at = ?1, provider_id = ?2 WHERE id = ?3 AND (provider_id = ?2 OR provider_id IS NULL OR provider_id = '') AND state IN ('sent','unknown')")
      .bind(Date.now(), sid, reminderId)
      .run();
  else if (FAILED.has(status))
    await c.env.DB.prepare("UPDATE reminders SET state = 'failed', last_error = ?1, provider_id = ?2 WHERE id = ?3 AND (provider_id = ?2 OR provider_id IS NULL OR provider_id = '') AND state IN ('sent','unknown')")
      .bind(`delivery ${status}${form.get("ErrorCode") ? ` (error ${form.get("ErrorCode")})` : ""}`, sid, reminderId)
      .run();
  return c.body(null, 204);
});
