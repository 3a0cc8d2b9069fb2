// Self-reschedule and waitlist (issue #20, migration 0018). The new clinics columns are read
// with plain SQL (worker/patient-links/reschedule*.ts, worker/waitlist/); these tables are
// declared for drizzle-kit.
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const patientReschedules = sqliteTable(
  "patient_reschedules",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    clinicId: text("clinic_id").notNull(),
    appointmentId: text("appointment_id").notNull(),
    fromMs: integer("from_ms").notNull(),
    toMs: integer("to_ms").notNull(),
    via: text("via").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("patient_reschedules_appt_idx").on(t.appointmentId)],
);

export const waitlistEntries = sqliteTable(
  "waitlist_entries",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull(),
    patientId: text("patient_id").notNull(),
    doctorId: text("doctor_id"),
    type: text("type").notNull(),
    minutes: integer("minutes").notNull(),
    earliestDate: text("earliest_date").notNull(),
    latestDate: text("latest_date").notNull(),
    preferences: text("preferences").notNull().default("[]"),
    channel: text("channel", { enum: ["sms", "email"] }).notNull(),
    priority: integer("priority").notNull().default(0),
    note: text("note").notNull().default(""),
    state: text("state", { enum: ["waiting", "booked", "removed", "expired"] }).notNull().default("waiting"),
    appointmentId: text("appointment_id"),
    replacesAppointmentId: text("replaces_appointment_id"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("waitlist_entries_clinic_idx").on(t.clinicId, t.state, t.latestDate), index("waitlist_entries_patient_idx").on(t.patientId, t.state)],
);

export const waitlistSlots = sqliteTable(
  "waitlist_slots",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull(),
    doctorId: text("doctor_id").notNull(),
    startMs: integer("start_ms").notNull(),
    endMs: integer("end_ms").notNull(),
    cause: text("cause").notNull(),
    // standing / withdrawn / released: standby slots (migration 0021, worker/waitlist/standby.ts).
    state: text("state", { enum: ["new", "offering", "standing", "filled", "lapsed", "gone", "none", "withdrawn", "released"] }).notNull().default("new"),
    nextAt: integer("next_at").notNull(),
    freedAt: integer("freed_at").notNull(),
    offeredAt: integer("offered_at"),
    filledAt: integer("filled_at"),
    appointmentId: text("appointment_id"),
    // migration 0021: a standby slot offers the time of a high-risk unconfirmed appointment.
    standbyFor: text("standby_for"),
    finalAt: integer("final_at"),
    releaseUnconfirmed: integer("release_unconfirmed").notNull().default(0),
  },
  (t) => [
    index("waitlist_slots_doctor_idx").on(t.doctorId, t.state, t.nextAt),
    index("waitlist_slots_clinic_idx").on(t.clinicId, t.freedAt),
    uniqueIndex("waitlist_slots_standby_uq").on(t.standbyFor, t.startMs),
  ],
);

export const waitlistOffers = sqliteTable(
  "waitlist_offers",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull(),
    slotId: text("slot_id").notNull(),
    entryId: text("entry_id").notNull(),
    doctorId: text("doctor_id").notNull(),
    patientId: text("patient_id").notNull(),
    startMs: integer("start_ms").notNull(),
    endMs: integer("end_ms").notNull(),
    tokenHash: text("token_hash").notNull(),
    channel: text("channel", { enum: ["sms", "email"] }).notNull(),
    // standing / withdrawn: standby offers (migration 0021).
    state: text("state", { enum: ["sending", "sent", "opened", "standing", "accepted", "declined", "taken", "expired", "withdrawn", "failed"] }).notNull().default("sending"),
    providerId: text("provider_id"),
    error: text("error"),
    expiresAt: integer("expires_at").notNull(),
    sentAt: integer("sent_at"),
    openedAt: integer("opened_at"),
    answeredAt: integer("answered_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("waitlist_offers_token_uq").on(t.tokenHash),
    index("waitlist_offers_slot_idx").on(t.slotId, t.state),
    index("waitlist_offers_entry_idx").on(t.entryId),
    index("waitlist_offers_doctor_idx").on(t.doctorId, t.state, t.expiresAt),
    index("waitlist_offers_patient_idx").on(t.patientId, t.state),
  ],
);
