// Appointments, and the time a doctor cannot be booked.
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { now } from "./columns.ts";
import { clinics, doctors } from "./clinics.ts";
import { patients } from "./patients.ts";

export const APPOINTMENT_STATUSES = ["scheduled", "confirmed", "completed", "cancelled", "no_show"] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const BLOCK_SOURCES = ["manual", "google", "microsoft", "caldav", "ics"] as const;
export type BlockSource = (typeof BLOCK_SOURCES)[number];

export const appointments = sqliteTable(
  "appointments",
  {
    id: text("id").primaryKey(), // 32 lower-case hex chars: also a valid Google event id (base32hex)
    clinicId: text("clinic_id").notNull().references(() => clinics.id),
    doctorId: text("doctor_id").notNull().references(() => doctors.id),
    patientId: text("patient_id").notNull().references(() => patients.id),
    // The patient's display name, copied so range queries need no join (one row read per
    // appointment, not two). Written with the appointment (appointments/write.ts) and
    // rewritten with the patient on a rename (routes/patients.ts), each in the same batch.
    patientName: text("patient_name").notNull().default(""),
    startMs: integer("start_ms").notNull(),
    endMs: integer("end_ms").notNull(),
    type: text("type").notNull().default("consultation"),
    reason: text("reason").notNull().default(""),
    status: text("status", { enum: APPOINTMENT_STATUSES }).notNull().default("scheduled"),
    notes: text("notes").notNull().default(""),
    // Optimistic concurrency: every change increments it; stale writes get 409.
    // iCalendar SEQUENCE is version - 1.
    version: integer("version").notNull().default(1),
    createdBy: text("created_by").notNull(),
    updatedBy: text("updated_by").notNull(),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  // Triggers (migration 0002, not expressible in drizzle) keep doctors/clinics.max_appointment_ms
  // ≥ every stored end_ms - start_ms, whoever writes (API, sync, import, seeds). A migration
  // that recreates this table drops them: recreate them too (appointment-queries.test.ts fails otherwise).
  (t) => [
    // The hot paths: a doctor's range (booking, availability, week view) and a clinic's range (day view).
    index("appointments_doctor_start_idx").on(t.doctorId, t.startMs),
    index("appointments_clinic_start_idx").on(t.clinicId, t.startMs),
    index("appointments_patient_idx").on(t.patientId),
  ],
);

// Time a doctor cannot be booked: manual blocks (lunch, leave) and busy time
// imported from external calendars (never with details beyond an allowed label).
export const blockedTimes = sqliteTable(
  "blocked_times",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull().references(() => clinics.id),
    doctorId: text("doctor_id").notNull().references(() => doctors.id),
    startMs: integer("start_ms").notNull(),
    endMs: integer("end_ms").notNull(),
    source: text("source", { enum: BLOCK_SOURCES }).notNull().default("manual"),
    label: text("label").notNull().default(""),
    allDay: integer("all_day", { mode: "boolean" }).notNull().default(false),
    // For external blocks: which integration and which external item it mirrors.
    integrationId: text("integration_id"),
    externalId: text("external_id"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [
    index("blocked_doctor_end_idx").on(t.doctorId, t.endMs),
    uniqueIndex("blocked_external_uq").on(t.integrationId, t.externalId),
  ],
);
