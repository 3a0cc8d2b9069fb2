// The current user's notices: newest first (at most 100), optionally only unread;
// marking one read. Another user's notice id answers 404.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { csrf, requireSession } from "../middleware/session";
import { queryOf } from "../validate";
import { type NoticeRow, toNotice } from "../notices/notices";
import { idOf } from "./path-id";

const COLUMNS = "id, kind, message, entity_type, entity_id, read_at, created_at";
const ListQuery = z.strictObject({ unread: z.enum(["true", "false"]).optional() });

export const noticeRoutes = new Hono<AppEnv>()
  .use("*", requireSession, csrf)
  .get("/", async (c) => {
    const q = queryOf(c, ListQuery);
    const u = c.var.user;
    const { results } = await c.env.DB.prepare(
      `SELECT ${COLUMNS} FROM notices WHERE user_id = ? AND clinic_id = ?${q.unread === "true" ? " AND read_at IS NULL" : ""} ORDER BY created_at DESC, id LIMIT 100`,
    )
      .bind(u.userId, u.clinicId)
      .all<NoticeRow>();
    return c.json({ notices: results.map(toNotice) });
  })
  .post("/:id/read", async (c) => {
    const id = idOf(c.req.param("id"), "Notice");
    const u = c.var.user;
    const row = await c.env.DB.prepare(
      `UPDATE notices SET read_at = coalesce(read_at, ?) WHERE id = ? AND user_id = ? AND clinic_id = ? RETURNING ${COLUMNS}`,
    )
      .bind(Date.now(), id, u.userId, u.clinicId)
      .first<NoticeRow>();
    if (!row) throw notFound("Notice");
    return c.json({ notice: toNotice(row) });
  });
