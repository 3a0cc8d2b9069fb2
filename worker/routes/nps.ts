// Staff NPS in the app (issue #19): asked at most once a quarter (clinic zone).
//   GET  /api/nps/prompt   { due, quarter }: whether to ask this user now
//   POST /api/nps          { score: 0..10, comment? } → 201; 409 when answered this quarter
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { conflict, validationError } from "../errors";
import { csrf, requireSession } from "../middleware/session";
import { NpsAnswer, parseComment, quarterOf } from "../analytics/nps";
import { clinicInfo } from "../analytics/sections";
import { jsonBody } from "../validate";

export const npsRoutes = new Hono<AppEnv>()
  .use("*", requireSession, csrf)
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
