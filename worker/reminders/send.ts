// Sends due reminders from the appointment's doctor's DoctorHub (registered in
// worker/features.ts): the hub's alarm is set to the earliest pending reminder, so nothing
// scans the whole table every minute; each run reads only this doctor's due rows.
//
// Exactly once: a row is claimed (pending → sending, one conditional UPDATE) before anything is
// sent, and only the claimer sends. A send whose outcome we cannot know — the Worker died
// mid-send, Twilio answered after our timeout, the connection dropped after the request went
// out — is NEVER repeated: it ends 'unknown' (the cron turns a claim left behind by a crash
// into 'unknown' after the lease, ./cron.ts) and shows so on the appointment. Only an answer
// that proves nothing was sent (Twilio 429/503) retries, with backoff, inside the clinic's
// current quiet-hour rules, while the appointment has not started; then 'failed'.
//
// Cost (issue #18; `npm run bench`): per reminder one index entry read (the due query reads the
// covering partial index reminders_pending_idx alone), one claim that reads the row and its
// appointment (the check that the appointment is still active at the same start is folded into
// the claim's WHERE), and one write per state change (pending → sending → sent/skipped/…).
// The patient link is derived from the reminder id (patient-links/links.ts), not stored.
// Clinic settings and the doctor's name are read once per 30 s (contextOf).
// SMS consent and the address are the patient's as of the last change: every change of consent,
// phone or e-mail re-plans the pending reminders in the same D1 batch (./replan.ts).
import type { Env } from "../env";
import type { HubWork } from "../hub/work";
import { reminderLinkUrl } from "../patient-links/links";
import { clinicDateTime } from "../email/templates";
import { emailSenderFor } from "../email/sender";
import { SmsSendError, smsProviderFor } from "../sms/provider";
import { toE164 } from "../sms/phone";
import { joinUrl } from "../video/jitsi";
import { buildReminderMime } from "./email";
import { effectiveReminderTemplates, type ReminderVars, renderReminderEmail, renderSms } from "./messages";
import { ROW_OK, failureStatements, skipStaleStatement } from "./outcome";
import { renderNpsEmail, renderNpsSms, sendDeadline } from "./nps-follow-up";
import type { BatchContext, DueRow } from "./due";
import { inQuietHours, quietEnd } from "./plan";

export { BACKOFF_MS, MAX_ATTEMPTS } from "./outcome";
const BATCH = 50;
const SEND_CONCURRENCY = 10;
export const LEASE_MS = 10 * 60_000;

// Reads reminders_pending_idx only (every column of reminders is in the index); the video link
// is a primary-key probe that reads a row only for video visits (a miss reads none).
const DUE_SQL =
  "SELECT r.rowid AS rid, r.id, r.clinic_id, r.appointment_id, r.channel, r.start_ms, r.end_ms, r.attempts, r.to_address, r.kind, v.url AS video " +
  "FROM reminders r INDEXED BY reminders_pending_idx LEFT JOIN appointment_video v ON v.appointment_id = r.appointment_id " +
  "WHERE r.doctor_id = ? AND r.state = 'pending' AND r.due_at <= ? ORDER BY r.due_at LIMIT ?";

const CONTEXT_SQL =
  "SELECT d.name AS doctor, c.name AS clinic, c.time_zone AS zone, c.address, c.phone, c.domain, c.reminder_templates AS templates, " +
  "c.country, c.quiet_start_min, c.quiet_end_min FROM doctors d JOIN clinics c ON c.id = d.clinic_id WHERE d.id = ?";

/** The claim: still pending and due, with an address, and its appointment as planned. Reads the row and the appointment. */
const CLAIM_SQL =
  `UPDATE reminders SET state = 'sending', claimed_at = ?1, attempts = attempts + 1 ` +
  `WHERE rowid = ?2 AND state = 'pending' AND due_at <= ?1 AND to_address IS NOT NULL AND ${ROW_OK}`;

async function varsOf(env: Env, r: DueRow, ctx: BatchContext, link: string): Promise<ReminderVars> {
  const video = r.video;
  const { date, time } = clinicDateTime(r.start_ms, ctx.zone);
  const jwt = env.JITSI_APP_ID && env.JITSI_APP_SECRET ? { appId: env.JITSI_APP_ID, secret: env.JITSI_APP_SECRET } : null;
  const where = video ? `Video visit: ${await joinUrl(video, r.end_ms, jwt)}` : ctx.address ? `Address: ${ctx.address}` : "";
  return { clinic: ctx.clinic, doctor: ctx.doctor, date, time, timeZone: ctx.zone, where, link, phone: ctx.phone || "the clinic" };
}

/** Renders and sends one claimed reminder; returns the provider's message id (SMS) or null (e-mail). Throws on failure. */
async function sendOne(env: Env, r: DueRow, ctx: BatchContext): Promise<string | null> {
  const link = await reminderLinkUrl(env.SESSION_SECRET, env.APP_URL, r.id);
  // The NPS follow-up says the clinic and the link, nothing else (./nps-follow-up.ts).
  const nps = r.kind === "nps";
  const vars = nps ? null : await varsOf(env, r, ctx, link);
  const templates = effectiveReminderTemplates(ctx.templates);
  if (r.channel === "email") {
    const sender = emailSenderFor(env);
    if (!sender) throw new SmsSendError("No EMAIL (send_email) binding is configured.", "permanent");
    const from = env.EMAIL_FROM || `calendar@${ctx.domain}`;
    const m = vars ? renderReminderEmail(templates, vars) : renderNpsEmail({ clinic: ctx.clinic, link });
    const raw = buildReminderMime({ from: { name: ctx.clinic, addr: from }, to: r.to_address!, ...m, reminderId: r.id, domain: from.split("@")[1] ?? ctx.domain });
    await sender.send({ from, to: r.to_address!, raw });
    return null;
  }
  const sms = smsProviderFor(env);
  if (!sms) throw new SmsSendError("SMS is not set up on this server (TWILIO_* settings).", "permanent");
  const to = toE164(r.to_address ?? "", { country: ctx.country, callingCode: env.SMS_DEFAULT_COUNTRY_CODE });
  if (!to) throw new SmsSendError("The patient's phone number cannot be written in international form (+country code).", "permanent");
  const base = (env.WEBHOOK_BASE_URL ?? env.APP_URL).replace(/\/+$/, "");
  // The callback names the reminder, so delivery reports need no index on the provider's id.
  const res = await sms.send({ to, body: vars ? renderSms(templates, vars) : renderNpsSms({ clinic: ctx.clinic, link }), statusCallback: `${base}/api/webhooks/twilio/status?r=${r.id}` });
  return res.id;
}

/**
 * The doctor's name and the clinic's settings, kept for CONTEXT_TTL_MS in this isolate (the
 * doctor's hub: one per doctor), so a burst of batches reads them once, not once per 50
 * reminders. A settings change reaches sends within that time; its re-plan (./replan.ts) has
 * already moved the planned times.
 */
const CONTEXT_TTL_MS = 30_000;
const contexts = new Map<string, { ctx: BatchContext; until: number }>();
async function contextOf(d1: D1Database, doctorId: string): Promise<BatchContext | null> {
  const hit = contexts.get(doctorId);
  const wall = Date.now();
  if (hit && hit.until > wall) return hit.ctx;
  const c = await d1.prepare(CONTEXT_SQL).bind(doctorId).first<Omit<BatchContext, "quiet"> & { quiet_start_min: number; quiet_end_min: number }>();
  if (!c) return null;
  const { quiet_start_min, quiet_end_min, ...rest } = c;
  const ctx: BatchContext = { ...rest, quiet: { startMin: quiet_start_min, endMin: quiet_end_min } };
  contexts.set(doctorId, { ctx, until: wall + CONTEXT_TTL_MS });
  return ctx;
}

/** Tests: forget cached clinic settings (a test that changes them behind the API's back). */
export function forgetReminderContexts(): void {
  contexts.clear();
}

/** Runs fn over items with at most `limit` in flight (provider calls of one batch go out together). */
async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => { while (i < items.length) await fn(items[i++]); }));
}

/**
 * SMS rows that would go out inside the clinic's quiet hours as they are NOW (rules may have
 * changed since planning): moved to the end of the quiet span, or skipped when that is past the
 * row's deadline (the appointment's start; for an NPS follow-up the end of its send window).
 * Not claimed, so nothing is sent.
 */
function holdForQuietHours(d1: D1Database, rows: DueRow[], ctx: BatchContext, now: number): { held: Set<string>; stmts: D1PreparedStatement[] } {
  const held = new Set<string>();
  const stmts: D1PreparedStatement[] = [];
  if (!rows.some((r) => r.channel === "sms") || !inQuietHours(now, ctx.quiet, ctx.zone)) return { held, stmts };
  const end = quietEnd(now, ctx.quiet, ctx.zone);
  // Never hold to a time already past: the row would be due again at once and the hub would
  // re-arm its alarm in a loop until the span ends. (quietEnd is after `now`; this keeps it so.)
  if (!(end > now)) return { held, stmts };
  for (const r of rows) {
    if (r.channel !== "sms") continue;
    held.add(r.id);
    stmts.push(
      end < sendDeadline(r)
        ? d1.prepare("UPDATE reminders SET due_at = ? WHERE rowid = ? AND state = 'pending'").bind(end, r.rid)
        : d1.prepare("UPDATE reminders SET state = 'skipped', last_error = 'quiet hours last past the time it may go', to_address = NULL WHERE rowid = ? AND state = 'pending'").bind(r.rid),
    );
  }
  return { held, stmts };
}

/**
 * One run for a doctor: due rows read from the index, clinic/doctor/video read once, every row
 * claimed in one batch, the sends made concurrently (SEND_CONCURRENCY at a time), and every
 * outcome written in one final batch.
 */
export async function drainReminders(env: Env, doctorId: string, now = Date.now(), read?: D1Result[]): Promise<number | null> {
  const d1 = env.DB;
  const nextStatement = () => d1.prepare(NEXT_SQL).bind(doctorId);
  // The due rows and the next due time in one round trip, shared with the hub's other work
  // (hub/work.ts): a run with nothing due (every run after a booking) adds no round trip (issue #18).
  const [due, nextNow] = read ?? (await d1.batch(reminderReads(d1, doctorId, now)));
  const rows = due.results as DueRow[];
  let next = (nextNow.results[0] as { at: number } | undefined)?.at ?? null;
  if (rows.length) {
    const ctx = await contextOf(d1, doctorId);
    if (!ctx) return null; // the doctor is gone; their rows are dropped with their appointments

    const { held, stmts: holds } = holdForQuietHours(d1, rows, ctx, now);
    const candidates = rows.filter((r) => !held.has(r.id));
    const claims = candidates.length ? await d1.batch(candidates.map((r) => d1.prepare(CLAIM_SQL).bind(now, r.rid))) : [];
    const outcome: D1PreparedStatement[] = [...holds];
    const toSend: DueRow[] = [];
    candidates.forEach((r, i) => {
      if (claims[i].meta.changes === 1) toSend.push(r);
      // Not claimed: another run has it (then this is a no-op), or it must not go any more.
      else outcome.push(skipStaleStatement(d1, r.rid, now));
    });
    await pool(toSend, SEND_CONCURRENCY, async (r) => {
      try {
        const providerId = await sendOne(env, r, ctx);
        outcome.push(
          d1.prepare("UPDATE reminders SET state = 'sent', sent_at = ?, provider_id = ?, last_error = NULL, to_address = NULL WHERE rowid = ? AND state = 'sending'")
            .bind(Date.now(), providerId, r.rid),
        );
      } catch (err) {
        outcome.push(...failureStatements(d1, r, ctx, err, now));
      }
    });
    // The outcomes and, after them, the next due time (retries included) in one batch.
    const res = await d1.batch([...outcome, nextStatement()]);
    next = (res[res.length - 1].results[0] as { at: number } | undefined)?.at ?? null;
  }
  if (rows.length === BATCH) return Date.now();
  return next;
}

const NEXT_SQL = "SELECT due_at AS at FROM reminders INDEXED BY reminders_pending_idx WHERE doctor_id = ? AND state = 'pending' ORDER BY due_at LIMIT 1";

const reminderReads = (d1: D1Database, doctorId: string, now: number) => [d1.prepare(DUE_SQL).bind(doctorId, now, BATCH), d1.prepare(NEXT_SQL).bind(doctorId)];

export const reminderWork: HubWork = {
  name: "reminders",
  reads: (ctx, now) => reminderReads(ctx.env.DB, ctx.doctorId, now),
  run: (ctx, read, now) => drainReminders(ctx.env, ctx.doctorId, now, read),
};
