// Invite e-mails: queued transactionally with the appointment change, sent in
// the background by the doctor's DoctorHub.
//
// 1. inviteEmailEffect (registered in worker/features.ts) adds an
//    email_outbox row to the change's own D1 batch, so an invite is queued if
//    and only if the change commits:
//      create (active)                       → REQUEST
//      reschedule / other doctor / type /
//      back to scheduled or confirmed        → REQUEST (same UID, SEQUENCE = version - 1)
//      cancel                                → CANCEL
//      patient replaced                      → CANCEL to the old patient, REQUEST to the new one
//      completed / no_show / notes / reason  → nothing
//    Changes that arrive from an .ics import (origin "ics") send nothing; a hard
//    delete (admin) sends nothing either: the row is gone, cancel first.
//    The recipient is read inside the INSERT … SELECT from patients, so the effect
//    does no read of its own; patients without an e-mail get no row.
// 2. inviteEmailWork (registered in worker/features.ts) runs single-flight in
//    the appointment's doctor's hub after each change and on alarms: it renders
//    the invite from the appointment as it is now (with the row's METHOD and
//    SEQUENCE), sends it, and marks the row. Failures retry with backoff
//    (1 min, 5 min, 30 min, 2 h, 6 h); after MAX_ATTEMPTS the row is "failed",
//    an audit entry "email.failed" is written, and GET /api/appointments/:id/invites
//    shows it — nothing is dropped silently.
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { AppointmentChange, ChangeEffect } from "../appointments/effects";
import type { Appointment } from "../appointments/model";
import { auditInsert, systemActor } from "../db/audit";
import { makeDb, toD1 } from "../db/client";
import type { Env } from "../env";
import type { HubWork } from "../hub/work";
import { loadAppointment, loadClinic } from "../ics/data";
import { renderCalendar, typeLabel } from "../ics/render";
import { buildInviteMime } from "./mime";
import { emailSenderFor } from "./sender";
import { clinicDateTime, effectiveTemplates, renderMessage } from "./templates";
import { issuePatientLink } from "../patient-links/links";
import { coalescedOrigin, queueCoalescedUpdate } from "./coalesce";

/** The patient's personal confirm/cancel page for a REQUEST; a CANCEL has nothing to act on, so it links to the app. */
async function patientLinkFor(env: Env, row: OutboxRow, endMs: number): Promise<string> {
  if (row.method !== "REQUEST") return env.APP_URL;
  const link = await issuePatientLink(env.DB, env.APP_URL, { clinicId: row.clinic_id, appointmentId: row.appointment_id, endMs });
  await link.statement.run();
  return link.url;
}

export const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000];
export const MAX_ATTEMPTS = BACKOFF_MS.length + 1;
const BATCH = 25;
/** A send in flight holds its row this long; a crash mid-send retries after it. */
const LEASE_MS = 10 * 60_000;

type Method = "REQUEST" | "CANCEL";

function queue(db: Parameters<ChangeEffect>[0], a: Appointment, patientId: string, method: Method): BatchItem<"sqlite"> {
  return db.run(sql`INSERT INTO email_outbox (clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, created_at)
    SELECT ${a.clinicId}, ${a.id}, ${method}, ${Math.max(0, a.version - 1)}, email, 'pending', 0, 0, ${Date.now()}
    FROM patients WHERE id = ${patientId} AND clinic_id = ${a.clinicId} AND email <> ''`);
}

const active = (a: Appointment) => a.status !== "cancelled";

/** Which invites a change calls for (pure; exported for tests). */
export function invitesFor(change: AppointmentChange): { method: Method; patientId: string }[] {
  const { before, after } = change;
  if (change.origin === "ics" || !after) return [];
  if (!active(after)) return before && active(before) ? [{ method: "CANCEL", patientId: before.patientId }] : [];
  if (!before || !active(before)) return [{ method: "REQUEST", patientId: after.patientId }];
  if (before.patientId !== after.patientId)
    return [
      { method: "CANCEL", patientId: before.patientId },
      { method: "REQUEST", patientId: after.patientId },
    ];
  const moved = before.start !== after.start || before.end !== after.end || before.doctorId !== after.doctorId;
  const retyped = before.type !== after.type;
  const restatused = before.status !== after.status && (after.status === "scheduled" || after.status === "confirmed");
  return moved || retyped || restatused ? [{ method: "REQUEST", patientId: after.patientId }] : [];
}

export const inviteEmailEffect: ChangeEffect = (db, change) =>
  invitesFor(change).flatMap((i) =>
    // A move made in the doctor's own calendar: one e-mail per few minutes, latest time (./coalesce.ts).
    i.method === "REQUEST" && change.before && active(change.before) && coalescedOrigin(change.origin)
      ? queueCoalescedUpdate(db, change.after!, i.patientId)
      : [queue(db, change.after!, i.patientId, i.method)],
  );

interface OutboxRow {
  id: number;
  clinic_id: string;
  appointment_id: string;
  method: Method;
  sequence: number;
  to_address: string;
  attempts: number;
}

/** Renders and sends one outbox row; throws on failure. */
export async function sendInvite(env: Env, row: OutboxRow): Promise<void> {
  const sender = emailSenderFor(env);
  if (!sender) throw new Error("No EMAIL (send_email) binding is configured.");
  const [clinic, appt] = await Promise.all([loadClinic(env.DB, row.clinic_id), loadAppointment(env.DB, row.clinic_id, row.appointment_id)]);
  if (!clinic || !appt) throw new Error("The appointment no longer exists.");
  const from = env.EMAIL_FROM || `calendar@${clinic.domain}`;
  // The row's SEQUENCE wins: it is the version this invite announces.
  const invite = { ...appt, version: row.sequence + 1, patientEmail: row.to_address };
  const ics = renderCalendar({
    clinic,
    appointments: [invite],
    privacy: "full", // the patient's own invite: their own name and their doctor only
    appUrl: env.APP_URL,
    method: row.method,
    organizer: { name: clinic.name, email: from },
    stampMs: Date.now(),
  });
  const { date, time } = clinicDateTime(appt.startMs, clinic.timeZone);
  const message = renderMessage(effectiveTemplates(clinic.emailTemplates), row.method === "CANCEL" ? "cancel" : "request", {
    clinic: clinic.name,
    doctor: appt.doctorName,
    patient: appt.patientName,
    type: typeLabel(appt.type).toLowerCase(),
    date,
    time,
    timeZone: clinic.timeZone,
    address: clinic.address,
    link: await patientLinkFor(env, row, appt.endMs),
  });
  const { raw } = buildInviteMime({
    from: { name: clinic.name, addr: from },
    to: row.to_address,
    subject: message.subject,
    text: message.text,
    html: message.html,
    ics,
    method: row.method,
    domain: from.split("@")[1] ?? clinic.domain,
  });
  await sender.send({ from, to: row.to_address, raw });
}

export async function drainInvites(env: Env, doctorId: string, now = Date.now()): Promise<number | null> {
  const { results } = await env.DB.prepare(
    "SELECT o.id, o.clinic_id, o.appointment_id, o.method, o.sequence, o.to_address, o.attempts FROM email_outbox o " +
      "JOIN appointments a ON a.id = o.appointment_id WHERE a.doctor_id = ? AND o.state = 'pending' AND o.next_attempt_at <= ? " +
      "ORDER BY o.id LIMIT ?",
  )
    .bind(doctorId, now, BATCH)
    .all<OutboxRow>();
  const db = makeDb(env.DB);
  for (const row of results) {
    // Lease the row before sending: if the appointment moved to another doctor, that
    // doctor's hub may see the same row; only the one whose UPDATE wins sends it.
    const claim = await env.DB.prepare("UPDATE email_outbox SET next_attempt_at = ? WHERE id = ? AND state = 'pending' AND next_attempt_at <= ?")
      .bind(now + LEASE_MS, row.id, now)
      .run();
    if (claim.meta.changes !== 1) continue;
    try {
      await sendInvite(env, row);
      await env.DB.prepare("UPDATE email_outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?")
        .bind(Date.now(), row.id)
        .run();
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      const attempts = row.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) {
        await env.DB.batch([
          env.DB.prepare("UPDATE email_outbox SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?").bind(attempts, message, row.id),
          // The audit entry carries no address or names: just what failed and why.
          toD1(env.DB, auditInsert(db, row.clinic_id, systemActor("email"), "email.failed", "appointment", row.appointment_id, {
            method: row.method,
            sequence: row.sequence,
            attempts,
            error: message,
          })),
        ]);
      } else {
        await env.DB.prepare("UPDATE email_outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?")
          .bind(attempts, message, Date.now() + BACKOFF_MS[attempts - 1], row.id)
          .run();
      }
    }
  }
  // More than one batch due: come back at once; otherwise at the earliest retry.
  if (results.length === BATCH) return Date.now();
  const next = await env.DB.prepare(
    "SELECT min(o.next_attempt_at) AS at FROM email_outbox o JOIN appointments a ON a.id = o.appointment_id WHERE a.doctor_id = ? AND o.state = 'pending'",
  )
    .bind(doctorId)
    .first<{ at: number | null }>();
  return next?.at ?? null;
}


export const inviteEmailWork: HubWork = {
  name: "invite-email",
  run: (ctx) => drainInvites(ctx.env, ctx.doctorId),
};

export interface InviteStatus {
  id: number;
  method: Method;
  sequence: number;
  to: string;
  state: "pending" | "sent" | "failed";
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
}

export async function invitesOf(d1: D1Database, clinicId: string, appointmentId: string): Promise<InviteStatus[]> {
  const { results } = await d1
    .prepare(
      "SELECT id, method, sequence, to_address, state, attempts, last_error, created_at, sent_at, next_attempt_at FROM email_outbox " +
        "WHERE appointment_id = ? AND clinic_id = ? ORDER BY id",
    )
    .bind(appointmentId, clinicId)
    .all<{
      id: number;
      method: Method;
      sequence: number;
      to_address: string;
      state: "pending" | "sent" | "failed";
      attempts: number;
      last_error: string | null;
      created_at: number;
      sent_at: number | null;
      next_attempt_at: number;
    }>();
  return results.map((r) => ({
    id: r.id,
    method: r.method,
    sequence: r.sequence,
    to: r.to_address,
    state: r.state,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: new Date(r.created_at).toISOString(),
    sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
    nextAttemptAt: r.state === "pending" ? new Date(r.next_attempt_at).toISOString() : null,
  }));
}
