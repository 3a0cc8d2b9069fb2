// Notices: messages for a staff user.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { now } from "./columns.ts";

// Messages for a user ("your Google edit was overridden", "reconnect Google").
export const notices = sqliteTable(
  "notices",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull(),
    userId: text("user_id").notNull(),
    kind: text("kind").notNull(),
    message: text("message").notNull(),
    entityType: text("entity_type"),
    entityId: text("entity_id"),
    readAt: integer("read_at"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("notices_user_idx").on(t.userId, t.createdAt)],
);
