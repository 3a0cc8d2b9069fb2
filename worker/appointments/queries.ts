// Read queries for appointments and blocked times. Each is one indexed D1 query.
// Cost (D1 rows_read) of a range query: the index range (rows returned + the few that
// started in the look-back before `from` and ended before it) + 1 doctors/clinics row for
// the look-back. patientName is stored on the appointment (appointments.patient_name), so
// no patients join: about 1× the rows returned.
//
// Range queries ask for everything overlapping [from, to). No stored appointment of the
// doctor (clinic) is longer than doctors.max_appointment_ms (clinics.max_appointment_ms),
// kept by triggers on appointments (migrations/0002), so
//   start_ms >= from - max AND start_ms < to AND end_ms > from
// bounds the index range scan on (doctor_id, start_ms) / (clinic_id, start_ms) as tightly
// as the data allows (30 min look-back for a clinic of 30 min appointments, instead of the
// 12 h rules.ts allows). The max is read by a scalar subquery in the same statement: one PK
// row, no extra round trip, and always consistent with the rows it bounds.
import type { AppointmentStatus } from "../db/schema";
import {
  APPOINTMENT_COLUMNS,
  type Appointment,
  type AppointmentRow,
  BLOCKED_COLUMNS,
  toAppointment,
} from "./model";

export interface RangeQuery {
  clinicId: string;
  fromMs: number;
  toMs: number;
  /** The columns to select (alias a); default APPOINTMENT_COLUMNS. The stored feed reads fewer. */
  columns?: string;
  doctorId?: string;
  statuses?: AppointmentStatus[];
}

export function appointmentRangeStatement(d1: D1Database, q: RangeQuery): D1PreparedStatement {
  // INDEXED BY pins the plan: without ANALYZE statistics SQLite may pick either index.
  const index = q.doctorId ? "appointments_doctor_start_idx" : "appointments_clinic_start_idx";
  const params: unknown[] = [];
  let where = "";
  let lookBack = "";
  if (q.doctorId) {
    where = "a.doctor_id = ? AND a.clinic_id = ?";
    lookBack = "(SELECT max_appointment_ms FROM doctors WHERE id = ?)";
    params.push(q.doctorId, q.clinicId, q.fromMs, q.doctorId);
  } else {
    where = "a.clinic_id = ?";
    lookBack = "(SELECT max_appointment_ms FROM clinics WHERE id = ?)";
    params.push(q.clinicId, q.fromMs, q.clinicId);
  }
  where += ` AND a.start_ms >= ? - ${lookBack} AND a.start_ms < ? AND a.end_ms > ?`;
  params.push(q.toMs, q.fromMs);
  if (q.statuses?.length) {
    where += ` AND a.status IN (${q.statuses.map(() => "?").join(",")})`;
    params.push(...q.statuses);
  }
  return d1
    .prepare(
      `SELECT ${q.columns ?? APPOINTMENT_COLUMNS} FROM appointments a INDEXED BY ${index} ` +
        // ORDER BY only start_ms: the index already yields that order; a tie-breaker column
        // would add a temp B-tree sort that D1 counts as a second read of every row.
        `WHERE ${where} ORDER BY a.start_ms`,
    )
    .bind(...params);
}

export function appointmentByIdStatement(d1: D1Database, clinicId: string, id: string): D1PreparedStatement {
  return d1
    .prepare(`SELECT ${APPOINTMENT_COLUMNS} FROM appointments a WHERE a.id = ? AND a.clinic_id = ?`)
    .bind(id, clinicId);
}

/** The appointment if it belongs to the clinic, else null (callers answer 404). */
export async function getAppointment(d1: D1Database, clinicId: string, id: string): Promise<Appointment | null> {
  const row = await appointmentByIdStatement(d1, clinicId, id).first<AppointmentRow>();
  return row ? toAppointment(row) : null;
}

/** Where one appointment stands in each connected external calendar (no ids or tokens: state only). */
export interface AppointmentSyncState {
  provider: string;
  /** pending: a change has not reached the calendar yet; synced; error (see lastError); deleted. */
  state: string;
  lastError: string | null;
  lastSyncedAt: string | null;
}

/** The appointment and its sync state in one round trip (the details panel). */
export async function getAppointmentWithSync(
  d1: D1Database,
  clinicId: string,
  id: string,
): Promise<(Appointment & { sync: AppointmentSyncState[] }) | null> {
  const [a, links] = await d1.batch([
    appointmentByIdStatement(d1, clinicId, id),
    d1
      .prepare(
        "SELECT i.provider, l.state, l.last_error, l.updated_at, l.synced_version, ap.version " +
          "FROM appointment_links l JOIN calendar_integrations i ON i.id = l.integration_id " +
          "JOIN appointments ap ON ap.id = l.appointment_id " +
          "WHERE l.appointment_id = ? AND i.clinic_id = ? AND i.status != 'disconnected'",
      )
      .bind(id, clinicId),
  ]);
  const row = a.results[0] as AppointmentRow | undefined;
  if (!row) return null;
  const sync = (links.results as { provider: string; state: string; last_error: string | null; updated_at: number; synced_version: number; version: number }[]).map(
    (l) => ({
      provider: l.provider,
      // A link marked synced for an older version is still waiting for the newest change.
      state: l.state === "synced" && l.synced_version < l.version ? "pending" : l.state,
      lastError: l.last_error,
      lastSyncedAt: l.state === "synced" ? new Date(l.updated_at).toISOString() : null,
    }),
  );
  return { ...toAppointment(row), sync };
}

export interface BlockedRangeQuery {
  clinicId: string;
  fromMs: number;
  toMs: number;
  doctorId?: string;
}

/**
 * Blocked times overlapping [from, to). Blocked times have no maximum length
 * (all-day, multi-day leave), so the doctor query scans (doctor_id, end_ms > from).
 */
export function blockedRangeStatement(d1: D1Database, q: BlockedRangeQuery): D1PreparedStatement {
  if (q.doctorId)
    return d1
      .prepare(
        `SELECT ${BLOCKED_COLUMNS} FROM blocked_times INDEXED BY blocked_doctor_end_idx ` +
          "WHERE doctor_id = ? AND clinic_id = ? AND end_ms > ? AND start_ms < ? ORDER BY start_ms, id",
      )
      .bind(q.doctorId, q.clinicId, q.fromMs, q.toMs);
  return d1
    .prepare(
      `SELECT ${BLOCKED_COLUMNS} FROM blocked_times WHERE doctor_id IN (SELECT id FROM doctors WHERE clinic_id = ?) ` +
        "AND clinic_id = ? AND end_ms > ? AND start_ms < ? ORDER BY start_ms, id",
    )
    .bind(q.clinicId, q.clinicId, q.fromMs, q.toMs);
}
