// Staff NPS in the app (issue #19): asked at most once a quarter (clinic zone).
//   GET  /api/nps/prompt   { due, quarter }: whether to ask this user now
//   POST /api/nps          { score: 0..10, comment? } → 201; 409 when answered this quarter
// The patients' NPS follow-up after a completed visit (worker/reminders/nps-follow-up.ts):
//   GET  /api/nps/follow-up  { enabled, delayMinutes }
//   PUT  /api/nps/follow-up  (admin) { enabled, delayMinutes: 0..4320 } → { …, backfilled }:
//        applies to visits completed from then on, and to those completed before whose
//        follow-up would still be ahead (end + delay after now; `backfilled` says how many);
//        turning it off also stops follow-ups already planned (the send checks the setting again).
import { Hono } from "hono";
import { z } from "zod";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb, toD1 } from "../db/client";
import { backfillNpsFollowUps, NPS_MAX_DELAY_MIN } from "../reminders/nps-follow-up";
import { hubFor } from "../hub/doctor-hub";
import type { AppEnv } from "../env";
import { conflict, validationError } from "../errors";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { NpsAnswer, parseComment, quarterOf } from "../analytics/nps";
import { clinicInfo } from "../analytics/sections";
import { jsonBody } from "../validate";

const FollowUpBody = z.strictObject({ enabled: z.boolean(), delayMinutes: z.number().int().min(0).max(NPS_MAX_DELAY_MIN) });
const DEFAULT_DELAY_MIN = 120;

export const npsRoutes = new Hono<AppEnv>()
  .use("*", requireSession, csrf)
  .get("/follow-up", async (c) => {
    const r = await c.env.DB.prepare("SELECT nps_follow_up_min AS min FROM clinics WHERE id = ?").bind(c.var.user.clinicId).first<{ min: number | null }>();
    return c.json({ enabled: r?.min != null, delayMinutes: r?.min ?? DEFAULT_DELAY_MIN, maxDelayMinutes: NPS_MAX_DELAY_MIN });
  })
  .put("/follow-up", requireRole("admin"), async (c) => {
    const b = await jsonBody(c, FollowUpBody);
    const u = c.var.user;
    const min = b.enabled ? b.delayMinutes : null;
    const [, , planned] = await c.env.DB.batch([
      c.env.DB.prepare("UPDATE clinics SET nps_follow_up_min = ? WHERE id = ?").bind(min, u.clinicId),
      toD1(c.env.DB, auditInsert(makeDb(c.env.DB), u.clinicId, actorOf(u), "clinic.nps_follow_up", "clinic", u.clinicId, { enabled: b.enabled, delayMinutes: b.delayMinutes })),
      // Off: plans nothing (the setting it reads is NULL by now).
      backfillNpsFollowUps(c.env.DB, u.clinicId, Date.now()),
    ]);
    // Each doctor's hub sets its alarm for the follow-ups it now has (the 5-minute cron would
    // wake it only once they are overdue).
    const doctors = [...new Set((planned.results as { doctor_id: string }[]).map((r) => r.doctor_id))];
    c.executionCtx.waitUntil(Promise.allSettled(doctors.map((id) => hubFor(c.env, id).kick(id))));
    return c.json({ enabled: b.enabled, delayMinutes: b.delayMinutes, maxDelayMinutes: NPS_MAX_DELAY_MIN, backfilled: planned.results.length });
  })
  .get("/prompt", async (c) => {
    const u = c.var.user;
    const quarter = quarterOf((await clinicInfo(c.env.DB, u.clinicId)).timeZone, Date.now());
    const done = await c.env.DB.prepare("SELECT 1 AS x FROM nps_responses WHERE user_id = ? AND quarter = ?").bind(u.userId, quarter).first();
    return c.json({ due: !done, quarter });
  })
  .post("/", async (c) => {
    const u = c.var.user;
    const body = await jsonBody(c, NpsAnswer);
    const comment = parseComment(body.comment);
    if (!comment.ok) throw validationError(comment.message, [{ path: "comment", message: comment.message }]);
    const now = Date.now();
    const quarter = quarterOf((await clinicInfo(c.env.DB, u.clinicId)).timeZone, now);
    const r = await c.env.DB.prepare(
      "INSERT INTO nps_responses (clinic_id, source, user_id, quarter, score, comment, at) VALUES (?, 'staff', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
      .bind(u.clinicId, u.userId, quarter, body.score, comment.value, now)
      .run();
    if (!r.meta.changes) throw conflict("already_answered", "You have answered this quarter already. Thank you!");
    return c.json({ quarter }, 201);
  });
