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
//      patient replaced                      → CANCEL to the old patient, REQUEST to the new one;
//                                              the old patient's pending REQUESTs are superseded
//      completed / no_show / notes / reason  → nothing
//    Changes that arrive from an .ics import (origin "ics") send nothing; a hard
//    delete (admin) sends nothing either: the row is gone, cancel first.
//    The recipient is read inside the INSERT … SELECT from patients, so the effect
//    does no read of its own; patients without an e-mail get no row.
// 2. inviteEmailWork (registered in worker/features.ts) runs single-flight in
//    the appointment's doctor's hub after each change and on alarms: it renders
//    the invite from the appointment as it is now (with the row's METHOD and
//    SEQUENCE), sends it, and marks the row. A REQUEST to a patient who is no longer the
//    appointment's is not sent ('superseded'): it would show another patient's visit; a CANCEL
//    to them names no type and carries no video link. Failures retry with backoff
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
import { appointmentFromRow, appointmentSelect, CLINIC_COLUMNS, clinicFromRow, clinicStatement, type ClinicIcsRow } from "../ics/data";
import { type IcsAppointment, renderCalendar, typeLabel } from "../ics/render";
import { buildInviteMime } from "./mime";
import { emailSenderFor } from "./sender";
import { clinicDateTime, effectiveTemplates, renderMessage } from "./templates";
import { inviteLinkUrl } from "../patient-links/links";
import { coalescedOrigin, queueCoalescedUpdate } from "./coalesce";

export const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000];
export const MAX_ATTEMPTS = BACKOFF_MS.length + 1;
const BATCH = 25;
/** A send in flight holds its row this long; a crash mid-send retries after it. */
const LEASE_MS = 10 * 60_000;

type Method = "REQUEST" | "CANCEL";

/** `visit`: for a CANCEL, the appointment as its recipient had it (the change's before), stored on the row. */
function queue(db: Parameters<ChangeEffect>[0], a: Appointment, patientId: string, method: Method, visit?: Appointment | null): BatchItem<"sqlite"> {
  const v = method === "CANCEL" && visit ? visit : null;
  return db.run(sql`INSERT INTO email_outbox (clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, created_at, patient_id, start_ms, end_ms, doctor_id)
    SELECT ${a.clinicId}, ${a.id}, ${method}, ${Math.max(0, a.version - 1)}, email, 'pending', 0, 0, ${Date.now()}, id,
      ${v ? Date.parse(v.start) : null}, ${v ? Date.parse(v.end) : null}, ${v?.doctorId ?? null}
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

/**
 * The old patient's invites still waiting (a REQUEST held by ./coalesce.ts, or waiting for a
 * retry) once staff replaced the patient: they would go out rendered from the appointment as it
 * is now, the new patient's visit (time, type, video link, a working personal link). Rows from
 * before migration 0024 name no patient: those to the old patient's address.
 */
function supersedeFormerPatient(db: Parameters<ChangeEffect>[0], a: Appointment, formerPatientId: string): BatchItem<"sqlite"> {
  return db.run(sql`UPDATE email_outbox SET state = 'superseded', last_error = 'the patient was replaced'
    WHERE appointment_id = ${a.id} AND method = 'REQUEST' AND state = 'pending'
      AND (patient_id = ${formerPatientId}
        OR (patient_id IS NULL AND to_address = (SELECT email FROM patients WHERE id = ${formerPatientId} AND clinic_id = ${a.clinicId})))`);
}

export const inviteEmailEffect: ChangeEffect = (db, change) => {
  const { before, after } = change;
  const replaced = before && after && before.patientId !== after.patientId ? [supersedeFormerPatient(db, after, before.patientId)] : [];
  return [
    ...replaced,
    ...invitesFor(change).flatMap((i) =>
      // A move made in the doctor's own calendar: one e-mail per few minutes, latest time (./coalesce.ts).
      i.method === "REQUEST" && before && active(before) && coalescedOrigin(change.origin)
        ? queueCoalescedUpdate(db, after!, i.patientId)
        : [queue(db, after!, i.patientId, i.method, before)],
    ),
  ];
};

interface OutboxRow {
  id: number;
  clinic_id: string;
  appointment_id: string;
  method: Method;
  sequence: number;
  to_address: string;
  attempts: number;
  /** The patient the row is for (NULL on rows queued before migration 0024). */
  patient_id?: string | null;
}

/** What one invite is made of, read in the drain's one batch (or by sendInvite for a single row). */
interface InviteParts {
  clinic: ClinicIcsRow | null;
  appt: IcsAppointment | null;
  /** The patient's personal confirm/cancel page for a REQUEST; a CANCEL has nothing to act on, so it links to the app. */
  link: string;
  /** The name of the row's patient (null: unknown, e.g. the patient row is gone). */
  recipientName: string | null;
  /** The appointment's patient now (null: unknown). */
  apptPatientId: string | null;
  /** A CANCEL's visit as its recipient had it (the row's own columns; null: the appointment as it is now). */
  visit: Visit | null;
}

interface Visit {
  startMs: number;
  endMs: number;
  doctorId: string;
  doctorName: string;
}

/**
 * What an outbox row's invite is made of besides the clinic, in ONE select (appointmentSelect with
 * the row `o` joined): the appointment as it is now, the row's own patient's name (inviteName), the
 * appointment's patient (isFormerPatient) and a CANCEL's visit as it was with its doctor's name.
 */
const ROW_PART_JOINS =
  "LEFT JOIN patients rp ON rp.id = o.patient_id AND rp.clinic_id = o.clinic_id LEFT JOIN doctors vd ON vd.id = o.doctor_id AND vd.clinic_id = o.clinic_id";
const ROW_PART_COLUMNS =
  ", o.id AS outbox_id, rp.name AS recipient_name, a.patient_id AS appt_patient_id, " +
  "o.start_ms AS visit_start_ms, o.end_ms AS visit_end_ms, o.doctor_id AS visit_doctor_id, vd.name AS visit_doctor_name";

interface RowParts {
  outbox_id: number;
  recipient_name: string | null;
  appt_patient_id: string | null;
  visit_start_ms: number | null;
  visit_end_ms: number | null;
  visit_doctor_id: string | null;
  visit_doctor_name: string | null;
}

/** The invite parts of one row read with ROW_PART_COLUMNS (undefined: the appointment is gone). */
async function partsOf(env: Env, row: OutboxRow, clinic: ClinicIcsRow | null, r: RowParts | undefined): Promise<InviteParts> {
  const visit =
    r?.visit_start_ms != null && r.visit_end_ms != null && r.visit_doctor_id
      ? { startMs: r.visit_start_ms, endMs: r.visit_end_ms, doctorId: r.visit_doctor_id, doctorName: r.visit_doctor_name ?? "" }
      : null;
  return {
    clinic,
    appt: appointmentFromRow(r),
    link: await linkOf(env, row),
    recipientName: r?.recipient_name ?? null,
    apptPatientId: r?.appt_patient_id ?? null,
    visit,
  };
}

/**
 * Whether the row's recipient is no longer the appointment's patient (staff replaced the patient
 * after it was queued). Rows from before migration 0024 name no patient: their address is not the
 * appointment's patient's.
 */
export function isFormerPatient(row: Pick<OutboxRow, "patient_id" | "to_address">, appt: Pick<IcsAppointment, "patientEmail">, apptPatientId: string | null): boolean {
  if (row.patient_id) return apptPatientId != null && row.patient_id !== apptPatientId;
  return row.to_address !== appt.patientEmail;
}

/**
 * The name an invite greets and names (ATTENDEE, SUMMARY, "Patient:"): its recipient's own, never
 * another patient's. The appointment as it is now may have another patient: staff replaced the
 * patient, and the old one's CANCEL must not tell them who was booked instead (a privacy leak
 * between patients). Rows queued before migration 0024 do not name their patient: the
 * appointment's patient's name only when the address is theirs, else the address itself.
 */
export function inviteName(row: Pick<OutboxRow, "patient_id" | "to_address">, appt: Pick<IcsAppointment, "patientName" | "patientEmail">, recipientName: string | null): string {
  if (row.patient_id) return recipientName || row.to_address;
  return row.to_address === appt.patientEmail ? appt.patientName : row.to_address;
}

/** The patient's link of an invite: derived from the row (nothing stored), it opens the appointment until it ends. */
const linkOf = async (env: Env, row: OutboxRow) => (row.method === "REQUEST" ? inviteLinkUrl(env.SESSION_SECRET, env.APP_URL, row.id) : env.APP_URL);

/** Reads one row's parts (sendInvite; a drain reads its rows' parts with its claim, inviteReads). */
async function loadParts(env: Env, row: OutboxRow): Promise<InviteParts> {
  const [clinic, parts] = await env.DB.batch([
    clinicStatement(env.DB, row.clinic_id),
    env.DB.prepare(appointmentSelect(`appointments a LEFT JOIN email_outbox o ON o.id = ?1 AND o.appointment_id = a.id ${ROW_PART_JOINS}`, "a.id = ?2 AND a.clinic_id = ?3", ROW_PART_COLUMNS))
      .bind(row.id, row.appointment_id, row.clinic_id),
  ]);
  return partsOf(env, row, clinicFromRow(clinic.results[0]), parts.results[0] as RowParts | undefined);
}

/**
 * Renders and sends one outbox row from its parts; throws on failure. "superseded": not sent, a
 * REQUEST to a patient who is no longer the appointment's (it would show the new patient's visit).
 */
async function deliver(env: Env, row: OutboxRow, { clinic, appt, link, recipientName, apptPatientId, visit }: InviteParts): Promise<"sent" | "superseded"> {
  const sender = emailSenderFor(env);
  if (!sender) throw new Error("No EMAIL (send_email) binding is configured.");
  if (!clinic || !appt) throw new Error("The appointment no longer exists.");
  const former = isFormerPatient(row, appt, apptPatientId);
  if (former && row.method === "REQUEST") return "superseded";
  const from = env.EMAIL_FROM || `calendar@${clinic.domain}`;
  // The row's SEQUENCE wins: it is the version this invite announces. The patient named is the
  // row's own (inviteName), whoever the appointment has now.
  const patientName = inviteName(row, appt, recipientName);
  // A CANCEL never carries the video link (it is for a visit that is off for its recipient, and
  // after a patient change the room is the new patient's); to a former patient it names no type
  // (the new patient's visit type is theirs).
  const cancel = row.method === "CANCEL";
  const invite = {
    ...appt,
    version: row.sequence + 1,
    patientEmail: row.to_address,
    patientName,
    ...(cancel ? { videoUrl: null } : {}),
    // The visit it calls off as its recipient had it, when the same edit moved it or changed its doctor.
    ...(cancel && visit ? { startMs: visit.startMs, endMs: visit.endMs, doctorId: visit.doctorId, doctorName: visit.doctorName || appt.doctorName } : {}),
    ...(cancel && former ? { type: "appointment" } : {}),
  };
  const ics = renderCalendar({
    clinic,
    appointments: [invite],
    privacy: "full", // the patient's own invite: their own name and their doctor only
    appUrl: env.APP_URL,
    method: row.method,
    organizer: { name: clinic.name, email: from },
    stampMs: Date.now(),
  });
  const { date, time } = clinicDateTime(invite.startMs, clinic.timeZone);
  const message = renderMessage(effectiveTemplates(clinic.emailTemplates), row.method === "CANCEL" ? "cancel" : "request", {
    clinic: clinic.name,
    doctor: invite.doctorName,
    patient: patientName,
    // "your {{type}} appointment": a former patient's CANCEL says just "your appointment".
    type: cancel && former ? "" : typeLabel(appt.type).toLowerCase(),
    date,
    time,
    timeZone: clinic.timeZone,
    address: clinic.address,
    link,
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
  return "sent";
}

/** Renders and sends one outbox row (its own reads); throws on failure. */
export async function sendInvite(env: Env, row: OutboxRow): Promise<"sent" | "superseded"> {
  return deliver(env, row, await loadParts(env, row));
}

// Both read the index of pending rows (migration 0023), never the doctor's appointments: without
// INDEXED BY, SQLite's planner (no statistics) prefers walking the doctor's whole history.
// A row is due when next_attempt_at (its first send or retry time) and lease_until (a send in
// flight elsewhere) have both passed. The lease is its own column, in no index: taking it
// writes the row alone.
/** Rows of this doctor due now, leased in one statement (oldest first): only the hub whose UPDATE leased a row sends it. */
const CLAIM_SQL =
  "UPDATE email_outbox SET lease_until = ?1 WHERE id IN (SELECT o.id FROM email_outbox o INDEXED BY email_outbox_pending_idx JOIN appointments a ON a.id = o.appointment_id " +
  "WHERE a.doctor_id = ?2 AND o.state = 'pending' AND o.next_attempt_at <= ?3 AND COALESCE(o.lease_until, 0) <= ?3 ORDER BY o.id LIMIT ?4) " +
  "RETURNING id, clinic_id, appointment_id, method, sequence, to_address, attempts, patient_id";

/** When a pending row is next due: its send or retry time, or the end of a lease on it, whichever is later. */
const DUE_AT = "MAX(o.next_attempt_at, COALESCE(o.lease_until, 0))";

/** The earliest time a pending row not due now wants sending (a retry, the end of another run's lease). */
const LATER_SQL =
  `SELECT min(${DUE_AT}) AS at FROM email_outbox o INDEXED BY email_outbox_pending_idx JOIN appointments a ON a.id = o.appointment_id ` +
  `WHERE a.doctor_id = ? AND o.state = 'pending' AND ${DUE_AT} > ?`;

/**
 * One run for a doctor, in two D1 round trips whatever the number of rows (issue #18: it was
 * seven for one invite): lease the due rows, read their clinics and appointments and learn the
 * next time (one batch, shared with the hub's other work); send; write every outcome (one
 * batch). If the appointment moved to another doctor, that doctor's hub may see the same row;
 * the lease makes sure only one sends it.
 */
export async function drainInvites(env: Env, doctorId: string, now = Date.now(), read?: D1Result[]): Promise<number | null> {
  const d1 = env.DB;
  const [later, claimed, appts, clinics] = read ?? (await d1.batch(inviteReads(d1, doctorId, now)));
  let next = (later.results[0] as { at: number | null } | undefined)?.at ?? null;
  const rows = (claimed.results as OutboxRow[]).sort((a, b) => a.id - b.id);
  if (!rows.length) return next;
  const leasedOf = new Map((appts.results as RowParts[]).map((r) => [r.outbox_id, r]));
  const clinicOf = new Map((clinics.results as { id: string }[]).map((r) => [r.id, clinicFromRow(r)]));
  const outcome: D1PreparedStatement[] = [];
  for (const row of rows) {
    try {
      const parts = await partsOf(env, row, clinicOf.get(row.clinic_id) ?? null, leasedOf.get(row.id));
      if ((await deliver(env, row, parts)) === "superseded")
        outcome.push(d1.prepare("UPDATE email_outbox SET state = 'superseded', last_error = 'the patient was replaced', lease_until = NULL WHERE id = ?").bind(row.id));
      else outcome.push(d1.prepare("UPDATE email_outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?").bind(Date.now(), row.id));
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      const attempts = row.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) {
        outcome.push(
          d1.prepare("UPDATE email_outbox SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?").bind(attempts, message, row.id),
          // The audit entry carries no address or names: just what failed and why.
          toD1(d1, auditInsert(makeDb(d1), row.clinic_id, systemActor("email"), "email.failed", "appointment", row.appointment_id, {
            method: row.method,
            sequence: row.sequence,
            attempts,
            error: message,
          })),
        );
      } else {
        const retryAt = Date.now() + BACKOFF_MS[attempts - 1];
        outcome.push(d1.prepare("UPDATE email_outbox SET attempts = ?, last_error = ?, next_attempt_at = ?, lease_until = NULL WHERE id = ?").bind(attempts, message, retryAt, row.id));
        next = next == null ? retryAt : Math.min(next, retryAt);
      }
    }
  }
  await d1.batch(outcome);
  // More than one batch due: come back at once; otherwise at the earliest retry.
  return rows.length === BATCH ? Date.now() : next;
}

/**
 * The leased rows of this run (the claim's lease time and doctor): the claim's UPDATE … RETURNING
 * cannot join, so the statements after it in the same batch find its rows again by their lease.
 * Another run that leased with the same millisecond (an appointment moved between doctors) may
 * add rows here; only the rows the claim returned are sent.
 */
const LEASED_FROM = "email_outbox o INDEXED BY email_outbox_pending_idx JOIN appointments a ON a.id = o.appointment_id";
const LEASED_WHERE = "a.doctor_id = ?2 AND o.state = 'pending' AND o.next_attempt_at <= ?3 AND o.lease_until = ?1";

/** Each leased row's parts (the appointment as it is now, its clinic's own): ROW_PART_COLUMNS. */
const LEASED_APPOINTMENTS_SQL = appointmentSelect(
  `email_outbox o INDEXED BY email_outbox_pending_idx ${ROW_PART_JOINS} JOIN appointments a ON a.id = o.appointment_id`,
  `${LEASED_WHERE} AND a.clinic_id = o.clinic_id`,
  ROW_PART_COLUMNS,
);

/** The clinics of the leased rows (nothing read when nothing was leased). */
const LEASED_CLINICS_SQL = `SELECT ${CLINIC_COLUMNS} FROM clinics c WHERE c.id IN (SELECT o.clinic_id FROM ${LEASED_FROM} WHERE ${LEASED_WHERE})`;

/**
 * The run's first round trip (in the hub's shared batch): the next time a row not due now wants
 * sending, the due rows leased, and what their invites are made of. A run with nothing due reads
 * the pending index and nothing else.
 */
const inviteReads = (d1: D1Database, doctorId: string, now: number) => [
  d1.prepare(LATER_SQL).bind(doctorId, now),
  d1.prepare(CLAIM_SQL).bind(now + LEASE_MS, doctorId, now, BATCH),
  d1.prepare(LEASED_APPOINTMENTS_SQL).bind(now + LEASE_MS, doctorId, now),
  d1.prepare(LEASED_CLINICS_SQL).bind(now + LEASE_MS, doctorId, now),
];

export const inviteEmailWork: HubWork = {
  name: "invite-email",
  reads: (ctx, now) => inviteReads(ctx.env.DB, ctx.doctorId, now),
  run: (ctx, read, now) => drainInvites(ctx.env, ctx.doctorId, now, read),
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
