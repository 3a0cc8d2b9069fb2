// iCalendar: invites by e-mail (the outbox), .ics imports, and the stored subscription feed bodies.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { now } from "./columns.ts";
import { doctors } from "./clinics.ts";

export const emailOutbox = sqliteTable(
  "email_outbox",
  {
    id: integer("id").primaryKey(), // no AUTOINCREMENT: rows are never deleted, so the ids are the same without its extra write (migration 0023)
    clinicId: text("clinic_id").notNull(),
    appointmentId: text("appointment_id").notNull(),
    method: text("method", { enum: ["REQUEST", "CANCEL"] }).notNull(),
    sequence: integer("sequence").notNull(),
    toAddress: text("to_address").notNull(),
    // The patient the row is for (migration 0024). Not always the appointment's patient: when
    // staff replace the patient, the old one's CANCEL is rendered with the old one's own name,
    // never the new patient's (worker/email/outbox.ts). NULL on rows queued before 0024.
    patientId: text("patient_id"),
    // The visit a CANCEL calls off, as it was (migration 0026): when the same edit also moved it,
    // changed its doctor or replaced its patient, the CANCEL describes the visit its recipient
    // had, not the appointment as it is now. NULL on REQUESTs and older rows.
    startMs: integer("start_ms"),
    endMs: integer("end_ms"),
    doctorId: text("doctor_id"),
    // "superseded" (sync, issue 17): a held update replaced by a later one (worker/email/coalesce.ts).
    state: text("state", { enum: ["pending", "sent", "failed", "superseded"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull().default(0),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull().default(now),
    sentAt: integer("sent_at"),
    // A send in flight holds its row until then (worker/email/outbox.ts); not in any index, so
    // taking the lease writes the row alone (migration 0023).
    leaseUntil: integer("lease_until"),
  },
  (t) => [index("email_outbox_pending_idx").on(t.nextAttemptAt).where(sql`state = 'pending'`), index("email_outbox_appt_idx").on(t.appointmentId)],
);

// UIDs seen in .ics imports per doctor, so re-importing a file creates no duplicates.
export const importedEvents = sqliteTable(
  "imported_events",
  {
    doctorId: text("doctor_id").notNull(),
    uid: text("uid").notNull(),
    recurrenceId: text("recurrence_id").notNull().default(""),
    entityType: text("entity_type", { enum: ["blocked_time", "appointment"] }).notNull(),
    entityId: text("entity_id").notNull(),
    createdAt: integer("created_at").notNull().default(now),
    // migrations/0005: hash of the import source ('' unknown), for re-import removals, and
    // where the file last put the occurrence (null before 0005), for re-import updates.
    source: text("source").notNull().default(""),
    startMs: integer("start_ms"),
    endMs: integer("end_ms"),
  },
  (t) => [primaryKey({ columns: [t.doctorId, t.uid, t.recurrenceId] }), index("imported_events_source_idx").on(t.doctorId, t.source)],
);

// --- perf (issue #18): stored feed bodies (migrations/0016, worker/ics/feed-store.ts) ---
export const feedBodies = sqliteTable("feed_bodies", {
  doctorId: text("doctor_id").primaryKey().references(() => doctors.id, { onDelete: "cascade" }),
  privacy: text("privacy", { enum: ["busy", "minimal"] }).notNull(),
  shape: text("shape").notNull(),
  etag: text("etag").notNull(),
  builtAt: integer("built_at").notNull(),
  events: integer("events").notNull(),
  gzipBase64: text("gzip_base64").notNull(),
});
