// Reminders, SMS consent, patient links, video visits (issue #13, migration 0012).
// The new clinics/patients columns are added by ALTER TABLE in that migration and read
// with plain SQL (worker/reminders/*); these tables are declared for drizzle-kit.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const reminders = sqliteTable(
  "reminders",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull(),
    appointmentId: text("appointment_id").notNull(),
    doctorId: text("doctor_id").notNull(),
    channel: text("channel", { enum: ["email", "sms"] }).notNull(),
    offsetMinutes: integer("offset_minutes").notNull(),
    startMs: integer("start_ms").notNull(),
    dueAt: integer("due_at").notNull(),
    state: text("state", { enum: ["pending", "sending", "sent", "delivered", "failed", "skipped", "unknown"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    claimedAt: integer("claimed_at"),
    providerId: text("provider_id"),
    lastError: text("last_error"),
    sentAt: integer("sent_at"),
    deliveredAt: integer("delivered_at"),
    createdAt: integer("created_at").notNull(),
    // --- reminders (issues #17/#18, migration 0014): what sending needs, and partial indexes ---
    endMs: integer("end_ms"),
    toAddress: text("to_address"),
    // migrations/0020: 'reminder' (before the visit) or 'nps' (the follow-up after a completed one).
    kind: text("kind", { enum: ["reminder", "nps"] }).notNull().default("reminder"),
    // migrations/0025: the patient the reminder is addressed to. Its link (derived from the row id,
    // worker/patient-links/links.ts) opens the appointment only while this is still the
    // appointment's patient: staff who replace the patient retire the old one's links. NULL on rows
    // planned before 0025 (decided by the audit log, as to_address is cleared once sent). Not in
    // reminders_pending_idx: the send path does not read it.
    patientId: text("patient_id"),
  },
  (t) => [
    uniqueIndex("reminders_key_uq").on(t.appointmentId, t.channel, t.offsetMinutes, t.startMs),
    index("reminders_pending_idx")
      .on(t.doctorId, t.dueAt, t.id, t.clinicId, t.appointmentId, t.channel, t.startMs, t.endMs, t.attempts, t.toAddress, t.kind)
      .where(sql`state = 'pending'`),
    index("reminders_open_idx").on(t.dueAt).where(sql`state IN ('pending', 'sending')`),
  ],
);

export const patientLinks = sqliteTable(
  "patient_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    clinicId: text("clinic_id").notNull(),
    appointmentId: text("appointment_id").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
    // migrations/0025: the patient the link was issued to; it opens the appointment only while that
    // is still the appointment's patient (a replaced patient's link stops working). NULL on links
    // issued before 0025 (decided by the audit log).
    patientId: text("patient_id"),
  },
  (t) => [index("patient_links_appt_idx").on(t.appointmentId)],
);

export const patientResponses = sqliteTable(
  "patient_responses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    clinicId: text("clinic_id").notNull(),
    appointmentId: text("appointment_id").notNull(),
    action: text("action", { enum: ["confirm", "cancel", "reschedule"] }).notNull(),
    via: text("via", { enum: ["link", "sms"] }).notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("patient_responses_appt_idx").on(t.appointmentId)],
);

export const appointmentVideo = sqliteTable("appointment_video", {
  appointmentId: text("appointment_id").primaryKey(),
  clinicId: text("clinic_id").notNull(),
  provider: text("provider").notNull(),
  url: text("url").notNull(),
  createdAt: integer("created_at").notNull(),
});

// Fixed-window request counters of the public patient pages (worker/patient-links/rate-limit.ts).
export const rateCounters = sqliteTable("rate_counters", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});
