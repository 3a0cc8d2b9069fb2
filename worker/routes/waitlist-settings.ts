// The clinic's self-reschedule and waitlist settings (issue #20):
//   GET /api/waitlist/settings   every staff role (the Waitlist screen shows the mode)
//   PUT /api/waitlist/settings   admin
import { Hono } from "hono";
import { z } from "zod";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb, toD1 } from "../db/client";
import type { AppEnv } from "../env";
import { notFound, validationError } from "../errors";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { parseStringList } from "../reminders/plan";
import { jsonBody } from "../validate";

const typeName = z.string().trim().min(1).max(64);

const SettingsBody = z.strictObject({
  selfReschedule: z.boolean().optional(),
  rescheduleLimit: z.number().int().min(0).max(20).optional(),
  rescheduleDays: z.number().int().min(1).max(90).optional(),
  noRescheduleTypes: z.array(typeName).max(50).optional(),
  waitlistMode: z.enum(["parallel", "sequential"]).optional(),
  waitlistParallel: z.number().int().min(1).max(10).optional(),
  waitlistReplyMinutes: z.number().int().min(5).max(24 * 60).optional(),
  sensitiveTypes: z.array(typeName).max(50).optional(),
});

const COLUMNS: Record<keyof z.infer<typeof SettingsBody>, string> = {
  selfReschedule: "self_reschedule",
  rescheduleLimit: "reschedule_limit",
  rescheduleDays: "reschedule_days",
  noRescheduleTypes: "no_reschedule_types",
  waitlistMode: "waitlist_mode",
  waitlistParallel: "waitlist_parallel",
  waitlistReplyMinutes: "waitlist_reply_min",
  sensitiveTypes: "sensitive_types",
};

const SQL = `SELECT ${Object.values(COLUMNS).join(", ")} FROM clinics WHERE id = ?`;

const dto = (r: Record<string, any>) => ({
  selfReschedule: r.self_reschedule === 1,
  rescheduleLimit: r.reschedule_limit,
  rescheduleDays: r.reschedule_days,
  noRescheduleTypes: parseStringList(r.no_reschedule_types),
  waitlistMode: r.waitlist_mode,
  waitlistParallel: r.waitlist_parallel,
  waitlistReplyMinutes: r.waitlist_reply_min,
  sensitiveTypes: parseStringList(r.sensitive_types),
});

export const waitlistSettingsRoutes = new Hono<AppEnv>()
  .use("*", requireSession, csrf)
  .get("/", async (c) => {
    const r = await c.env.DB.prepare(SQL).bind(c.var.user.clinicId).first<Record<string, any>>();
    if (!r) throw notFound("Clinic");
    return c.json({ settings: dto(r) });
  })
  .put("/", requireRole("admin"), async (c) => {
    const b = await jsonBody(c, SettingsBody);
    const keys = Object.keys(b) as (keyof typeof COLUMNS)[];
    if (!keys.length) throw validationError("Send at least one field to change.");
    const u = c.var.user;
    const value = (k: keyof typeof COLUMNS) => {
      const v = b[k];
      return Array.isArray(v) ? JSON.stringify(v) : typeof v === "boolean" ? (v ? 1 : 0) : v;
    };
    await c.env.DB.batch([
      c.env.DB.prepare(`UPDATE clinics SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(", ")} WHERE id = ?`).bind(...keys.map(value), u.clinicId),
      toD1(c.env.DB, auditInsert(makeDb(c.env.DB), u.clinicId, actorOf(u), "clinic.waitlist.update", "clinic", u.clinicId, { changed: keys })),
    ]);
    const r = await c.env.DB.prepare(SQL).bind(u.clinicId).first<Record<string, any>>();
    return c.json({ settings: dto(r!) });
  });
