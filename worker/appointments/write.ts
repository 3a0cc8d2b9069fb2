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
// and ordered live updates. A booking from the API also carries its session: the guard checks
// the session is still live inside the same batch (no round trip before it; issue #18).
// Parts: write-checks.ts (reads before a write, 409/422 answers, SQL guards), write-batch.ts
// (audit, outbox, effects appended to every change's batch), booking-cache.ts (the hub's cache).
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
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Actor, systemActor } from "../db/audit";
import { makeDb, type Db } from "../db/client";
import type { AppointmentStatus, Role } from "../db/schema";
import { checkBookingRules } from "../scheduling/rules";
import { parseWorkingHours } from "../scheduling/working-hours";
import { newId } from "../ids";
import type { SessionClaims } from "../auth/session";
import { sessionLiveSql, sessionVerdict } from "../auth/session-store";
import type { AppointmentChange, ChangeOrigin } from "./effects";
import { type Appointment, iso, isActive } from "./model";
import { getAppointment } from "./queries";
import { runBatch } from "./batch";
import { type BookingCache, cachedGuardSql } from "./booking-cache";
import { type Failure, type WriteContext, changeContextOf, fail, guard, isGuardError, loadContext, patientNameSql, ruleFailure, slotConflict, slotFreeSql } from "./write-checks";
import { AUDITED_FIELDS, commit } from "./write-batch";

export { type Failure, fail } from "./write-checks";

/** Who is writing: a person with a role (API) or the system (sync, import). */
export interface Caller {
  actor: Actor;
  role: Role | "system";
  /** The caller's own doctor record (role doctor): doctors may only write their own calendar. */
  doctorId: string | null;
}

export const systemCaller = (what: string): Caller => ({ actor: systemActor(what), role: "system", doctorId: null });

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
  /** The API caller's signed session, checked live inside the batch (creates; routes/appointments.ts). */
  session?: SessionClaims;
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

const mayWriteDoctor = (c: Caller, doctorId: string) => c.role !== "doctor" || c.doctorId === doctorId;

// ---------------------------------------------------------------------------
// The operations
// ---------------------------------------------------------------------------

export async function createAppointment(env: { DB: D1Database }, caller: Caller, input: CreateInput, opts: WriteOptions): Promise<WriteResult> {
  const r = await create(env, caller, input, opts);
  // Any refusal to a caller whose session ended says so instead (as the session middleware
  // did before any other check): the live check was only inside the batch that did not run.
  if (!r.ok && opts.session) {
    const v = await sessionVerdict(env.DB, opts.session);
    if (!v.ok) return fail(401, "unauthorized", v.reason === "disabled" ? "This account is disabled." : "Your session has ended. Log in again.");
  }
  return r;
}

async function create(env: { DB: D1Database }, caller: Caller, input: CreateInput, opts: WriteOptions): Promise<WriteResult> {
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
  if (opts.session) head.push(guard(db, sessionLiveSql(opts.session)));
  if (slot) head.push(guard(db, slotFreeSql(input.doctorId, slot)));
  if (fromCache) head.push(guard(db, cachedGuardSql(input.doctorId, ctx.doctor, ctx.patient)));
  head.push(
    db.run(sql`INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, reason, status, notes,
        version, created_by, updated_by, created_at, updated_at)
      VALUES (${id}, ${input.clinicId}, ${input.doctorId}, ${input.patientId}, ${patientNameSql(input.patientId)}, ${input.startMs}, ${input.endMs}, ${after.type},
        ${after.reason}, ${status}, ${after.notes}, 1, ${actorId}, ${actorId}, ${now}, ${now})`),
  );
  try {
    await commit(env.DB, db, head, "appointment.create", change, opts.extra, now);
  } catch (err) {
    if (!isGuardError(err)) throw err;
    if (opts.session && !(await sessionVerdict(env.DB, opts.session)).ok) return fail(401, "unauthorized", "Your session has ended. Log in again."); // the wrapper words it
    // A remembered setting or patient row changed, or the slot is taken: redo it once with
    // everything read fresh (the rules, then the same guards), which also says which it was.
    if (fromCache) {
      cache!.forget(input.doctorId, input.patientId);
      return create(env, caller, input, { ...opts, cache: undefined });
    }
    // Someone else got the slot between our read and our commit (only possible
    // when a writer bypasses the hub lock): report what is there now.
    return slotConflict(await loadContext(env.DB, input.doctorId, null, slot)) ?? fail(409, "slot_taken", "The slot was just taken.");
  }
  return { ok: true, appointment: after, change };
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
  if (AUDITED_FIELDS.every((k) => after[k] === before[k])) {
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
    await commit(env.DB, db, head, action, change, opts.extra, now);
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
    await commit(env.DB, db, head, "appointment.delete", change, opts.extra, now);
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
