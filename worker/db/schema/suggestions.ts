// Scheduling suggestions (issue #21, migration 0019): the clinic's no-show model and settings.
import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const noshowModels = sqliteTable("noshow_models", {
  clinicId: text("clinic_id").primaryKey(),
  kind: text("kind", { enum: ["trained", "default"] }).notNull(),
  trainedAt: integer("trained_at").notNull(),
  trainingSize: integer("training_size").notNull(),
  baseRate: real("base_rate").notNull(),
  model: text("model").notNull(), // JSON NoShowModel (worker/suggestions/model.ts)
});

export const suggestionSettings = sqliteTable("suggestion_settings", {
  clinicId: text("clinic_id").primaryKey(),
  settings: text("settings").notNull().default("{}"), // JSON (worker/suggestions/settings.ts)
  updatedAt: integer("updated_at").notNull(),
});
