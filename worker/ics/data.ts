// D1 reads for the iCalendar features: the clinic's iCal settings and
// appointments joined with the doctor's and patient's names, already shaped
// for render.ts. One query each, on the indexes the schema defines.
import type { AppointmentStatus } from "../db/schema";
import type { IcsAppointment, IcsClinic } from "./render";

/** Appointments last at most 12 h (scheduling rules): bounds the index range scan. */
const MAX_DURATION_MS = 12 * 3600_000;

export interface ClinicIcsRow extends IcsClinic {
  emailTemplates: string;
}

export function parseReminders(json: string | null | undefined): number[] {
  try {
    const v = JSON.parse(json ?? "");
    if (Array.isArray(v)) return v.filter((x): x is number => Number.isInteger(x) && x > 0 && x <= 40320).slice(0, 5);
  } catch {
    // fall through to the default
  }
  return [1440, 60];
}

export async function loadClinic(d1: D1Database, clinicId: string): Promise<ClinicIcsRow | null> {
  const r = await d1
    .prepare("SELECT id, name, time_zone, address, domain, reminder_minutes, email_templates FROM clinics WHERE id = ?")
    .bind(clinicId)
    .first<{ id: string; name: string; time_zone: string; address: string; domain: string; reminder_minutes: string; email_templates: string }>();
  if (!r) return null;
  return {
    id: r.id,
    name: r.name,
    timeZone: r.time_zone,
    address: r.address,
    domain: r.domain,
    reminderMinutes: parseReminders(r.reminder_minutes),
    emailTemplates: r.email_templates,
  };
}

const COLUMNS =
  "a.id, a.doctor_id, d.name AS doctor_name, p.name AS patient_name, p.email AS patient_email, a.start_ms, a.end_ms, " +
  "a.type, a.status, a.version, a.created_at, a.updated_at";

interface Row {
  id: string;
  doctor_id: string;
  doctor_name: string;
  patient_name: string;
  patient_email: string;
  start_ms: number;
  end_ms: number;
  type: string;
  status: AppointmentStatus;
  version: number;
  created_at: number;
  updated_at: number;
}

const toIcs = (r: Row): IcsAppointment => ({
  id: r.id,
  doctorId: r.doctor_id,
  doctorName: r.doctor_name,
  patientName: r.patient_name,
  patientEmail: r.patient_email || undefined,
  startMs: r.start_ms,
  endMs: r.end_ms,
  type: r.type,
  status: r.status,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function loadAppointment(d1: D1Database, clinicId: string, id: string): Promise<IcsAppointment | null> {
  const r = await d1
    .prepare(
      `SELECT ${COLUMNS} FROM appointments a JOIN doctors d ON d.id = a.doctor_id JOIN patients p ON p.id = a.patient_id ` +
        "WHERE a.id = ? AND a.clinic_id = ?",
    )
    .bind(id, clinicId)
    .first<Row>();
  return r ? toIcs(r) : null;
}

export interface RangeFilter {
  clinicId: string;
  fromMs: number;
  toMs: number;
  doctorId?: string;
  statuses?: AppointmentStatus[];
}

/** Appointments overlapping [fromMs, toMs), ordered by start. */
export async function loadAppointments(d1: D1Database, f: RangeFilter): Promise<IcsAppointment[]> {
  const params: unknown[] = [f.clinicId];
  let where = "a.clinic_id = ?";
  if (f.doctorId) {
    where += " AND a.doctor_id = ?";
    params.push(f.doctorId);
  }
  where += " AND a.start_ms >= ? AND a.start_ms < ? AND a.end_ms > ?";
  params.push(f.fromMs - MAX_DURATION_MS, f.toMs, f.fromMs);
  if (f.statuses?.length) {
    where += ` AND a.status IN (${f.statuses.map(() => "?").join(",")})`;
    params.push(...f.statuses);
  }
  const index = f.doctorId ? "appointments_doctor_start_idx" : "appointments_clinic_start_idx";
  const { results } = await d1
    .prepare(
      `SELECT ${COLUMNS} FROM appointments a INDEXED BY ${index} JOIN doctors d ON d.id = a.doctor_id ` +
        `JOIN patients p ON p.id = a.patient_id WHERE ${where} ORDER BY a.start_ms, a.id`,
    )
    .bind(...params)
    .all<Row>();
  return results.map(toIcs);
}
