// Shared by the iCalendar tests: appointment rows inserted straight into D1
// (the feed/export code reads D1; it does not care which writer made the row).
import { env } from "cloudflare:workers";
import ICAL from "ical.js";
import { newId } from "../../../worker/ids";

export interface ApptInsert {
  clinicId: string;
  doctorId: string;
  patientId: string;
  start: string;
  minutes?: number;
  type?: string;
  reason?: string;
  notes?: string;
  status?: string;
  version?: number;
}

export async function insertAppointment(a: ApptInsert): Promise<string> {
  const id = newId();
  const start = Date.parse(a.start);
  await env.DB.prepare(
    "INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, reason, status, notes, version, created_by, updated_by, created_at, updated_at) " +
      "VALUES (?, ?, ?, ?, (SELECT name FROM patients WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, 'test', 'test', ?, ?)",
  )
    .bind(id, a.clinicId, a.doctorId, a.patientId, a.patientId, start, start + (a.minutes ?? 30) * 60_000, a.type ?? "consultation", a.reason ?? "", a.status ?? "scheduled", a.notes ?? "", a.version ?? 1, Date.now(), Date.now())
    .run();
  return id;
}

/** Parses an .ics body with ical.js (registering its VTIMEZONEs) and returns the VCALENDAR component. */
export function parseIcs(text: string): ICAL.Component {
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const tz of comp.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
  return comp;
}

/** The text with folded lines joined back (for "does not contain" checks on long values). */
export const unfold = (t: string) => t.replace(/\r\n[ \t]/g, "");

export const daysFromNow = (d: number, hourUtc = 9) => {
  const x = new Date(Date.now() + d * 86400_000);
  x.setUTCHours(hourUtc, 0, 0, 0);
  return x.toISOString();
};

/**
 * Rows inserted straight into D1 bypass the DoctorHub; every real writer publishes the change
 * through it, which rebuilds the doctor's stored feed body. Do that, and wait for the rebuild.
 */
export async function published(doctorId: string): Promise<void> {
  const hub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId));
  await hub.publish(doctorId, { kind: "appointment", op: "updated", doctorId, record: {} } as never);
  await hub.idle();
}
