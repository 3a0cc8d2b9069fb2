// The audit trail: who changed or synced what, when. Entries are built here so
// every writer records the same shape; callers add them to the same D1 batch as
// the change itself, so a change is never recorded without its audit entry.
import type { SessionUser } from "../env";
import { auditLog } from "./schema";
import type { Db } from "./client";

export interface Actor {
  userId: string | null;
  label: string; // e-mail of a person, or "system:<what>"
}

export const actorOf = (u: SessionUser): Actor => ({ userId: u.userId, label: u.email });
export const systemActor = (what: string): Actor => ({ userId: null, label: `system:${what}` });

export function auditInsert(
  db: Db,
  clinicId: string,
  actor: Actor,
  action: string,
  entityType: string,
  entityId: string,
  summary: { before?: unknown; after?: unknown; [k: string]: unknown },
) {
  return db.insert(auditLog).values({
    clinicId,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    action,
    entityType,
    entityId,
    summary: JSON.stringify(summary),
    at: Date.now(),
  });
}
