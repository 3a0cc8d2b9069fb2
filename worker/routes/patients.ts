// Patients: prefix search, create, update. Any staff member of the clinic may use
// them (receptionists book, doctors look up their patients). Patients hold PHI:
// they stay inside the clinic's API and never go to external calendars.
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb } from "../db/client";
import { appointments, patients, patientTerms } from "../db/schema";
import { notFound } from "../errors";
import { newId } from "../ids";
import { csrf, requireSessionReadAhead } from "../middleware/session";
import { nameLc, patientDto, phoneDigits, type PatientDbRow } from "../patients/dto";
import { searchPatients } from "../patients/search";
import { nameTerms } from "../patients/terms";
import { isoDate, jsonBody, queryOf } from "../validate";
import { changed } from "../db/audit-diff";
import { idOf } from "./path-id";

const name = z.string().trim().min(1, "is required").max(200);
const phone = z
  .string()
  .trim()
  .max(40)
  .regex(/^[+\d\s().\-/]*$/, "may contain only digits, spaces and + ( ) . - /");
const email = z.union([z.literal(""), z.string().trim().toLowerCase().email("must be an e-mail address").max(254)]);
const dateOfBirth = isoDate.refine((d) => d >= "1900-01-01" && d <= new Date().toISOString().slice(0, 10), "must be a past date");

const SearchQuery = z.strictObject({
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
const CreateBody = z.strictObject({
  name,
  phone: phone.optional(),
  email: email.optional(),
  dateOfBirth: dateOfBirth.nullable().optional(),
});
const PatchBody = z
  .strictObject({ name: name.optional(), phone: phone.optional(), email: email.optional(), dateOfBirth: dateOfBirth.nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, "send at least one field to change");

/** A name always has at least one word (name is trimmed and non-empty). */
const termRows = (clinicId: string, patientId: string, name: string) => nameTerms(name).map((term) => ({ clinicId, term, patientId }));

const toRow = (p: typeof patients.$inferSelect): PatientDbRow => ({
  id: p.id,
  clinic_id: p.clinicId,
  name: p.name,
  name_lc: p.nameLc,
  phone: p.phone,
  phone_digits: p.phoneDigits,
  email: p.email,
  date_of_birth: p.dateOfBirth,
});

export const patientRoutes = new Hono<AppEnv>()
  .use("*", requireSessionReadAhead, csrf)
  .get("/", async (c) => {
    const q = queryOf(c, SearchQuery);
    const list = await searchPatients(c.env.DB, c.var.user.clinicId, q.q ?? "", q.limit ?? 20);
    return c.json({ patients: list });
  })
  .get("/:id", async (c) => {
    const id = idOf(c.req.param("id"), "Patient");
    const db = makeDb(c.env.DB);
    const p = await db.query.patients.findFirst({ where: and(eq(patients.id, id), eq(patients.clinicId, c.var.user.clinicId)) });
    if (!p) throw notFound("Patient");
    return c.json({ patient: patientDto(toRow(p)) });
  })
  .post("/", async (c) => {
    const b = await jsonBody(c, CreateBody);
    const u = c.var.user;
    const db = makeDb(c.env.DB);
    const now = Date.now();
    const row = {
      id: newId(),
      clinicId: u.clinicId,
      name: b.name,
      nameLc: nameLc(b.name),
      phone: b.phone ?? "",
      phoneDigits: phoneDigits(b.phone ?? ""),
      email: b.email ?? "",
      dateOfBirth: b.dateOfBirth ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await db.batch([
      db.insert(patients).values(row),
      db.insert(patientTerms).values(termRows(u.clinicId, row.id, row.name)),
      auditInsert(db, u.clinicId, actorOf(u), "patient.create", "patient", row.id, { after: patientDto(toRow(row)) }),
    ]);
    return c.json({ patient: patientDto(toRow(row)) }, 201);
  })
  .patch("/:id", async (c) => {
    const id = idOf(c.req.param("id"), "Patient");
    const b = await jsonBody(c, PatchBody);
    const u = c.var.user;
    const db = makeDb(c.env.DB);
    const before = await db.query.patients.findFirst({ where: and(eq(patients.id, id), eq(patients.clinicId, u.clinicId)) });
    if (!before) throw notFound("Patient");
    const set: Partial<typeof patients.$inferInsert> = { updatedAt: Date.now() };
    if (b.name !== undefined) Object.assign(set, { name: b.name, nameLc: nameLc(b.name) });
    if (b.phone !== undefined) Object.assign(set, { phone: b.phone, phoneDigits: phoneDigits(b.phone) });
    if (b.email !== undefined) set.email = b.email;
    if (b.dateOfBirth !== undefined) set.dateOfBirth = b.dateOfBirth;
    const after = { ...before, ...set };
    const renamed = b.name !== undefined && b.name !== before.name;
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
      auditInsert(db, u.clinicId, actorOf(u), "patient.update", "patient", id, changed(patientDto(toRow(before)), patientDto(toRow(after)))),
    ]);
    return c.json({ patient: patientDto(toRow(after)) });
  });
