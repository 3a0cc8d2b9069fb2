// The audit log: who changed what (worker/db/audit.ts).
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { now } from "./columns.ts";

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey(), // no AUTOINCREMENT: rows are never deleted, so the ids are the same without its extra write (migration 0023)
    clinicId: text("clinic_id").notNull(),
    actorUserId: text("actor_user_id"), // null for system actors
    actorLabel: text("actor_label").notNull(), // e.g. "jane@clinic" or "system:google-sync"
    action: text("action").notNull(), // e.g. "appointment.create"
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    // JSON { before?, after? }: summaries, never tokens.
    summary: text("summary").notNull().default("{}"),
    at: integer("at").notNull().default(now),
  },
  (t) => [index("audit_clinic_at_idx").on(t.clinicId, t.at), index("audit_entity_idx").on(t.entityType, t.entityId)],
);
