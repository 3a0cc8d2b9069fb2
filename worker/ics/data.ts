// D1 reads for the iCalendar features: the clinic's iCal settings and
// appointments with the doctor's and patient's names, already shaped for
// render.ts. Range reads reuse the appointments module's range statement (one
// place for the index choice and the tight look-back), batched with the
// doctors' names: one round trip, about one row read per appointment.
import { appointmentRangeStatement, type RangeQuery } from "../appointments/queries";
import type { AppointmentRow } from "../appointments/model";
import type { FeedEntry } from "./feed-delta";
import type { AppointmentStatus } from "../db/schema";
import type { IcsAppointment, IcsClinic } from "./render";

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

type ClinicRow = { id: string; name: string; time_zone: string; address: string; domain: string; reminder_minutes: string; email_templates: string };

/** The clinic columns clinicFromRow reads, for callers that select clinics their own way. */
export const CLINIC_COLUMNS = "c.id, c.name, c.time_zone, c.address, c.domain, c.reminder_minutes, c.email_templates";

/** The clinic's iCal settings as one statement, for callers that batch it (read the row with clinicFromRow). */
export function clinicStatement(d1: D1Database, clinicId: string): D1PreparedStatement {
  return d1.prepare(`SELECT ${CLINIC_COLUMNS} FROM clinics c WHERE c.id = ?`).bind(clinicId);
}

export function clinicFromRow(row: unknown): ClinicIcsRow | null {
  if (!row) return null;
  const r = row as ClinicRow;
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

export async function loadClinic(d1: D1Database, clinicId: string): Promise<ClinicIcsRow | null> {
  return clinicFromRow(await clinicStatement(d1, clinicId).first<ClinicRow>());
}

const COLUMNS =
  "a.id, a.doctor_id, d.name AS doctor_name, a.patient_name, p.email AS patient_email, a.start_ms, a.end_ms, " +
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
  video_url?: string | null;
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
  videoUrl: r.video_url ?? null,
});

/**
 * The SELECT of appointments with names, the patient's e-mail and the video link (read each row
 * with appointmentFromRow). `from` names the appointments `a` (a table, or a join that ends in
 * one); `where` filters them. One place for the shape invites and .ics downloads read.
 */
export const appointmentSelect = (from: string, where: string, extra = "") =>
  `SELECT ${COLUMNS}, v.url AS video_url${extra} FROM ${from} JOIN doctors d ON d.id = a.doctor_id JOIN patients p ON p.id = a.patient_id ` +
  `LEFT JOIN appointment_video v ON v.appointment_id = a.id WHERE ${where}`;

/** One appointment with names, the patient's e-mail and the video link, as a statement to batch (read with appointmentFromRow). */
export function appointmentStatement(d1: D1Database, clinicId: string, id: string): D1PreparedStatement {
  return d1.prepare(appointmentSelect("appointments a", "a.id = ? AND a.clinic_id = ?")).bind(id, clinicId);
}

export const appointmentFromRow = (r: unknown): IcsAppointment | null => (r ? toIcs(r as Row) : null);

export async function loadAppointment(d1: D1Database, clinicId: string, id: string): Promise<IcsAppointment | null> {
  return appointmentFromRow(await appointmentStatement(d1, clinicId, id).first<Row>());
}

export type RangeFilter = RangeQuery;

/**
 * Appointments overlapping [fromMs, toMs), ordered by start. No patient e-mail: only invites need it (loadAppointment).
 * No video links either: ranges (export, feeds) share the hot range query; a single appointment's .ics and invite have them.
 */
export async function loadAppointments(d1: D1Database, f: RangeFilter): Promise<IcsAppointment[]> {
  const [appts, docs] = await d1.batch([
    appointmentRangeStatement(d1, f),
    f.doctorId
      ? d1.prepare("SELECT id, name FROM doctors WHERE id = ? AND clinic_id = ?").bind(f.doctorId, f.clinicId)
      : d1.prepare("SELECT id, name FROM doctors WHERE clinic_id = ?").bind(f.clinicId),
  ]);
  const names = new Map((docs.results as { id: string; name: string }[]).map((d) => [d.id, d.name]));
  return (appts.results as AppointmentRow[]).map((r) =>
    toIcs({ ...r, doctor_name: names.get(r.doctor_id) ?? "", patient_name: r.patient_name ?? "", patient_email: "" }),
  );
}

// The columns a feed event is rendered from, and the rowid (the tie order of equal starts in the
// doctor's start index, which the stored feed merges by: ./feed-delta.ts). Read with raw(): a
// full read is ~2,000 rows, and D1 results as arrays of the columns asked for, not objects of
// every appointment column, are much less to transfer and turn into values (issue #18).
const FEED_ENTRY_COLUMNS = "a.id, a.doctor_id, a.patient_name, a.start_ms, a.end_ms, a.type, a.status, a.version, a.created_at, a.updated_at, a.rowid";
export type FeedEntryRow = [string, string, string | null, number, number, string, AppointmentStatus, number, number, number, number];

/** A doctor's feed events in [fromMs, toMs), in feed order (start, then rowid); read with .raw() and feedEntryOf. */
export function feedEntriesStatement(d1: D1Database, q: { clinicId: string; doctorId: string; fromMs: number; toMs: number }): D1PreparedStatement {
  return appointmentRangeStatement(d1, { ...q, columns: FEED_ENTRY_COLUMNS });
}

/** Those of `ids` that are the doctor's and in [fromMs, toMs) now (a feed rebuilt from its last build, ./feed-delta.ts); read like the above. */
export function changedEntriesStatement(d1: D1Database, q: { clinicId: string; doctorId: string; fromMs: number; toMs: number }, ids: string[]): D1PreparedStatement {
  return d1
    .prepare(
      // CROSS JOIN keeps json_each outermost: one primary-key probe per id. With "a.id IN
      // (SELECT value FROM json_each(?))" SQLite scanned the whole appointments table (27,000
      // rows read per booking in the cost bench).
      `SELECT ${FEED_ENTRY_COLUMNS} FROM json_each(?1) j CROSS JOIN appointments a ON a.id = j.value ` +
        "WHERE a.doctor_id = ?2 AND a.clinic_id = ?3 AND a.start_ms < ?4 AND a.end_ms > ?5",
    )
    .bind(JSON.stringify(ids), q.doctorId, q.clinicId, q.toMs, q.fromMs);
}

const FEED_ENTRY_NAMES = FEED_ENTRY_COLUMNS.split(", ").map((c) => c.slice(2));

/** A row of those statements read as an object (in a batch) as the array raw() gives. */
export const feedEntryRowOf = (o: Record<string, unknown>): FeedEntryRow => FEED_ENTRY_NAMES.map((n) => o[n]) as FeedEntryRow;

/** A feed event (no e-mail, no video link: see loadAppointments) from a raw row of the two statements above. */
export const feedEntryOf = (r: FeedEntryRow, doctorName: string): FeedEntry => ({
  a: toIcs({
    id: r[0],
    doctor_id: r[1],
    doctor_name: doctorName,
    patient_name: r[2] ?? "",
    patient_email: "",
    start_ms: r[3],
    end_ms: r[4],
    type: r[5],
    status: r[6],
    version: r[7],
    created_at: r[8],
    updated_at: r[9],
  }),
  rid: r[10],
});
