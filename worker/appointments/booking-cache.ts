// What a booking reads before its write batch, remembered by the doctor's DoctorHub (issue #18).
//
// A booking used to be two D1 round trips from the hub: a read batch (doctor + clinic settings,
// patient, overlapping appointments and blocked time) and the write batch. Now:
// - overlaps and blocked time (busy blocks included) are checked only by the guard inside the
//   write batch (write.ts slotFreeSql); their rows are read only when it refuses, for the 409;
// - the doctor's and clinic's settings (working hours, zone, reminder and video settings) and
//   the patient's row are remembered here after the first read, and the write batch re-checks
//   that every remembered value is still the stored one (cachedGuardSql). So a settings change
//   made anywhere (routes, another isolate) needs no invalidation message: the next booking's
//   guard sees it, the booking is redone with fresh reads, and the cache is refilled.
// With both remembered, a booking is ONE D1 batch. The working-hours rule is computed from the
// (guarded) settings in the hub, so an admin's "book outside hours" override skips it as before.
import { type SQL, sql } from "drizzle-orm";

export interface DoctorSettings {
  clinic_id: string;
  working_hours: string;
  active: number;
  time_zone: string;
  reminder_rules: string;
  quiet_start_min: number;
  quiet_end_min: number;
  no_reminder_types: string;
  video_types: string;
  jitsi_base_url: string;
}

export interface PatientContact {
  id: string;
  clinic_id: string;
  name: string;
  email: string;
  phone_digits: string;
  sms_consent: number;
}

/** Patients remembered per hub: a doctor sees a few hundred regulars; oldest dropped first. */
const PATIENTS_MAX = 500;

export class BookingCache {
  private readonly doctors = new Map<string, DoctorSettings>();
  private readonly patients = new Map<string, PatientContact>();

  doctor(id: string): DoctorSettings | undefined {
    return this.doctors.get(id);
  }

  patient(id: string): PatientContact | undefined {
    const p = this.patients.get(id);
    if (p) {
      // Most recently used last, so the oldest is dropped first.
      this.patients.delete(id);
      this.patients.set(id, p);
    }
    return p;
  }

  remember(doctorId: string, doctor: DoctorSettings | null, patient: PatientContact | null): void {
    if (doctor) this.doctors.set(doctorId, doctor);
    if (patient) {
      this.patients.delete(patient.id);
      if (this.patients.size >= PATIENTS_MAX) this.patients.delete(this.patients.keys().next().value!);
      this.patients.set(patient.id, patient);
    }
  }

  forget(doctorId: string, patientId: string): void {
    this.doctors.delete(doctorId);
    this.patients.delete(patientId);
  }
}

/** True at commit time only if every remembered value is still the stored one. */
export function cachedGuardSql(doctorId: string, d: DoctorSettings, p: PatientContact): SQL {
  return sql`EXISTS (SELECT 1 FROM doctors d JOIN clinics c ON c.id = d.clinic_id WHERE d.id = ${doctorId}
      AND d.clinic_id = ${d.clinic_id} AND d.working_hours = ${d.working_hours} AND d.active = ${d.active}
      AND c.time_zone = ${d.time_zone} AND c.reminder_rules = ${d.reminder_rules} AND c.quiet_start_min = ${d.quiet_start_min}
      AND c.quiet_end_min = ${d.quiet_end_min} AND c.no_reminder_types = ${d.no_reminder_types} AND c.video_types = ${d.video_types}
      AND c.jitsi_base_url = ${d.jitsi_base_url})
    AND EXISTS (SELECT 1 FROM patients WHERE id = ${p.id} AND clinic_id = ${p.clinic_id} AND name = ${p.name}
      AND email = ${p.email} AND phone_digits = ${p.phone_digits} AND sms_consent = ${p.sms_consent})`;
}
