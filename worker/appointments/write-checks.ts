// What an appointment write checks, before its batch and inside it (split out of write.ts):
// the one read batch (doctor and clinic settings, patient, overlapping appointments and
// blocked time) when the hub's cache does not have them, the 409/422 answers built from what
// was read, and the SQL guards that abort the write batch at commit time.
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { ChangeContext } from "./effects";
import { iso } from "./model";
import type { DoctorSettings, PatientContact } from "./booking-cache";

export interface Failure {
  status: 401 | 403 | 404 | 409 | 422;
  code: string;
  message: string;
  details?: unknown;
}


/** A refused write as plain data (RPC-safe); blocked-write.ts answers the same way. */
export const fail = (status: Failure["status"], code: string, message: string, details?: unknown): { ok: false; error: Failure } => ({
  ok: false,
  error: details === undefined ? { status, code, message } : { status, code, message, details },
});

// ---------------------------------------------------------------------------
// Reads done before a write (one D1 batch)
// ---------------------------------------------------------------------------

export interface Slot {
  startMs: number;
  endMs: number;
  excludeId: string;
}

export interface WriteContext {
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

export async function loadContext(d1: D1Database, doctorId: string, patientId: string | null, slot: Slot | null): Promise<WriteContext> {
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
export function changeContextOf(ctx: WriteContext): ChangeContext | undefined {
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

export function slotConflict(ctx: WriteContext): { ok: false; error: Failure } | null {
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
export const patientNameSql = (patientId: string) => sql`COALESCE((SELECT name FROM patients WHERE id = ${patientId}), '')`;

export function slotFreeSql(doctorId: string, s: Slot): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM appointments INDEXED BY appointments_doctor_start_idx WHERE doctor_id = ${doctorId}
      AND status != 'cancelled' AND start_ms >= ${s.startMs} - (SELECT max_appointment_ms FROM doctors WHERE id = ${doctorId})
      AND start_ms < ${s.endMs}
      AND end_ms > ${s.startMs} AND id != ${s.excludeId})
    AND NOT EXISTS (SELECT 1 FROM blocked_times INDEXED BY blocked_doctor_end_idx WHERE doctor_id = ${doctorId}
      AND end_ms > ${s.startMs} AND start_ms < ${s.endMs})`;
}

export function guard(db: Db, condition: SQL) {
  // json() of a non-JSON string raises an error, which rolls the whole batch back.
  return db.run(sql`SELECT json(CASE WHEN ${condition} THEN '1' ELSE ${GUARD_ERROR} END)`);
}

export const isGuardError = (err: unknown) => /malformed JSON/i.test(String((err as Error)?.message ?? err));

export function ruleFailure(code: string, message: string) {
  if (code === "outside_working_hours") return fail(422, code, message, [{ path: "start", message }]);
  return fail(422, "validation_failed", message, [{ path: "end", message }]);
}

