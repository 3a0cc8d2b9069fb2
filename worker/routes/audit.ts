// The audit trail for admins: newest first, optionally for one entity
// (?entityType=appointment&entityId=...), paged with ?before=<entry id>.
// Both filters ride an index: (entity_type, entity_id) or (clinic_id, at).
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { queryOf } from "../validate";

const Query = z
  .strictObject({
    entityType: z.string().regex(/^[a-z_]{1,40}$/, "must be an entity type like appointment").optional(),
    entityId: z.string().min(1).max(200).optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
  })
  .refine((q) => !q.entityId || q.entityType, { message: "entityId needs entityType", path: ["entityType"] });

interface AuditRow {
  id: number;
  actor_user_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string;
  summary: string;
  at: number;
}

function parse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return {};
  }
}

export const auditRoutes = new Hono<AppEnv>().use("*", requireSession, csrf, requireRole("admin")).get("/", async (c) => {
  const q = queryOf(c, Query);
  const clinicId = c.var.user.clinicId;
  const limit = q.limit ?? 50;
  const before = q.before ?? Number.MAX_SAFE_INTEGER;
  const cols = "id, actor_user_id, actor_label, action, entity_type, entity_id, summary, at";
  const stmt = q.entityType
    ? q.entityId
      ? c.env.DB.prepare(
          `SELECT ${cols} FROM audit_log WHERE entity_type = ?1 AND entity_id = ?2 AND clinic_id = ?3 AND id < ?4 ORDER BY id DESC LIMIT ?5`,
        ).bind(q.entityType, q.entityId, clinicId, before, limit)
      : c.env.DB.prepare(
          `SELECT ${cols} FROM audit_log WHERE clinic_id = ?1 AND entity_type = ?2 AND id < ?3 ORDER BY at DESC, id DESC LIMIT ?4`,
        ).bind(clinicId, q.entityType, before, limit)
    : c.env.DB.prepare(`SELECT ${cols} FROM audit_log WHERE clinic_id = ?1 AND id < ?2 ORDER BY at DESC, id DESC LIMIT ?3`).bind(
        clinicId,
        before,
        limit,
      );
  const { results } = await stmt.all<AuditRow>();
  return c.json({
    entries: results.map((r) => ({
      id: r.id,
      actorUserId: r.actor_user_id,
      actorLabel: r.actor_label,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      summary: parse(r.summary),
      at: new Date(r.at).toISOString(),
    })),
    nextBefore: results.length === limit ? results[results.length - 1].id : null,
  });
});
