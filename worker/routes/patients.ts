// Patients: prefix search, create, update. Any staff member of the clinic may use
// them (receptionists book, doctors look up their patients). Patients hold PHI:
// they stay inside the clinic's API and never go to external calendars.
import { and, eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb } from "../db/client";
import { appointments, emailOutbox, patients, patientTerms } from "../db/schema";
import { notFound, validationError } from "../errors";
import { newId } from "../ids";
import { csrf, requireSessionReadAhead } from "../middleware/session";
import { nameLc, patientDto, type PatientDbRow } from "../patients/dto";
import { replanPatients } from "../reminders/replan";
import { type PhoneRegion, storedPhoneDigits } from "../sms/phone";
import { searchPatients } from "../patients/search";
import { nameTerms } from "../patients/terms";
import { instant, isoDate, jsonBody, queryOf } from "../validate";
import { APPOINTMENT_COLUMNS, type AppointmentRow, toAppointment } from "../appointments/model";
import { changed } from "../db/audit-diff";
import { utcToLocal } from "../scheduling/zone";
import { idOf } from "./path-id";

const name = z.string().trim().min(1, "is required").max(200);
const phone = z
  .string()
  .trim()
  .max(40)
  .regex(/^[+\d\s().\-/]*$/, "may contain only digits, spaces and + ( ) . - /");
const email = z.union([z.literal(""), z.string().trim().toLowerCase().email("must be an e-mail address").max(254)]);
// Not after today: the CLINIC's today (bornBy below), not UTC's, or a Sydney clinic could not
// register a baby born that morning before 10:00. Here only what holds anywhere: from 1900, and
// not after the latest today on Earth (UTC+14).
const PAST_DATE = "must be a past date";
const dateOfBirth = isoDate.refine((d) => d >= "1900-01-01" && d <= new Date(Date.now() + 14 * 3_600_000).toISOString().slice(0, 10), PAST_DATE);

/** Refuses a date of birth after the clinic's own today (422, as the schema would). */
async function bornBy(env: AppEnv["Bindings"], clinicId: string, d: string | null | undefined) {
  if (!d) return;
  const c = await env.DB.prepare("SELECT time_zone FROM clinics WHERE id = ?").bind(clinicId).first<{ time_zone: string }>();
  if (d > utcToLocal(c?.time_zone ?? "UTC", Date.now()).date) throw validationError("The request has invalid fields.", [{ path: "dateOfBirth", message: PAST_DATE }]);
}

/** Free-text notes for staff (allergies, access needs); PHI, shown only on the patient's own page. */
const notes = z.string().max(5000);

const SearchQuery = z.strictObject({
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
const CreateBody = z.strictObject({
  name,
  phone: phone.optional(),
  email: email.optional(),
  dateOfBirth: dateOfBirth.nullable().optional(),
  notes: notes.optional(),
});
const PatchBody = z
  .strictObject({ name: name.optional(), phone: phone.optional(), email: email.optional(), dateOfBirth: dateOfBirth.nullable().optional(), notes: notes.optional() })
  .refine((b) => Object.keys(b).length > 0, "send at least one field to change");

/** A name always has at least one word (name is trimmed and non-empty). */
const termRows = (clinicId: string, patientId: string, name: string) => nameTerms(name).map((term) => ({ clinicId, term, patientId }));

/** The patient columns this route reads and writes (SMS consent has its own flow: worker/reminders). */
type PatientRecord = Omit<typeof patients.$inferSelect, "smsConsent" | "smsConsentAt" | "smsConsentSource">;

const toRow = (p: PatientRecord): PatientDbRow => ({
  id: p.id,
  clinic_id: p.clinicId,
  name: p.name,
  name_lc: p.nameLc,
  phone: p.phone,
  phone_digits: p.phoneDigits,
  email: p.email,
  date_of_birth: p.dateOfBirth,
});

/** One patient with their notes (the list and search results leave notes out: they are not needed there). */
const detailDto = (p: PatientRecord) => ({ ...patientDto(toRow(p)), notes: p.notes });

/** The most appointments one history page returns (newest first; `before` pages further back). */
const HISTORY_LIMIT = 100;
const HistoryQuery = z.strictObject({ before: instant.optional() });

/** Where the clinic's patients' national numbers are read: its country, else the deployment's calling code. */
async function phoneRegion(env: AppEnv["Bindings"], clinicId: string): Promise<PhoneRegion> {
  const c = await env.DB.prepare("SELECT country FROM clinics WHERE id = ?").bind(clinicId).first<{ country: string }>();
  return { country: c?.country, callingCode: env.SMS_DEFAULT_COUNTRY_CODE };
}

export const patientRoutes = new Hono<AppEnv>()
  .use("*", requireSessionReadAhead, csrf)
  .get("/", async (c) => {
    const q = queryOf(c, SearchQuery);
    const region = /\d/.test(q.q ?? "") ? await phoneRegion(c.env, c.var.user.clinicId) : {};
    const list = await searchPatients(c.env.DB, c.var.user.clinicId, q.q ?? "", q.limit ?? 20, region);
    return c.json({ patients: list });
  })
  .get("/:id", async (c) => {
    const id = idOf(c.req.param("id"), "Patient");
    const db = makeDb(c.env.DB);
    const p = await db.query.patients.findFirst({ where: and(eq(patients.id, id), eq(patients.clinicId, c.var.user.clinicId)) });
    if (!p) throw notFound("Patient");
    return c.json({ patient: detailDto(p) });
  })
  // The patient's appointment history, newest first, every status (cancelled ones too: the
  // receptionist asks "did they cancel last time?"). Uses appointments_patient_idx.
  .get("/:id/appointments", async (c) => {
    const id = idOf(c.req.param("id"), "Patient");
    const q = queryOf(c, HistoryQuery);
    const clinicId = c.var.user.clinicId;
    const exists = await c.env.DB.prepare("SELECT 1 AS x FROM patients WHERE id = ? AND clinic_id = ?").bind(id, clinicId).first();
    if (!exists) throw notFound("Patient");
    const rows = await c.env.DB.prepare(
      `SELECT ${APPOINTMENT_COLUMNS} FROM appointments a WHERE a.patient_id = ?1 AND a.clinic_id = ?2 AND a.start_ms < ?3
       ORDER BY a.start_ms DESC LIMIT ?4`,
    )
      .bind(id, clinicId, q.before ?? Number.MAX_SAFE_INTEGER, HISTORY_LIMIT + 1)
      .all<AppointmentRow>();
    const list = rows.results.slice(0, HISTORY_LIMIT).map(toAppointment);
    return c.json({ appointments: list, more: rows.results.length > HISTORY_LIMIT });
  })
  .post("/", async (c) => {
    const b = await jsonBody(c, CreateBody);
    const u = c.var.user;
    await bornBy(c.env, u.clinicId, b.dateOfBirth);
    const db = makeDb(c.env.DB);
    const now = Date.now();
    const row = {
      id: newId(),
      clinicId: u.clinicId,
      name: b.name,
      nameLc: nameLc(b.name),
      phone: b.phone ?? "",
      phoneDigits: storedPhoneDigits(b.phone ?? "", await phoneRegion(c.env, u.clinicId)),
      email: b.email ?? "",
      dateOfBirth: b.dateOfBirth ?? null,
      notes: b.notes ?? "",
      createdAt: now,
      updatedAt: now,
    };
    await db.batch([
      db.insert(patients).values(row),
      db.insert(patientTerms).values(termRows(u.clinicId, row.id, row.name)),
      auditInsert(db, u.clinicId, actorOf(u), "patient.create", "patient", row.id, { after: patientDto(toRow(row)) }),
    ]);
    return c.json({ patient: detailDto(row) }, 201);
  })
  .patch("/:id", async (c) => {
    const id = idOf(c.req.param("id"), "Patient");
    const b = await jsonBody(c, PatchBody);
    const u = c.var.user;
    await bornBy(c.env, u.clinicId, b.dateOfBirth);
    const db = makeDb(c.env.DB);
    const before = await db.query.patients.findFirst({ where: and(eq(patients.id, id), eq(patients.clinicId, u.clinicId)) });
    if (!before) throw notFound("Patient");
    const set: Partial<typeof patients.$inferInsert> = { updatedAt: Date.now() };
    if (b.name !== undefined) Object.assign(set, { name: b.name, nameLc: nameLc(b.name) });
    if (b.phone !== undefined) Object.assign(set, { phone: b.phone, phoneDigits: storedPhoneDigits(b.phone, await phoneRegion(c.env, u.clinicId)) });
    if (b.email !== undefined) set.email = b.email;
    if (b.dateOfBirth !== undefined) set.dateOfBirth = b.dateOfBirth;
    if (b.notes !== undefined) set.notes = b.notes;
    const after = { ...before, ...set };
    const renamed = b.name !== undefined && b.name !== before.name;
    const readdressed = b.email !== undefined && b.email !== before.email;
    await db.batch([
      db.update(patients).set(set).where(and(eq(patients.id, id), eq(patients.clinicId, u.clinicId))),
      ...(renamed
        ? [
            db.delete(patientTerms).where(eq(patientTerms.patientId, id)),
            db.insert(patientTerms).values(termRows(u.clinicId, id, b.name!)),
            // Appointments carry a copy of the name (schema.ts appointments.patient_name): rename it with the patient.
            db.update(appointments).set({ patientName: b.name! }).where(eq(appointments.patientId, id)),
          ]
        : []),
      // Invite e-mails not sent yet (held, or waiting for a retry) carry the address they go to:
      // a corrected address must not leave them going to the old one, maybe a stranger's. No
      // address any more: they are not sent. Rows from before migration 0024 name no patient and
      // are matched by the old address on this patient's appointments.
      ...(readdressed
        ? [
            db
              .update(emailOutbox)
              .set(b.email ? { toAddress: b.email } : { state: "superseded", lastError: "the patient has no e-mail address any more" })
              .where(
                and(
                  eq(emailOutbox.state, "pending"),
                  eq(emailOutbox.clinicId, u.clinicId),
                  sql`(${emailOutbox.patientId} = ${id} OR (${emailOutbox.patientId} IS NULL AND ${emailOutbox.toAddress} = ${before.email}
                    AND ${emailOutbox.appointmentId} IN (SELECT a.id FROM appointments a WHERE a.patient_id = ${id})))`,
                ),
              ),
          ]
        : []),
      auditInsert(db, u.clinicId, actorOf(u), "patient.update", "patient", id, {
        ...changed(patientDto(toRow(before)), patientDto(toRow(after))),
        // That the notes changed, not what they say: the audit log is read more widely than the chart.
        ...(b.notes !== undefined && b.notes !== before.notes ? { notesChanged: true } : {}),
      }),
    ]);
    // Pending reminders carry the address they go to: a new phone or e-mail re-plans them.
    if ((b.phone !== undefined && b.phone !== before.phone) || readdressed)
      await replanPatients(c.env.DB, u.clinicId, [id]);
    return c.json({ patient: detailDto(after) });
  });
