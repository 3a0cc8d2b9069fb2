// Blocked time: manual blocks (lunch, leave) written here through the doctor's hub;
// external busy time (google/microsoft/caldav/ics) is listed here but written by the
// sync/import engines. Doctors manage only their own; admin/receptionist any doctor's.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { hubFor } from "../hub/doctor-hub";
import { csrf, readWithSession, requireSessionReadAhead } from "../middleware/session";
import { idParam, instant, jsonBody, queryOf } from "../validate";
import { blockedRangeStatement } from "../appointments/queries";
import { type BlockedTimeRow, toBlockedTime } from "../appointments/model";
import { type BlockedResult, readBlockedTime } from "../appointments/blocked-write";
import { callerOf, failureToError, MAX_RANGE_MS } from "./appointments";
import { idOf } from "./path-id";

const ListQuery = z
  .strictObject({ from: instant, to: instant, doctorId: idParam.optional() })
  .refine((q) => q.to > q.from, { path: ["to"], message: "must be after from" })
  .refine((q) => q.to - q.from <= MAX_RANGE_MS, { path: ["to"], message: "the range is at most 62 days" });

const CreateBody = z
  .strictObject({
    doctorId: idParam,
    start: instant,
    end: instant,
    label: z.string().trim().max(200).optional(),
    allDay: z.boolean().optional(),
  })
  .refine((b) => b.end > b.start, { path: ["end"], message: "must be after start" });

function answer(r: BlockedResult) {
  if (!r.ok) throw failureToError(r.error);
  return r.blockedTime;
}

export const blockedTimeRoutes = new Hono<AppEnv>()
  // The calendar loads these with every range: the session check and the read in one D1 batch
  // (as GET /api/appointments). Registered before the "*" middleware, which it replaces.
  .get("/", async (c) => {
    const [range] = await readWithSession(c, (u) => {
      const q = queryOf(c, ListQuery);
      return [blockedRangeStatement(c.env.DB, { clinicId: u.clinicId, fromMs: q.from, toMs: q.to, doctorId: q.doctorId })];
    });
    return c.json({ blockedTimes: (range.results as BlockedTimeRow[]).map(toBlockedTime) });
  })
  .use("*", requireSessionReadAhead, csrf)
  .post("/", async (c) => {
    const b = await jsonBody(c, CreateBody);
    const u = c.var.user;
    const r = await hubFor(c.env, b.doctorId).createBlockedTime(b.doctorId, callerOf(u), {
      clinicId: u.clinicId,
      doctorId: b.doctorId,
      startMs: b.start,
      endMs: b.end,
      label: b.label,
      allDay: b.allDay,
    });
    return c.json({ blockedTime: answer(r) }, 201);
  })
  .delete("/:id", async (c) => {
    const id = idOf(c.req.param("id"), "Blocked time");
    const u = c.var.user;
    const bt = await readBlockedTime(c.env.DB, u.clinicId, id);
    if (!bt) throw notFound("Blocked time");
    const r = await hubFor(c.env, bt.doctorId).deleteBlockedTime(bt.doctorId, callerOf(u), u.clinicId, id);
    return c.json({ ok: true, blockedTime: answer(r) });
  });
