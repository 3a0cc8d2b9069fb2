// Staff accounts: an admin lists, creates and disables them, resets passwords and
// changes roles. Disabling, a password reset and a role change end every session of
// that user at once (users.session_epoch is bumped in the same UPDATE; requireSession
// compares it on every request). An admin resetting their own password keeps this
// session with a fresh token; their other sessions end.
// Role changes are between admin and receptionist: a doctor's account is tied to their
// calendar (doctor record, integrations), so to or from "doctor" means a new account.
import { and, asc, eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { hashPassword } from "../auth/passwords";
import { actorOf, auditInsert } from "../db/audit";
import { changed } from "../db/audit-diff";
import { makeDb } from "../db/client";
import { doctors, ROLES, users } from "../db/schema";
import { doctorDto } from "../doctors/dto";
import { doctorFields, newDoctorRow } from "../doctors/fields";
import { nextDoctorColour } from "../doctors/new-doctor";
import { conflict, notFound, validationError } from "../errors";
import { newId } from "../ids";
import { csrf, issueSession, requireRole, requireSession, sessionToken } from "../middleware/session";
import { currentEpoch, endLiveSessions } from "../auth/session-store";
import { jsonBody } from "../validate";
import { idOf } from "./path-id";

export const email = z.string().trim().toLowerCase().email("must be an e-mail address").max(254);
export const password = z.string().min(10, "must be at least 10 characters").max(1024);
export const name = z.string().trim().min(1, "is required").max(200);

const CreateBody = z.strictObject({
  email,
  name,
  role: z.enum(ROLES),
  password,
  /** For role "doctor": the doctor record created with the account. */
  doctor: z
    .strictObject({
      specialty: doctorFields.specialty.optional(),
      color: doctorFields.color.optional(),
      slotMinutes: doctorFields.slotMinutes.optional(),
      workingHours: doctorFields.workingHours.optional(),
    })
    .optional(),
});

const PatchBody = z
  .strictObject({ name: name.optional(), disabled: z.boolean().optional(), password: password.optional(), role: z.enum(ROLES).optional() })
  .refine((b) => Object.keys(b).length > 0, "send at least one field to change");

type UserRow = typeof users.$inferSelect;
const userDto = (u: UserRow, doctorId: string | null) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  disabled: u.disabled,
  doctorId,
  createdAt: new Date(u.createdAt).toISOString(),
});

const isUniqueViolation = (e: unknown) => /UNIQUE constraint failed: users\.email/.test(String((e as Error)?.message ?? e) + String((e as { cause?: unknown })?.cause ?? ""));

export const userRoutes = new Hono<AppEnv>()
  .use("*", requireSession, csrf, requireRole("admin"))
  .get("/", async (c) => {
    const db = makeDb(c.env.DB);
    const rows = await db
      .select({ user: users, doctorId: doctors.id })
      .from(users)
      .leftJoin(doctors, eq(doctors.userId, users.id))
      .where(eq(users.clinicId, c.var.user.clinicId))
      .orderBy(asc(users.name));
    return c.json({ users: rows.map((r) => userDto(r.user, r.doctorId)) });
  })
  .post("/", async (c) => {
    const b = await jsonBody(c, CreateBody);
    const me = c.var.user;
    if (b.doctor && b.role !== "doctor") {
      throw validationError("The request has invalid fields.", [
        { path: "doctor", message: "only for the doctor role" },
      ]);
    }
    const db = makeDb(c.env.DB);
    if (await db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, b.email) }))
      throw conflict("email_taken", "An account with this e-mail already exists.");
    const now = Date.now();
    const user: UserRow = {
      id: newId(),
      clinicId: me.clinicId,
      email: b.email,
      name: b.name,
      passwordHash: await hashPassword(b.password),
      role: b.role,
      disabled: false,
      createdAt: now,
      updatedAt: now,
      sessionEpoch: 0,
    };
    // A new doctor gets a palette colour no colleague has yet (unless one was chosen).
    const colour = b.role === "doctor" && !b.doctor?.color ? await nextDoctorColour(c.env.DB, me.clinicId) : undefined;
    const doctor = b.role === "doctor" ? newDoctorRow(newId(), me.clinicId, user.id, b.name, { ...b.doctor, ...(colour ? { color: colour } : {}) }, now) : null;
    const dto = userDto(user, doctor?.id ?? null);
    try {
      await db.batch([
        db.insert(users).values(user),
        auditInsert(db, me.clinicId, actorOf(me), "user.create", "user", user.id, { after: dto }),
        ...(doctor
          ? [
              db.insert(doctors).values(doctor),
              auditInsert(db, me.clinicId, actorOf(me), "doctor.create", "doctor", doctor.id, { after: { name: doctor.name, userId: user.id } }),
            ]
          : []),
      ]);
    } catch (e) {
      // Lost a race with another create of the same e-mail: the batch rolled back as a whole.
      if (isUniqueViolation(e)) throw conflict("email_taken", "An account with this e-mail already exists.");
      throw e;
    }
    return c.json({ user: dto, ...(doctor ? { doctor: doctorDto(doctor) } : {}) }, 201);
  })
  .patch("/:id", async (c) => {
    const id = idOf(c.req.param("id"), "User");
    const b = await jsonBody(c, PatchBody);
    const me = c.var.user;
    const db = makeDb(c.env.DB);
    const row = await db
      .select({ user: users, doctorId: doctors.id })
      .from(users)
      .leftJoin(doctors, eq(doctors.userId, users.id))
      .where(and(eq(users.id, id), eq(users.clinicId, me.clinicId)))
      .get();
    if (!row) throw notFound("User");
    if (id === me.userId && b.disabled === true)
      throw conflict("cannot_disable_self", "You cannot disable your own account; ask another admin.");
    const roleChange = b.role !== undefined && b.role !== row.user.role;
    if (roleChange && id === me.userId)
      throw conflict("cannot_change_own_role", "You cannot change your own role; ask another admin.");
    if (roleChange && (b.role === "doctor" || row.user.role === "doctor"))
      throw conflict("role_change_unsupported", "A doctor's account is tied to their calendar: create a new account instead of changing its role.");
    const set: Partial<UserRow> = { updatedAt: Date.now() };
    if (b.name !== undefined) set.name = b.name;
    if (b.disabled !== undefined) set.disabled = b.disabled;
    if (b.password !== undefined) set.passwordHash = await hashPassword(b.password);
    if (roleChange) set.role = b.role;
    // Any of these ends every session of the user at once.
    const endSessions = b.password !== undefined || b.disabled === true || roleChange;
    const after = { ...row.user, ...set };
    const diff = changed(userDto(row.user, row.doctorId), userDto(after, row.doctorId));
    await db.batch([
      db
        .update(users)
        .set(endSessions ? { ...set, sessionEpoch: sql`${users.sessionEpoch} + 1` } : set)
        .where(and(eq(users.id, id), eq(users.clinicId, me.clinicId))),
      auditInsert(db, me.clinicId, actorOf(me), b.disabled === true ? "user.disable" : "user.update", "user", id, {
        ...diff,
        ...(b.password !== undefined ? { passwordReset: true } : {}),
        ...(endSessions ? { sessionsEnded: true } : {}),
      }),
    ]);
    if (endSessions) await endLiveSessions(c.env, me.clinicId, id);
    if (endSessions && id === me.userId) {
      // An admin who reset their own password keeps this session (with a new token).
      const token = await issueSession(c, me, await currentEpoch(c.env.DB, me.userId), !sessionToken(c).bearer);
      return c.json({ user: userDto(after, row.doctorId), token });
    }
    return c.json({ user: userDto(after, row.doctorId) });
  });
