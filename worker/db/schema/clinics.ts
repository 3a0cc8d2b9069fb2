// Clinics, their staff accounts (users) and their doctors: the rows every other table hangs off.
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { now } from "./columns.ts";

export const ROLES = ["admin", "doctor", "receptionist"] as const;
export type Role = (typeof ROLES)[number];

export const clinics = sqliteTable("clinics", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  timeZone: text("time_zone").notNull(), // IANA, e.g. "Europe/Berlin"
  address: text("address").notNull().default(""),
  // Domain used in iCalendar UIDs (appointment-id@domain) and as e-mail sender domain.
  domain: text("domain").notNull().default("acms.example"),
  // Reminder offsets in minutes before start for VALARMs, JSON array.
  reminderMinutes: text("reminder_minutes").notNull().default("[1440,60]"),
  // Per-clinic e-mail templates (JSON object: { request?: {subject,text,html}, cancel?: {...} }).
  emailTemplates: text("email_templates").notNull().default("{}"),
  // Longest appointment (end - start, ms) ever stored in the clinic: how far before `from`
  // a clinic range query must look on (clinic_id, start_ms). Only grows. Kept by the
  // appointments_max_ms_* triggers (migrations/0002_appointment_patient_name.sql).
  maxAppointmentMs: integer("max_appointment_ms").notNull().default(0),
  createdAt: integer("created_at").notNull().default(now),
  // migrations/0012 (reminders): the rules, SMS quiet hours (minutes after local midnight, clinic
  // zone; start > end crosses midnight), patient cancel cut-off, the phone patients call, types
  // without reminders / that are video visits (JSON arrays), Jitsi base URL, reminder templates.
  reminderRules: text("reminder_rules")
    .notNull()
    .default('[{"offsetMinutes":1440,"channel":"email"},{"offsetMinutes":120,"channel":"sms"}]'),
  quietStartMin: integer("quiet_start_min").notNull().default(1260),
  quietEndMin: integer("quiet_end_min").notNull().default(480),
  cancelCutoffMin: integer("cancel_cutoff_min").notNull().default(120),
  phone: text("phone").notNull().default(""),
  noReminderTypes: text("no_reminder_types").notNull().default("[]"),
  videoTypes: text("video_types").notNull().default('["video"]'),
  jitsiBaseUrl: text("jitsi_base_url").notNull().default("https://meet.jit.si"),
  reminderTemplates: text("reminder_templates").notNull().default("{}"),
  // migrations/0014 (reminders): ISO 3166 alpha-2, the region patients' national phone numbers are read in.
  country: text("country").notNull().default(""),
  // migrations/0018 (self-reschedule and waitlist, docs/waitlist.md): patients may move their own
  // appointments, how often, how far ahead, which types not (JSON); offer mode parallel|sequential,
  // how many at once, the reply window, types never named in an offer (JSON).
  selfReschedule: integer("self_reschedule").notNull().default(1),
  rescheduleLimit: integer("reschedule_limit").notNull().default(2),
  rescheduleDays: integer("reschedule_days").notNull().default(14),
  noRescheduleTypes: text("no_reschedule_types").notNull().default("[]"),
  waitlistMode: text("waitlist_mode").notNull().default("parallel"),
  waitlistParallel: integer("waitlist_parallel").notNull().default(3),
  waitlistReplyMin: integer("waitlist_reply_min").notNull().default(15),
  sensitiveTypes: text("sensitive_types").notNull().default("[]"),
  // migrations/0020 (NPS follow-up, docs/analytics.md): minutes after a completed visit's end the
  // "how likely are you to recommend" message goes; NULL = off.
  npsFollowUpMin: integer("nps_follow_up_min"),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull().references(() => clinics.id),
    email: text("email").notNull(), // stored lower-case
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
    // Bumped to end every session of the user at once (worker/auth/session.ts).
    sessionEpoch: integer("session_epoch").notNull().default(0),
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email), index("users_clinic_idx").on(t.clinicId)],
);


export const doctors = sqliteTable(
  "doctors",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull().references(() => clinics.id),
    userId: text("user_id").references(() => users.id),
    name: text("name").notNull(),
    specialty: text("specialty").notNull().default(""),
    color: text("color").notNull().default("#3b82f6"),
    slotMinutes: integer("slot_minutes").notNull().default(30),
    // JSON: { "1": [["09:00","12:30"],["13:30","17:00"]], ... } keyed by ISO weekday 1=Mon..7=Sun,
    // local wall-clock times in the clinic's zone.
    workingHours: text("working_hours").notNull().default("{}"),
    // JSON [{ "name": "consultation", "minutes": 30 }, …]: what can be booked with this doctor and
    // for how long by default (migration 0009; worker/doctors/fields.ts validates it).
    appointmentTypes: text("appointment_types").notNull().default("[]"),
    // Subscribable feed: only a SHA-256 hash of the secret token is stored.
    feedTokenHash: text("feed_token_hash"),
    feedPrivacy: text("feed_privacy", { enum: ["busy", "minimal"] }).notNull().default("busy"),
    feedEnabled: integer("feed_enabled", { mode: "boolean" }).notNull().default(false),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    // Longest appointment (ms) ever stored for this doctor: the look-back of a doctor range
    // query on (doctor_id, start_ms). Only grows; kept by triggers like clinics.max_appointment_ms.
    maxAppointmentMs: integer("max_appointment_ms").notNull().default(0),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
    // Analytics (migration 0017): when the feed was last fetched, written at most hourly (worker/analytics/feed-polls.ts).
    feedPolledAt: integer("feed_polled_at"),
  },
  (t) => [
    index("doctors_clinic_idx").on(t.clinicId),
    uniqueIndex("doctors_user_uq").on(t.userId),
    uniqueIndex("doctors_feed_uq").on(t.feedTokenHash),
  ],
);
