// THE write path for appointments: every create/update/cancel/delete, whoever makes it
// (API via DoctorHub, Google/Microsoft/CalDAV sync, .ics import), goes through here.
//
// Each change is ONE D1 batch (one transaction), in this order:
//   1. a guard SELECT that aborts the whole batch (json('…') raises "malformed JSON")
//      unless, at commit time, the slot is still free of active appointments and
//      blocked time for the doctor and (updates) the stored version is the one we read;
//   2. the INSERT/UPDATE/DELETE (version + 1, updated_by/at);
//   3. the audit entry (db/audit.ts);
//   4. sync_outbox rows (op "upsert" | "delete", the new version) for the doctor(s);
//   5. statements from the registered change effects (effects.ts; the list is in worker/features.ts:
//      invite e-mails, reminders, video links) and the caller's `extra`.
// So the SQL itself is race-proof, and the DoctorHub lock on top gives clean errors
// and ordered live updates.
//
// HOW TO CALL
// - API requests: through the doctor's DoctorHub RPC methods (hub/doctor-hub.ts), which
//   run these functions inside the hub's `serial` lock, publish the live change and kick
//   the hub's background work.
// - Sync engines (inbound changes) run inside the hub already: call these functions
//   directly inside `ctx.exclusive(() => createAppointment(ctx.env, systemCaller("google-sync"), …,
//   { origin: "google", extra }))`, then `ctx.publish(liveChangeOf(...))` for each result.
//   Use `extra` to update appointment_links (synced_version = the new version) in the same
//   batch, so the outbox row this change writes is recognised as already in sync.
//   origin ≠ "acms" skips the working-hours rule (the doctor booked it elsewhere) but
//   never the overlap rule: a conflicting inbound change comes back as slot_taken/blocked_time.
//
// RESCHEDULE TO ANOTHER DOCTOR: the API routes such an update through the TARGET
// doctor's hub (that is the calendar that can gain a conflict). The source doctor's
// calendar only loses an appointment, which cannot create a conflict; a concurrent
// edit of the same appointment through the source hub is stopped by the version
// check in the guard (D1 runs each batch as one serialized transaction).
// Both doctors get a live change and a kick.
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Actor, auditInsert, systemActor } from "../db/audit";
import { changedFields } from "../db/audit-diff";
import { makeDb, type Db } from "../db/client";
import type { AppointmentStatus, Role } from "../db/schema";
import { syncOutbox } from "../db/schema";
import { checkBookingRules } from "../scheduling/rules";
import { parseWorkingHours } from "../scheduling/working-hours";
import { newId } from "../ids";
import { type AppointmentChange, type ChangeContext, type ChangeOrigin, changeEffects } from "./effects";
import { type Appointment, iso, isActive } from "./model";
import { getAppointment } from "./queries";
import { runBatch } from "./batch";
import { type BookingCache, cachedGuardSql, type DoctorSettings, type PatientContact } from "./booking-cache";

/** Who is writing: a person with a role (API) or the system (sync, import). */
export interface Caller {
  actor: Actor;
  role: Role | "system";
  /** The caller's own doctor record (role doctor): doctors may only write their own calendar. */
  doctorId: string | null;
}

export const systemCaller = (what: string): Caller => ({ actor: systemActor(what), role: "system", doctorId: null });

export interface Failure {
  status: 403 | 404 | 409 | 422;
  code: string;
  message: string;
  details?: unknown;
}

/** `unchanged`: the update changed nothing (e.g. cancelling a cancelled appointment): nothing written, nothing to publish. */
export type WriteResult =
  | { ok: true; appointment: Appointment; change: AppointmentChange; unchanged?: boolean }
  | { ok: false; error: Failure };

export interface WriteOptions {
  origin: ChangeOrigin;
  /** The appointment as just read by the caller (updates only; optional). */
  snapshot?: Appointment;
  /** Extra statements for the same batch (e.g. the sync engine's appointment_links update). */
  extra?: (db: Db, change: AppointmentChange) => BatchItem<"sqlite">[];
  now?: number;
  /** The DoctorHub's remembered settings and patients (creates): one D1 batch per booking (booking-cache.ts). */
  cache?: BookingCache;
}

export interface CreateInput {
  clinicId: string;
  doctorId: string;
  patientId: string;
  startMs: number;
  endMs: number;
  type?: string;
  reason?: string;
  notes?: string;
  status?: AppointmentStatus;
  /** Admins may book outside working hours; ignored for other roles. */
  allowOutsideHours?: boolean;
  /** Optional caller-chosen id (imports); a new one otherwise. */
  id?: string;
}

export interface UpdatePatch {
  version: number;
  startMs?: number;
  endMs?: number;
  status?: AppointmentStatus;
  type?: string;
  reason?: string;
  notes?: string;
  patientId?: string;
  doctorId?: string;
  allowOutsideHours?: boolean;
}

/** A refused write as plain data (RPC-safe); blocked-write.ts answers the same way. */
export const fail = (status: Failure["status"], code: string, message: string, details?: unknown): { ok: false; error: Failure } => ({
  ok: false,
  error: details === undefined ? { status, code, message } : { status, code, message, details },
});

const mayWriteDoctor = (c: Caller, doctorId: string) => c.role !== "doctor" || c.doctorId === doctorId;

// ---------------------------------------------------------------------------
// Reads done before a write (one D1 batch)
// ---------------------------------------------------------------------------

interface Slot {
  startMs: number;
  endMs: number;
  excludeId: string;
}

interface WriteContext {
  doctor: DoctorSettings | null;
  patient: PatientContact | null;
  clashes: { id: string; start_ms: number; end_ms: number }[];
  blocks: { id: string; source: string; label: string; start_ms: number; end_ms: number }[];
}

// Look-back before the slot's start: the doctor's longest stored appointment
// (doctors.max_appointment_ms, kept by triggers), as in queries.ts range reads.
const overlapApptsSql =
  "SELECT id, start_ms, end_ms FROM appointments INDEXED BY appointments_doctor_start_idx WHERE doctor_id = ? " +
  "AND status != 'cancelled' AND start_ms >= ? - (SELECT max_appointment_ms FROM doctors WHERE id = ?) AND start_ms < ? AND end_ms > ? " +
  "AND id != ? ORDER BY start_ms LIMIT 10";
const overlapBlocksSql =
  "SELECT id, source, label, start_ms, end_ms FROM blocked_times INDEXED BY blocked_doctor_end_idx WHERE doctor_id = ? " +
  "AND end_ms > ? AND start_ms < ? ORDER BY start_ms LIMIT 10";

async function loadContext(d1: D1Database, doctorId: string, patientId: string | null, slot: Slot | null): Promise<WriteContext> {
  const stmts = [
    d1
      .prepare(
        "SELECT d.clinic_id, d.working_hours, d.active, c.time_zone, c.reminder_rules, c.quiet_start_min, c.quiet_end_min, " +
          "c.no_reminder_types, c.video_types, c.jitsi_base_url FROM doctors d JOIN clinics c ON c.id = d.clinic_id WHERE d.id = ?",
      )
      .bind(doctorId),
    d1.prepare("SELECT id, clinic_id, name, email, phone_digits, sms_consent FROM patients WHERE id = ?").bind(patientId ?? ""),
  ];
  if (slot) {
    stmts.push(d1.prepare(overlapApptsSql).bind(doctorId, slot.startMs, doctorId, slot.endMs, slot.startMs, slot.excludeId));
    stmts.push(d1.prepare(overlapBlocksSql).bind(doctorId, slot.startMs, slot.endMs));
  }
  const r = await d1.batch(stmts);
  return {
    doctor: (r[0].results[0] as WriteContext["doctor"]) ?? null,
    patient: (r[1].results[0] as WriteContext["patient"]) ?? null,
    clashes: (r[2]?.results as WriteContext["clashes"]) ?? [],
    blocks: (r[3]?.results as WriteContext["blocks"]) ?? [],
  };
}

/** The clinic settings and patient contact effects need (reminders, video links), from what loadContext read. */
function changeContextOf(ctx: WriteContext): ChangeContext | undefined {
  const d = ctx.doctor;
  const p = ctx.patient;
  if (!d || !p) return undefined;
  return {
    clinic: {
      timeZone: d.time_zone,
      reminderRules: d.reminder_rules,
      quietStartMin: d.quiet_start_min,
      quietEndMin: d.quiet_end_min,
      noReminderTypes: d.no_reminder_types,
      videoTypes: d.video_types,
      jitsiBaseUrl: d.jitsi_base_url,
    },
    patient: { hasEmail: p.email !== "", smsOk: p.phone_digits !== "" && p.sms_consent === 1 },
  };
}

function slotConflict(ctx: WriteContext): { ok: false; error: Failure } | null {
  if (ctx.clashes.length)
    return fail(409, "slot_taken", "The doctor already has an appointment at that time.", {
      conflicts: ctx.clashes.map((c) => ({ id: c.id, start: iso(c.start_ms), end: iso(c.end_ms) })),
    });
  if (ctx.blocks.length)
    return fail(409, "blocked_time", "The doctor is not available at that time (blocked).", {
      blockedTimes: ctx.blocks.map((b) => ({ id: b.id, source: b.source, label: b.source === "manual" ? b.label : "Busy", start: iso(b.start_ms), end: iso(b.end_ms) })),
    });
  return null;
}

// ---------------------------------------------------------------------------
// SQL guard: aborts the batch when the slot is not free / the version moved on.
// ---------------------------------------------------------------------------

const GUARD_ERROR = "write guard";

// appointments.patient_name (the denormalized display name) is read from patients inside
// the write batch, not taken from loadContext: a rename committed between our read and
// our commit (routes/patients.ts rewrites patient_name in its own batch) cannot leave a stale copy.
const patientNameSql = (patientId: string) => sql`COALESCE((SELECT name FROM patients WHERE id = ${patientId}), '')`;

function slotFreeSql(doctorId: string, s: Slot): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM appointments INDEXED BY appointments_doctor_start_idx WHERE doctor_id = ${doctorId}
      AND status != 'cancelled' AND start_ms >= ${s.startMs} - (SELECT max_appointment_ms FROM doctors WHERE id = ${doctorId})
      AND start_ms < ${s.endMs}
      AND end_ms > ${s.startMs} AND id != ${s.excludeId})
    AND NOT EXISTS (SELECT 1 FROM blocked_times INDEXED BY blocked_doctor_end_idx WHERE doctor_id = ${doctorId}
      AND end_ms > ${s.startMs} AND start_ms < ${s.endMs})`;
}

function guard(db: Db, condition: SQL) {
  // json() of a non-JSON string raises an error, which rolls the whole batch back.
  return db.run(sql`SELECT json(CASE WHEN ${condition} THEN '1' ELSE ${GUARD_ERROR} END)`);
}

const isGuardError = (err: unknown) => /malformed JSON/i.test(String((err as Error)?.message ?? err));

// ---------------------------------------------------------------------------
// Batch assembly shared by every change
// ---------------------------------------------------------------------------

/** The fields an edit can change; their names go into the audit entry's `changed`. */
const AUDITED_FIELDS = ["doctorId", "patientId", "start", "end", "type", "reason", "status", "notes"] as const;

const auditSummary = (a: Appointment | null) =>
  a && { doctorId: a.doctorId, patientId: a.patientId, start: a.start, end: a.end, status: a.status, type: a.type, version: a.version };

function outboxRows(db: Db, change: AppointmentChange, now: number) {
  const { before, after } = change;
  const rows: { doctorId: string; op: "upsert" | "delete" }[] = [];
  const a = (after ?? before)!;
  if (before && after && before.doctorId !== after.doctorId) {
    rows.push({ doctorId: before.doctorId, op: "delete" });
    rows.push({ doctorId: after.doctorId, op: isActive(after.status) ? "upsert" : "delete" });
  } else {
    rows.push({ doctorId: a.doctorId, op: after && isActive(after.status) ? "upsert" : "delete" });
  }
  const version = after ? after.version : before!.version + 1;
  return rows.map((r) =>
    db.insert(syncOutbox).values({
      clinicId: a.clinicId,
      doctorId: r.doctorId,
      appointmentId: a.id,
      op: r.op,
      version,
      createdAt: now,
      updatedAt: now,
    }),
  );
}

async function commit(
  d1: D1Database,
  db: Db,
  head: BatchItem<"sqlite">[],
  action: string,
  change: AppointmentChange,
  opts: WriteOptions,
  now: number,
): Promise<void> {
  const a = (change.after ?? change.before)!;
  const items: BatchItem<"sqlite">[] = [
    ...head,
    auditInsert(db, a.clinicId, change.actor, action, "appointment", a.id, {
      before: auditSummary(change.before),
      after: auditSummary(change.after),
      // Every field that changed, by name: notes and reason are not in the summaries above
      // (medical detail), so a notes-only edit would otherwise show only a version bump.
      ...(change.before && change.after ? { changed: changedFields(change.before, change.after, AUDITED_FIELDS) } : {}),
      origin: change.origin,
      ...(change.overrideHours ? { overrideHours: true } : {}),
    }),
    ...outboxRows(db, change, now),
    ...changeEffects().flatMap((fx) => fx(db, change)),
    ...(opts.extra?.(db, change) ?? []),
  ];
  await runBatch(d1, items);
}

// ---------------------------------------------------------------------------
// The operations
// ---------------------------------------------------------------------------

export async function createAppointment(env: { DB: D1Database }, caller: Caller, input: CreateInput, opts: WriteOptions): Promise<WriteResult> {
  const now = opts.now ?? Date.now();
  if (!mayWriteDoctor(caller, input.doctorId)) return fail(403, "forbidden", "Doctors can only book into their own calendar.");
  const status = input.status ?? "scheduled";
  const id = input.id ?? newId();
  const slot = isActive(status) ? { startMs: input.startMs, endMs: input.endMs, excludeId: id } : null;
  // With the hub's cache: no read at all when it knows the doctor and the patient (the write
  // batch's guards check overlaps and that the remembered values still hold), else only those two rows.
  const cache = opts.cache;
  const known = cache && { doctor: cache.doctor(input.doctorId), patient: cache.patient(input.patientId) };
  const fromCache = !!(known?.doctor && known.patient);
  const ctx: WriteContext = fromCache
    ? { doctor: known!.doctor!, patient: known!.patient!, clashes: [], blocks: [] }
    : await loadContext(env.DB, input.doctorId, input.patientId, cache ? null : slot);
  if (cache && !fromCache) cache.remember(input.doctorId, ctx.doctor, ctx.patient);
  if (!ctx.doctor || ctx.doctor.clinic_id !== input.clinicId) return fail(404, "not_found", "Doctor not found.");
  if (!ctx.patient || ctx.patient.clinic_id !== input.clinicId) return fail(404, "not_found", "Patient not found.");
  if (!ctx.doctor.active) return fail(422, "doctor_inactive", "This doctor no longer takes appointments.");
  const rule = checkBookingRules({
    startMs: input.startMs,
    endMs: input.endMs,
    zone: ctx.doctor.time_zone,
    workingHours: parseWorkingHours(ctx.doctor.working_hours),
    allowOutsideHours: opts.origin !== "acms" || (caller.role === "admin" && !!input.allowOutsideHours) || !isActive(status),
  });
  if (rule) return ruleFailure(rule.code, rule.message);
  const conflictResult = slotConflict(ctx);
  if (conflictResult) return conflictResult;

  const actorId = caller.actor.userId ?? caller.actor.label;
  const after: Appointment = {
    id,
    clinicId: input.clinicId,
    doctorId: input.doctorId,
    patientId: input.patientId,
    patientName: ctx.patient.name,
    start: iso(input.startMs),
    end: iso(input.endMs),
    type: input.type ?? "consultation",
    reason: input.reason ?? "",
    status,
    notes: input.notes ?? "",
    version: 1,
    createdBy: actorId,
    updatedBy: actorId,
    createdAt: iso(now),
    updatedAt: iso(now),
  };
  const change: AppointmentChange = { before: null, after, actor: caller.actor, origin: opts.origin, context: changeContextOf(ctx), overrideHours: caller.role === "admin" && !!input.allowOutsideHours };
  const db = makeDb(env.DB);
  const head: BatchItem<"sqlite">[] = [];
  if (slot) head.push(guard(db, slotFreeSql(input.doctorId, slot)));
  if (fromCache) head.push(guard(db, cachedGuardSql(input.doctorId, ctx.doctor, ctx.patient)));
  head.push(
    db.run(sql`INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, reason, status, notes,
        version, created_by, updated_by, created_at, updated_at)
      VALUES (${id}, ${input.clinicId}, ${input.doctorId}, ${input.patientId}, ${patientNameSql(input.patientId)}, ${input.startMs}, ${input.endMs}, ${after.type},
        ${after.reason}, ${status}, ${after.notes}, 1, ${actorId}, ${actorId}, ${now}, ${now})`),
  );
  try {
    await commit(env.DB, db, head, "appointment.create", change, opts, now);
  } catch (err) {
    if (!isGuardError(err)) throw err;
    // A remembered setting or patient row changed, or the slot is taken: redo it once with
    // everything read fresh (the rules, then the same guards), which also says which it was.
    if (fromCache) {
      cache!.forget(input.doctorId, input.patientId);
      return createAppointment(env, caller, input, { ...opts, cache: undefined });
    }
    // Someone else got the slot between our read and our commit (only possible
    // when a writer bypasses the hub lock): report what is there now.
    return slotConflict(await loadContext(env.DB, input.doctorId, null, slot)) ?? fail(409, "slot_taken", "The slot was just taken.");
  }
  return { ok: true, appointment: after, change };
}

function ruleFailure(code: string, message: string) {
  if (code === "outside_working_hours") return fail(422, code, message, [{ path: "start", message }]);
  return fail(422, "validation_failed", message, [{ path: "end", message }]);
}

export async function updateAppointment(
  env: { DB: D1Database },
  caller: Caller,
  clinicId: string,
  id: string,
  patch: UpdatePatch,
  opts: WriteOptions,
): Promise<WriteResult> {
  const now = opts.now ?? Date.now();
  // A snapshot read just before (by the route) saves a round trip: if it is stale the
  // guard's version check fails and the current record is read then.
  const before = opts.snapshot?.id === id && opts.snapshot.clinicId === clinicId ? opts.snapshot : await getAppointment(env.DB, clinicId, id);
  if (!before) return fail(404, "not_found", "Appointment not found.");
  if (!mayWriteDoctor(caller, before.doctorId)) return fail(403, "forbidden", "Doctors can only change their own appointments.");
  if (patch.version !== before.version)
    return fail(409, "version_conflict", "Someone else changed this appointment. Review the current version and try again.", {
      current: before,
    });
  const doctorId = patch.doctorId ?? before.doctorId;
  if (!mayWriteDoctor(caller, doctorId)) return fail(403, "forbidden", "Doctors can only move appointments within their own calendar.");
  const startMs = patch.startMs ?? Date.parse(before.start);
  const endMs = patch.endMs ?? Date.parse(before.end);
  const status = patch.status ?? before.status;
  const patientId = patch.patientId ?? before.patientId;
  const moved = startMs !== Date.parse(before.start) || endMs !== Date.parse(before.end) || doctorId !== before.doctorId;
  // The slot is (re)checked only when the appointment takes new time: a time/doctor change
  // or un-cancelling. Editing notes of an appointment that an imported busy block now
  // overlaps must still work.
  const needsSlot = isActive(status) && (moved || !isActive(before.status));
  const slot = needsSlot ? { startMs, endMs, excludeId: id } : null;
  const ctx = await loadContext(env.DB, doctorId, patientId, slot);
  if (!ctx.doctor || ctx.doctor.clinic_id !== clinicId) return fail(404, "not_found", "Doctor not found.");
  if (!ctx.patient || ctx.patient.clinic_id !== clinicId) return fail(404, "not_found", "Patient not found.");
  if (needsSlot) {
    if (doctorId !== before.doctorId && !ctx.doctor.active) return fail(422, "doctor_inactive", "This doctor no longer takes appointments.");
    const rule = checkBookingRules({
      startMs,
      endMs,
      zone: ctx.doctor.time_zone,
      workingHours: parseWorkingHours(ctx.doctor.working_hours),
      allowOutsideHours: opts.origin !== "acms" || (caller.role === "admin" && !!patch.allowOutsideHours),
    });
    if (rule) return ruleFailure(rule.code, rule.message);
    const c = slotConflict(ctx);
    if (c) return c;
  } else if (!(startMs < endMs)) {
    return ruleFailure("invalid_range", "The start must be before the end.");
  }

  const actorId = caller.actor.userId ?? caller.actor.label;
  const after: Appointment = {
    ...before,
    doctorId,
    patientId,
    patientName: ctx.patient.name,
    start: iso(startMs),
    end: iso(endMs),
    type: patch.type ?? before.type,
    reason: patch.reason ?? before.reason,
    status,
    notes: patch.notes ?? before.notes,
    version: before.version + 1,
    updatedBy: actorId,
    updatedAt: iso(now),
  };
  const change: AppointmentChange = { before, after, actor: caller.actor, origin: opts.origin, context: changeContextOf(ctx), overrideHours: caller.role === "admin" && !!patch.allowOutsideHours };
  const fields = ["doctorId", "patientId", "start", "end", "type", "reason", "status", "notes"] as const;
  if (fields.every((k) => after[k] === before[k])) {
    // Nothing to change: no version bump, audit, outbox or e-mail. The caller's `extra`
    // statements (e.g. a sync engine recording the link as in sync) still run, with
    // change.after === change.before.
    const same: AppointmentChange = { ...change, after: before };
    const extra = opts.extra?.(makeDb(env.DB), same) ?? [];
    if (extra.length) await runBatch(env.DB, extra);
    return { ok: true, appointment: before, change: same, unchanged: true };
  }
  const db = makeDb(env.DB);
  const versionOk = sql`EXISTS (SELECT 1 FROM appointments WHERE id = ${id} AND version = ${before.version})`;
  const head: BatchItem<"sqlite">[] = [
    guard(db, slot ? sql`${versionOk} AND ${slotFreeSql(doctorId, slot)}` : versionOk),
    db.run(sql`UPDATE appointments SET doctor_id = ${doctorId}, patient_id = ${patientId}, patient_name = ${patientNameSql(patientId)},
        start_ms = ${startMs}, end_ms = ${endMs},
        type = ${after.type}, reason = ${after.reason}, status = ${status}, notes = ${after.notes}, version = ${after.version},
        updated_by = ${actorId}, updated_at = ${now}
      WHERE id = ${id} AND version = ${before.version}`),
  ];
  const action = status === "cancelled" && before.status !== "cancelled" ? "appointment.cancel" : "appointment.update";
  try {
    await commit(env.DB, db, head, action, change, opts, now);
  } catch (err) {
    if (!isGuardError(err)) throw err;
    const current = await getAppointment(env.DB, clinicId, id);
    if (!current) return fail(404, "not_found", "Appointment not found.");
    if (current.version !== before.version)
      return fail(409, "version_conflict", "Someone else changed this appointment. Review the current version and try again.", { current });
    return slotConflict(await loadContext(env.DB, doctorId, null, slot)) ?? fail(409, "slot_taken", "The slot was just taken.");
  }
  return { ok: true, appointment: after, change };
}

/** Hard delete (admin only through the API; cancel is the normal path). `version` optional for system callers. */
export async function deleteAppointment(
  env: { DB: D1Database },
  caller: Caller,
  clinicId: string,
  id: string,
  version: number | undefined,
  opts: WriteOptions,
): Promise<WriteResult> {
  const now = opts.now ?? Date.now();
  const before = await getAppointment(env.DB, clinicId, id);
  if (!before) return fail(404, "not_found", "Appointment not found.");
  if (caller.role !== "admin" && caller.role !== "system") return fail(403, "forbidden", "Only an admin can delete appointments; cancel it instead.");
  if (version !== undefined && version !== before.version)
    return fail(409, "version_conflict", "Someone else changed this appointment. Review the current version and try again.", { current: before });
  const change: AppointmentChange = { before, after: null, actor: caller.actor, origin: opts.origin };
  const db = makeDb(env.DB);
  const head: BatchItem<"sqlite">[] = [
    guard(db, sql`EXISTS (SELECT 1 FROM appointments WHERE id = ${id} AND version = ${before.version})`),
    db.run(sql`DELETE FROM appointments WHERE id = ${id} AND version = ${before.version}`),
  ];
  try {
    await commit(env.DB, db, head, "appointment.delete", change, opts, now);
  } catch (err) {
    if (!isGuardError(err)) throw err;
    const current = await getAppointment(env.DB, clinicId, id);
    if (!current) return fail(404, "not_found", "Appointment not found.");
    return fail(409, "version_conflict", "Someone else changed this appointment.", { current });
  }
  return { ok: true, appointment: before, change };
}

/** Doctors whose calendars a committed change touches (two on a reschedule to another doctor). */
export function doctorsOf(change: AppointmentChange): string[] {
  return [...new Set([change.before?.doctorId, change.after?.doctorId].filter((x): x is string => !!x))];
}
