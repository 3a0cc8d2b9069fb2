// Notices: short messages for one user ("Your change in Google Calendar was overridden",
// "Reconnect Google"). Writers (the sync engine) add `noticeInsert(...)` to the D1 batch
// of the change that causes it, then may publish {kind:"notice", op:"created", doctorId,
// record: notice} so the user's open screen shows it at once.
import { newId } from "../ids";

export interface Notice {
  id: string;
  kind: string;
  message: string;
  entityType: string | null;
  entityId: string | null;
  readAt: string | null;
  createdAt: string;
}

export interface NoticeRow {
  id: string;
  kind: string;
  message: string;
  entity_type: string | null;
  entity_id: string | null;
  read_at: number | null;
  created_at: number;
}

export const toNotice = (r: NoticeRow): Notice => ({
  id: r.id,
  kind: r.kind,
  message: r.message,
  entityType: r.entity_type,
  entityId: r.entity_id,
  readAt: r.read_at == null ? null : new Date(r.read_at).toISOString(),
  createdAt: new Date(r.created_at).toISOString(),
});

export interface NewNotice {
  clinicId: string;
  userId: string;
  kind: string;
  message: string;
  entityType?: string;
  entityId?: string;
}

/** A statement for the caller's batch, and the notice it creates. */
export function noticeInsert(d1: D1Database, n: NewNotice, now = Date.now()): { statement: D1PreparedStatement; notice: Notice } {
  const id = newId();
  return {
    statement: d1
      .prepare("INSERT INTO notices (id, clinic_id, user_id, kind, message, entity_type, entity_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(id, n.clinicId, n.userId, n.kind, n.message, n.entityType ?? null, n.entityId ?? null, now),
    notice: toNotice({ id, kind: n.kind, message: n.message, entity_type: n.entityType ?? null, entity_id: n.entityId ?? null, read_at: null, created_at: now }),
  };
}
