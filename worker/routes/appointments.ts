// Appointments API. Reads are one indexed D1 query scoped by the caller's clinic;
// writes go to the doctor's DoctorHub (serialized per doctor), which runs the one
// write path in appointments/write.ts. Role rules: admin and receptionist write any
// appointment of the clinic; a doctor writes only their own (checked in write.ts,
// where the stored doctor is known); only an admin deletes or books outside hours.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, SessionUser } from "../env";
import { actorOf } from "../db/audit";
import { APPOINTMENT_STATUSES } from "../db/schema";
import { ApiError, notFound, validationError } from "../errors";
import { hubFor } from "../hub/doctor-hub";
import { csrf, readWithSession, requireRole, requireSessionReadAhead, verifiedClaims } from "../middleware/session";
import { idParam, instant, jsonBody, queryOf } from "../validate";
import { appointmentRangeStatement, getAppointment, getAppointmentWithSync } from "../appointments/queries";
import { type AppointmentRow, toAppointment } from "../appointments/model";
import type { Caller, Failure, WriteResult } from "../appointments/write";
import { idOf } from "./path-id";

/** The widest range one list request may ask for (a month view plus margins). */
export const MAX_RANGE_MS = 62 * 86_400_000;

export const callerOf = (u: SessionUser): Caller => ({ actor: actorOf(u), role: u.role, doctorId: u.doctorId });

export function failureToError(e: Failure): ApiError {
  return new ApiError(e.status, e.code, e.message, e.details);
}

const status = z.enum(APPOINTMENT_STATUSES);
const text = (max: number) => z.string().max(max);

const ListQuery = z
  .strictObject({
    from: instant,
    to: instant,
    doctorId: idParam.optional(),
    status: z
      .string()
      .transform((s) => s.split(",").filter(Boolean))
      .pipe(z.array(status).min(1))
      .optional(),
  })
  .refine((q) => q.to > q.from, { path: ["to"], message: "must be after from" })
  .refine((q) => q.to - q.from <= MAX_RANGE_MS, { path: ["to"], message: "the range is at most 62 days" });

const CreateBody = z.strictObject({
  doctorId: idParam,
  patientId: idParam,
  start: instant,
  end: instant,
  type: text(64).optional(),
  reason: text(500).optional(),
  notes: text(5000).optional(),
  status: status.optional(),
  /** Admin only: book outside the doctor's working hours on purpose. */
  allowOutsideHours: z.boolean().optional(),
});

const PatchBody = z
  .strictObject({
  version: z.number().int().min(1),
  start: instant.optional(),
  end: instant.optional(),
  status: status.optional(),
  type: text(64).optional(),
  reason: text(500).optional(),
  notes: text(5000).optional(),
  patientId: idParam.optional(),
  doctorId: idParam.optional(),
  allowOutsideHours: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).some((k) => k !== "version" && k !== "allowOutsideHours"), "send at least one field to change");

const VersionBody = z.strictObject({ version: z.number().int().min(1) });
const DeleteQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });

function checkOverride(u: SessionUser, allow: boolean | undefined) {
  if (allow && u.role !== "admin") throw new ApiError(403, "forbidden", "Only an admin may book outside working hours.");
}

function answer(r: WriteResult) {
  if (!r.ok) throw failureToError(r.error);
  return { appointment: r.appointment };
}

export const appointmentRoutes = new Hono<AppEnv>()
  // Booking: the JWT is verified here, but whether the session is still live (not logged out,
  // user not disabled) is checked inside the booking's own D1 batch in the doctor's hub, not in
  // a round trip before it (issue #18). Registered before the "*" middleware, which it replaces.
  .post("/", async (c) => {
    const claims = await verifiedClaims(c);
    c.set("user", claims.user);
    await csrf(c, async () => {});
    const b = await jsonBody(c, CreateBody);
    const u = c.var.user;
    checkOverride(u, b.allowOutsideHours);
    if (!(b.start < b.end)) throw validationError("The request has invalid fields.", [{ path: "end", message: "must be after start" }]);
    const r = await hubFor(c.env, b.doctorId).createAppointment(
      b.doctorId,
      callerOf(u),
      {
        clinicId: u.clinicId,
        doctorId: b.doctorId,
        patientId: b.patientId,
        startMs: b.start,
        endMs: b.end,
        type: b.type,
        reason: b.reason,
        notes: b.notes,
        status: b.status,
        allowOutsideHours: b.allowOutsideHours,
      },
      claims,
    );
    return c.json(answer(r), 201);
  })
  // The calendar's week and day: the session check and the range read in one D1 batch (issue
  // #18). Registered before the "*" middleware, which it replaces (a GET needs no CSRF check).
  .get("/", async (c) => {
    const [range] = await readWithSession(c, (u) => {
      const q = queryOf(c, ListQuery);
      return [appointmentRangeStatement(c.env.DB, { clinicId: u.clinicId, fromMs: q.from, toMs: q.to, doctorId: q.doctorId, statuses: q.status })];
    });
    return c.json({ appointments: (range.results as AppointmentRow[]).map(toAppointment) });
  })
  .use("*", requireSessionReadAhead, csrf)
  .get("/:id", async (c) => {
    const a = await getAppointmentWithSync(c.env.DB, c.var.user.clinicId, idOf(c.req.param("id"), "Appointment"));
    if (!a) throw notFound("Appointment");
    return c.json({ appointment: a });
  })
  .patch("/:id", async (c) => {
    const id = idOf(c.req.param("id"), "Appointment");
    const b = await jsonBody(c, PatchBody);
    const u = c.var.user;
    checkOverride(u, b.allowOutsideHours);
    const current = await getAppointment(c.env.DB, u.clinicId, id);
    if (!current) throw notFound("Appointment");
    // A move to another doctor is serialized by the target doctor's hub (see appointments/write.ts).
    const target = b.doctorId ?? current.doctorId;
    const r = await hubFor(c.env, target).updateAppointment(target, callerOf(u), u.clinicId, id, {
      version: b.version,
      startMs: b.start,
      endMs: b.end,
      status: b.status,
      type: b.type,
      reason: b.reason,
      notes: b.notes,
      patientId: b.patientId,
      doctorId: b.doctorId,
      allowOutsideHours: b.allowOutsideHours,
    }, current);
    return c.json(answer(r));
  })
  .post("/:id/cancel", async (c) => {
    const id = idOf(c.req.param("id"), "Appointment");
    const b = await jsonBody(c, VersionBody);
    const u = c.var.user;
    const current = await getAppointment(c.env.DB, u.clinicId, id);
    if (!current) throw notFound("Appointment");
    const r = await hubFor(c.env, current.doctorId).cancelAppointment(current.doctorId, callerOf(u), u.clinicId, id, b.version, current);
    return c.json(answer(r));
  })
  .delete("/:id", requireRole("admin"), async (c) => {
    const id = idOf(c.req.param("id"), "Appointment");
    const q = queryOf(c, DeleteQuery);
    const u = c.var.user;
    const current = await getAppointment(c.env.DB, u.clinicId, id);
    if (!current) throw notFound("Appointment");
    const r = await hubFor(c.env, current.doctorId).deleteAppointment(current.doctorId, callerOf(u), u.clinicId, id, q.version);
    return c.json({ ok: true, ...answer(r) });
  });
