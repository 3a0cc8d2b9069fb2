// The Appointment as the API (and live updates, and the sync/iCal engines) see it,
// and the mapping from D1 rows. Times are ISO 8601 UTC strings outside, epoch ms inside.
import type { AppointmentStatus } from "../db/schema";

export interface Appointment {
  id: string;
  clinicId: string;
  doctorId: string;
  patientId: string;
  patientName: string;
  start: string;
  end: string;
  type: string;
  reason: string;
  status: AppointmentStatus;
  notes: string;
  version: number;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A row of APPOINTMENT_COLUMNS (from `appointments a`). */
export interface AppointmentRow {
  id: string;
  clinic_id: string;
  doctor_id: string;
  patient_id: string;
  patient_name: string | null;
  start_ms: number;
  end_ms: number;
  type: string;
  reason: string;
  status: AppointmentStatus;
  notes: string;
  version: number;
  created_by: string;
  updated_by: string;
  created_at: number;
  updated_at: number;
}

export const APPOINTMENT_COLUMNS =
  "a.id, a.clinic_id, a.doctor_id, a.patient_id, a.patient_name, a.start_ms, a.end_ms, a.type, a.reason, " +
  "a.status, a.notes, a.version, a.created_by, a.updated_by, a.created_at, a.updated_at";

export const iso = (ms: number) => new Date(ms).toISOString();

export function toAppointment(r: AppointmentRow): Appointment {
  return {
    id: r.id,
    clinicId: r.clinic_id,
    doctorId: r.doctor_id,
    patientId: r.patient_id,
    patientName: r.patient_name ?? "",
    start: iso(r.start_ms),
    end: iso(r.end_ms),
    type: r.type,
    reason: r.reason,
    status: r.status,
    notes: r.notes,
    version: r.version,
    createdBy: r.created_by,
    updatedBy: r.updated_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/** Cancelled appointments free their slot; every other status blocks it. */
export const isActive = (status: AppointmentStatus) => status !== "cancelled";

export interface BlockedTime {
  id: string;
  doctorId: string;
  start: string;
  end: string;
  source: string;
  label: string;
  allDay: boolean;
}

export interface BlockedTimeRow {
  id: string;
  clinic_id: string;
  doctor_id: string;
  start_ms: number;
  end_ms: number;
  source: string;
  label: string;
  all_day: number;
}

export const BLOCKED_COLUMNS = "id, clinic_id, doctor_id, start_ms, end_ms, source, label, all_day";

export const toBlockedTime = (r: BlockedTimeRow): BlockedTime => ({
  id: r.id,
  doctorId: r.doctor_id,
  start: iso(r.start_ms),
  end: iso(r.end_ms),
  source: r.source,
  label: r.label,
  allDay: !!r.all_day,
});
