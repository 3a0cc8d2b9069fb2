// Re-planning pending reminders when what they depend on changes outside an appointment write
// (appointment writes re-plan in their own batch, ./effect.ts):
//   - a patient's SMS consent, phone or e-mail (PUT /api/patients/:id/sms-consent, STOP/START
//     replies, PATCH /api/patients/:id): a patient who consents after booking gets SMS reminders
//     for the appointments already booked; a new number or address is where they go;
//   - the clinic's reminder rules or quiet hours (PUT /api/clinic/reminders): reminders already
//     planned follow the clinic's current rules.
// For each of the affected future appointments: the pending reminders not yet due are deleted
// and the plan inserted again (the unique key keeps what already went out; a skipped one is revived);
// the pending rows left (due, or retrying) take the patient's current address. The send path
// checks quiet hours as they are at send time too (./send.ts), so nothing goes out at night
// even while a re-plan runs.
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { insertPlanned, type PlannedAppointment } from "./effect";
import { type PlannedReminder, parseRules, parseStringList, planReminders } from "./plan";

interface ClinicPlanRow {
  time_zone: string;
  reminder_rules: string;
  quiet_start_min: number;
  quiet_end_min: number;
  no_reminder_types: string;
}

interface ApptRow {
  id: string;
  clinic_id: string;
  doctor_id: string;
  patient_id: string | null;
  start_ms: number;
  end_ms: number;
  status: string;
  type: string;
  p_email: string | null;
  p_phone: string | null;
  p_consent: number | null;
}

const CLINIC_SQL = "SELECT time_zone, reminder_rules, quiet_start_min, quiet_end_min, no_reminder_types FROM clinics WHERE id = ?";
const APPT_COLS =
  "a.id, a.clinic_id, a.doctor_id, a.patient_id, a.start_ms, a.end_ms, a.status, a.type, p.email AS p_email, p.phone AS p_phone, p.sms_consent AS p_consent";
/** Statements per D1 batch (each appointment takes 2 + its planned reminders). */
const BATCH_STATEMENTS = 400;
/** Appointments read per page of a clinic-wide re-plan. */
const PAGE = 500;

/** The current address of a pending reminder (e-mail, or phone while consenting to SMS). Bind: patient id. */
const ADDRESS_OF_PATIENT =
  "(SELECT CASE WHEN reminders.channel = 'email' THEN NULLIF(p.email, '') WHEN p.sms_consent = 1 THEN NULLIF(p.phone, '') END FROM patients p WHERE p.id = ?)";

const dialect = new SQLiteSyncDialect();

/**
 * The planned reminders of one appointment as D1 statements: the one way a reminder row is
 * written (./effect.ts insertPlanned), for code outside an appointment's batch (re-plans here,
 * the suggestions' extra SMS). The row carries the appointment's end and the patient's address.
 */
export function plannedStatements(d1: D1Database, a: PlannedAppointment, planned: PlannedReminder[], now: number): D1PreparedStatement[] {
  return insertPlanned(a, planned, now).map((q) => {
    const { sql, params } = dialect.sqlToQuery(q);
    return d1.prepare(sql).bind(...params);
  });
}

function statementsFor(d1: D1Database, clinic: ClinicPlanRow, appts: ApptRow[], now: number): D1PreparedStatement[] {
  const rules = parseRules(clinic.reminder_rules);
  const noReminderTypes = parseStringList(clinic.no_reminder_types);
  const quiet = { startMin: clinic.quiet_start_min, endMin: clinic.quiet_end_min };
  const out: D1PreparedStatement[] = [];
  for (const a of appts) {
    const planned = planReminders({
      startMs: a.start_ms,
      now,
      status: a.status,
      type: a.type,
      zone: clinic.time_zone,
      rules,
      quiet,
      noReminderTypes,
      patient: { hasEmail: !!a.p_email, smsOk: !!a.p_phone && a.p_consent === 1 },
    });
    out.push(d1.prepare("DELETE FROM reminders WHERE appointment_id = ? AND state = 'pending' AND due_at > ?").bind(a.id, now));
    out.push(...plannedStatements(d1, { id: a.id, clinicId: a.clinic_id, doctorId: a.doctor_id, patientId: a.patient_id, startMs: a.start_ms, endMs: a.end_ms }, planned, now));
    out.push(d1.prepare(`UPDATE reminders SET to_address = ${ADDRESS_OF_PATIENT} WHERE appointment_id = ? AND state = 'pending'`).bind(a.patient_id ?? "", a.id));
  }
  return out;
}

async function runInBatches(d1: D1Database, stmts: D1PreparedStatement[]): Promise<void> {
  for (let i = 0; i < stmts.length; i += BATCH_STATEMENTS) await d1.batch(stmts.slice(i, i + BATCH_STATEMENTS));
}

/** Re-plans the future appointments of these patients (one clinic). Returns how many appointments were re-planned. */
export async function replanPatients(d1: D1Database, clinicId: string, patientIds: string[], now = Date.now()): Promise<number> {
  if (!patientIds.length) return 0;
  const [clinicRes, apptRes] = await d1.batch([
    d1.prepare(CLINIC_SQL).bind(clinicId),
    d1
      .prepare(
        `SELECT ${APPT_COLS} FROM appointments a JOIN patients p ON p.id = a.patient_id
         WHERE a.patient_id IN (SELECT value FROM json_each(?2)) AND a.clinic_id = ?1 AND a.status IN ('scheduled', 'confirmed') AND a.start_ms > ?3
         ORDER BY a.start_ms LIMIT 1000`,
      )
      .bind(clinicId, JSON.stringify(patientIds), now),
  ]);
  const clinic = clinicRes.results[0] as ClinicPlanRow | undefined;
  if (!clinic) return 0;
  const appts = apptRes.results as ApptRow[];
  await runInBatches(d1, statementsFor(d1, clinic, appts, now));
  return appts.length;
}

/**
 * Re-plans every future appointment of the clinic (after its rules or quiet hours changed),
 * page by page along appointments_clinic_start_idx. A rare admin action: its cost is one read
 * per appointment and a few writes per reminder.
 */
export async function replanClinic(d1: D1Database, clinicId: string, now = Date.now()): Promise<number> {
  const clinic = await d1.prepare(CLINIC_SQL).bind(clinicId).first<ClinicPlanRow>();
  if (!clinic) return 0;
  let after = now;
  let afterId = "";
  let total = 0;
  for (;;) {
    const page = (
      await d1
        .prepare(
          `SELECT ${APPT_COLS} FROM appointments a LEFT JOIN patients p ON p.id = a.patient_id
           WHERE a.clinic_id = ?1 AND (a.start_ms > ?2 OR (a.start_ms = ?2 AND a.id > ?3)) AND a.status IN ('scheduled', 'confirmed')
           ORDER BY a.start_ms, a.id LIMIT ?4`,
        )
        .bind(clinicId, after, afterId, PAGE)
        .all<ApptRow>()
    ).results;
    await runInBatches(d1, statementsFor(d1, clinic, page, now));
    total += page.length;
    if (page.length < PAGE) return total;
    after = page[page.length - 1].start_ms;
    afterId = page[page.length - 1].id;
  }
}

/**
 * SMS consent withdrawn (a STOP reply, Twilio's 21610, staff unticking it): recorded on the
 * patient and, in the same batch, every pending SMS reminder of theirs is skipped, visibly.
 * `patientSql` is an SQL expression for the patient id with `binds` for its placeholders.
 */
export function consentOffStatements(d1: D1Database, patientSql: string, binds: unknown[], source: string, now: number): D1PreparedStatement[] {
  return [
    d1.prepare(`UPDATE patients SET sms_consent = 0, sms_consent_at = ?, sms_consent_source = ? WHERE id = ${patientSql}`).bind(now, source, ...binds),
    d1
      .prepare(
        `UPDATE reminders SET state = 'skipped', last_error = 'SMS consent withdrawn', to_address = NULL
         WHERE state = 'pending' AND channel = 'sms' AND appointment_id IN (SELECT id FROM appointments WHERE patient_id = ${patientSql})`,
      )
      .bind(...binds),
  ];
}
