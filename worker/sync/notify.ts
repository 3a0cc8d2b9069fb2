// Telling the doctor about a sync decision: a notices row, an audit entry and a
// live message, all for the same event (the "visible notice, audit, live").
import type { Env } from "../env";
import { newId } from "../ids";
import type { HubContext } from "../hub/work";

export interface SyncNotice {
  clinicId: string;
  userId: string;
  doctorId: string;
  kind: string; // e.g. "sync_conflict", "sync_recreated"
  message: string;
  appointmentId: string;
  action: string; // audit action, e.g. "sync.conflict"
  summary: Record<string, unknown>;
  actorLabel: string;
}

export function noticeStatements(env: Env, n: SyncNotice, now = Date.now()) {
  const id = newId();
  return {
    id,
    statements: [
      env.DB.prepare(
        "INSERT INTO notices (id, clinic_id, user_id, kind, message, entity_type, entity_id, created_at) VALUES (?, ?, ?, ?, ?, 'appointment', ?, ?)",
      ).bind(id, n.clinicId, n.userId, n.kind, n.message, n.appointmentId, now),
      env.DB.prepare(
        "INSERT INTO audit_log (clinic_id, actor_user_id, actor_label, action, entity_type, entity_id, summary, at) VALUES (?, NULL, ?, ?, 'appointment', ?, ?, ?)",
      ).bind(n.clinicId, n.actorLabel, n.action, n.appointmentId, JSON.stringify(n.summary), now),
    ],
  };
}

export async function publishNotice(ctx: HubContext, n: SyncNotice, id: string) {
  await ctx.publish({
    kind: "notice",
    op: "created",
    doctorId: n.doctorId,
    record: { id, userId: n.userId, kind: n.kind, message: n.message, entityType: "appointment", entityId: n.appointmentId },
  });
}
