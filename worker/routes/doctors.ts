// Doctors: every staff member lists them (the calendar needs them); an admin
// creates and edits them; a doctor may edit their own working hours, slot
// length and colour. Every write is audited in the same D1 batch.
import { and, asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { actorOf, auditInsert } from "../db/audit";
import { changed } from "../db/audit-diff";
import { makeDb } from "../db/client";
import { doctors, users } from "../db/schema";
import { doctorDto } from "../doctors/dto";
import { doctorFields, newDoctorRow } from "../doctors/fields";
import { nextDoctorColour } from "../doctors/new-doctor";
import { publishDoctorChange } from "../live/doctor-change";
import { conflict, forbidden, notFound, validationError } from "../errors";
import { newId } from "../ids";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { idParam, jsonBody, queryOf } from "../validate";
import { idOf } from "./path-id";
import { offerNewWorkingTime } from "../waitlist/new-hours";

const ListQuery = z.strictObject({ includeInactive: z.enum(["true", "false"]).optional() });

const CreateBody = z.strictObject({
  name: doctorFields.name,
  specialty: doctorFields.specialty.optional(),
  color: doctorFields.color.optional(),
  slotMinutes: doctorFields.slotMinutes.optional(),
  workingHours: doctorFields.workingHours.optional(),
  appointmentTypes: doctorFields.appointmentTypes.optional(),
  /** An existing doctor-role user of the clinic to link (log-in for this doctor). */
  userId: idParam.optional(),
});

const AdminPatch = z
  .strictObject({
    name: doctorFields.name.optional(),
    specialty: doctorFields.specialty.optional(),
    color: doctorFields.color.optional(),
    slotMinutes: doctorFields.slotMinutes.optional(),
    workingHours: doctorFields.workingHours.optional(),
    appointmentTypes: doctorFields.appointmentTypes.optional(),
    active: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "send at least one field to change");

/** What doctors may change about themselves. */
const SELF_FIELDS = new Set(["slotMinutes", "workingHours", "color"]);

export const doctorRoutes = new Hono<AppEnv>()
  .use("*", requireSession, csrf)
  .get("/", async (c) => {
    const q = queryOf(c, ListQuery);
    const u = c.var.user;
    const all = q.includeInactive === "true" && u.role === "admin";
    const db = makeDb(c.env.DB);
    const rows = await db
      .select()
      .from(doctors)
      .where(all ? eq(doctors.clinicId, u.clinicId) : and(eq(doctors.clinicId, u.clinicId), eq(doctors.active, true)))
      .orderBy(asc(doctors.name));
    return c.json({ doctors: rows.map(doctorDto) });
  })
  .get("/:id", async (c) => {
    const id = idOf(c.req.param("id"), "Doctor");
    const db = makeDb(c.env.DB);
    const d = await db.query.doctors.findFirst({ where: and(eq(doctors.id, id), eq(doctors.clinicId, c.var.user.clinicId)) });
    if (!d) throw notFound("Doctor");
    return c.json({ doctor: doctorDto(d) });
  })
  .post("/", requireRole("admin"), async (c) => {
    const b = await jsonBody(c, CreateBody);
    const u = c.var.user;
    const db = makeDb(c.env.DB);
    if (b.userId) {
      const linked = await db.query.users.findFirst({ where: and(eq(users.id, b.userId), eq(users.clinicId, u.clinicId)) });
      if (!linked) throw notFound("User");
      if (linked.role !== "doctor")
        throw validationError("The request has invalid fields.", [{ path: "userId", message: "must be a user with the doctor role" }]);
      const taken = await db.query.doctors.findFirst({ where: eq(doctors.userId, b.userId) });
      if (taken) throw conflict("user_already_linked", "That user is already linked to a doctor.");
    }
    const now = Date.now();
    // A palette colour no colleague has yet, unless one was chosen.
    const row = newDoctorRow(newId(), u.clinicId, b.userId ?? null, b.name, { ...b, color: b.color ?? (await nextDoctorColour(c.env.DB, u.clinicId)) }, now);
    const [[created]] = await db.batch([
      db.insert(doctors).values(row).returning(),
      auditInsert(db, u.clinicId, actorOf(u), "doctor.create", "doctor", row.id, { after: { name: row.name, userId: row.userId } }),
    ]);
    return c.json({ doctor: doctorDto(created) }, 201);
  })
  .patch("/:id", async (c) => {
    const id = idOf(c.req.param("id"), "Doctor");
    const u = c.var.user;
    const db = makeDb(c.env.DB);
    // Existence in the caller's clinic first: another clinic's doctor is a 404 for every role.
    const before = await db.query.doctors.findFirst({ where: and(eq(doctors.id, id), eq(doctors.clinicId, u.clinicId)) });
    if (!before) throw notFound("Doctor");
    const self = u.role === "doctor" && u.doctorId === id;
    if (u.role !== "admin" && !self) throw forbidden("Only an admin, or the doctor themself, can change a doctor.");
    const b = await jsonBody(c, AdminPatch);
    if (u.role !== "admin") {
      const extra = Object.keys(b).filter((k) => !SELF_FIELDS.has(k));
      if (extra.length) throw forbidden(`Only an admin can change ${extra.join(", ")}.`);
    }
    const set: Partial<typeof doctors.$inferInsert> = { updatedAt: Date.now() };
    if (b.name !== undefined) set.name = b.name;
    if (b.specialty !== undefined) set.specialty = b.specialty;
    if (b.color !== undefined) set.color = b.color;
    if (b.slotMinutes !== undefined) set.slotMinutes = b.slotMinutes;
    if (b.workingHours !== undefined) set.workingHours = JSON.stringify(b.workingHours);
    if (b.appointmentTypes !== undefined) set.appointmentTypes = JSON.stringify(b.appointmentTypes);
    if (b.active !== undefined) set.active = b.active;
    const after = { ...before, ...set } as typeof before;
    await db.batch([
      db.update(doctors).set(set).where(and(eq(doctors.id, id), eq(doctors.clinicId, u.clinicId))),
      auditInsert(db, u.clinicId, actorOf(u), "doctor.update", "doctor", id, changed(doctorDto(before), doctorDto(after))),
    ]);
    await publishDoctorChange(c.env, u.clinicId, doctorDto(after));
    // New working time is offered to the waitlist (issue #20).
    if (set.workingHours) await offerNewWorkingTime(c.env, u.clinicId, id, before.workingHours, set.workingHours).catch((err) => console.error("waitlist: new hours", err));
    return c.json({ doctor: doctorDto(after) });
  });
