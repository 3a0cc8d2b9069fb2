// The D1 schema: the single source of truth for ACMS Calendar.
// Times are instants stored as integer milliseconds since the epoch (UTC):
// integer range comparisons are exact, index-friendly and zone-free; the
// clinic's IANA zone is applied only when rendering or doing slot maths.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const ROLES = ["admin", "doctor", "receptionist"] as const;
export type Role = (typeof ROLES)[number];

export const APPOINTMENT_STATUSES = ["scheduled", "confirmed", "completed", "cancelled", "no_show"] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const BLOCK_SOURCES = ["manual", "google", "microsoft", "caldav", "ics"] as const;
export type BlockSource = (typeof BLOCK_SOURCES)[number];

export const PROVIDERS = ["google", "microsoft", "caldav"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

const now = sql`(unixepoch() * 1000)`;

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

// Failed log-in counters for rate limiting, keyed "acct:<email>" or "ip:<address>".
export const loginAttempts = sqliteTable(
  "login_attempts",
  {
    key: text("key").primaryKey(),
    failures: integer("failures").notNull().default(0),
    windowStart: integer("window_start").notNull(),
    lockedUntil: integer("locked_until"),
    // migrations/0004: progressive delays; see worker/auth/throttle.ts for the column meanings.
    attempt: text("attempt"),
  },
  // migrations/0004: the sweep of stale counters (throttle.ts) deletes by window_start.
  (t) => [index("login_attempts_window_idx").on(t.windowStart)],
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

// Patients hold PHI: never sent to an external calendar.
export const patients = sqliteTable(
  "patients",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull().references(() => clinics.id),
    name: text("name").notNull(),
    nameLc: text("name_lc").notNull(), // lower-cased, for prefix search on an index
    phone: text("phone").notNull().default(""),
    phoneDigits: text("phone_digits").notNull().default(""), // digits only, for prefix search
    email: text("email").notNull().default(""), // lower-cased
    dateOfBirth: text("date_of_birth"),
    notes: text("notes").notNull().default(""), // free text for staff (migration 0009); PHI like the rest
    // migrations/0012: SMS consent, when and how it was given or withdrawn
    // ("staff:<user id>", "sms:START", "sms:STOP", "twilio:21610").
    smsConsent: integer("sms_consent").notNull().default(0),
    smsConsentAt: integer("sms_consent_at"),
    smsConsentSource: text("sms_consent_source"),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [
    index("patients_name_idx").on(t.clinicId, t.nameLc),
    index("patients_phone_idx").on(t.clinicId, t.phoneDigits),
    index("patients_email_idx").on(t.clinicId, t.email),
    // Inbound SMS replies (migration 0012): the patient by number across clinics.
    index("patients_phone_digits_idx").on(t.phoneDigits),
  ],
);

// Words of each patient's name (lower-cased), so a search finds "Smith" in
// "John Smith" with an index range scan, not only the first word of name_lc.
// Written in the same batch as the patient (worker/patients/terms.ts).
export const patientTerms = sqliteTable(
  "patient_terms",
  {
    clinicId: text("clinic_id").notNull(),
    term: text("term").notNull(),
    patientId: text("patient_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.term, t.patientId] }), index("patient_terms_patient_idx").on(t.patientId)],
);

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

// ---------------------------------------------------------------------------
// External calendar sync
// ---------------------------------------------------------------------------

export const calendarIntegrations = sqliteTable(
  "calendar_integrations",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull(),
    userId: text("user_id").notNull(),
    doctorId: text("doctor_id").notNull(),
    provider: text("provider", { enum: PROVIDERS }).notNull(),
    accountEmail: text("account_email").notNull().default(""),
    // AES-256-GCM sealed JSON of the tokens/credentials; never returned by any API.
    sealedTokens: text("sealed_tokens"),
    accessExpiresAt: integer("access_expires_at"),
    writeCalendarId: text("write_calendar_id"),
    busyCalendarIds: text("busy_calendar_ids").notNull().default("[]"), // JSON array
    // What an imported busy block may show: "none" (busy only, the default) or "title"
    // (the event's summary, trimmed) — the one detail the doctor may allow (issue 5).
    busyLabel: text("busy_label", { enum: ["none", "title"] }).notNull().default("none"),
    status: text("status", { enum: ["pending", "active", "needs_reconnect", "error", "disconnected"] })
      .notNull()
      .default("pending"),
    lastSyncAt: integer("last_sync_at"),
    lastError: text("last_error"),
    lastErrorAt: integer("last_error_at"),
    // JSON counters: { ok, failed, lastLatencyMs }
    metrics: text("metrics").notNull().default("{}"),
    // Issue 9 (migration 0006): the account's backoff (no call before this, either direction)
    // and "list our own events once" after a (re)connect.
    backoffUntil: integer("backoff_until"),
    ownListingDue: integer("own_listing_due").notNull().default(0),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
    // Outlook (migration 0007): tentative events block (1, default) or not; account kind for Teams links.
    blockTentative: integer("block_tentative").notNull().default(1),
    accountKind: text("account_kind", { enum: ["work_or_school", "personal"] }),
    // JSON array of appointment types that get a Teams meeting (work/school accounts only).
    teamsTypes: text("teams_types").notNull().default("[]"),
    // Sync, issue 17 (migration 0013): last full comparison with the provider (NULL = due),
    // and when the doctor was told changes are waiting (NULL = not in this outage).
    reconciledAt: integer("reconciled_at"),
    waitingNoticeAt: integer("waiting_notice_at"),
  },
  (t) => [uniqueIndex("integrations_doctor_provider_uq").on(t.doctorId, t.provider)],
);

// Per external calendar of an integration: incremental cursor and push channel.
export const integrationCalendars = sqliteTable(
  "integration_calendars",
  {
    integrationId: text("integration_id").notNull(),
    calendarId: text("calendar_id").notNull(),
    summary: text("summary").notNull().default(""),
    syncCursor: text("sync_cursor"),
    channelId: text("channel_id"),
    channelResourceId: text("channel_resource_id"),
    channelTokenHash: text("channel_token_hash"),
    channelExpiresAt: integer("channel_expires_at"),
    lastNotificationAt: integer("last_notification_at"),
    lastPolledAt: integer("last_polled_at"),
    // Issue 9 (migration 0006): echo check of our own writes; push judged broken since.
    lastWriteAt: integer("last_write_at"),
    pushSuspectAt: integer("push_suspect_at"),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.calendarId] }), index("intcal_channel_idx").on(t.channelId)],
);

// Appointment ↔ external event.
export const appointmentLinks = sqliteTable(
  "appointment_links",
  {
    appointmentId: text("appointment_id").notNull(),
    integrationId: text("integration_id").notNull(),
    externalId: text("external_id").notNull(),
    externalCalendarId: text("external_calendar_id").notNull(),
    etag: text("etag"),
    syncedVersion: integer("synced_version").notNull().default(0),
    syncedHash: text("synced_hash"),
    externalUpdatedAt: integer("external_updated_at"),
    state: text("state", { enum: ["pending", "synced", "error", "deleted"] }).notNull().default("pending"),
    lastError: text("last_error"),
    updatedAt: integer("updated_at").notNull().default(now),
    // Online-meeting join link the provider made for the event (Outlook/Teams; migration 0007).
    joinUrl: text("join_url"),
    // Sync, issue 17 (migration 0013): the provider copy's SEQUENCE when last read (CalDAV).
    externalSequence: integer("external_sequence"),
  },
  (t) => [
    primaryKey({ columns: [t.appointmentId, t.integrationId] }),
    index("links_external_idx").on(t.integrationId, t.externalId),
  ],
);

// Transactional outbox: written in the same D1 batch as the appointment change,
// drained by the doctor's Durable Object (single flight, alarm-driven retries).
export const syncOutbox = sqliteTable(
  "sync_outbox",
  {
    id: integer("id").primaryKey(), // no AUTOINCREMENT: rows are never deleted, so the ids are the same without its extra write (migration 0023)
    clinicId: text("clinic_id").notNull(),
    doctorId: text("doctor_id").notNull(),
    appointmentId: text("appointment_id").notNull(),
    op: text("op", { enum: ["upsert", "delete"] }).notNull(),
    version: integer("version").notNull(),
    state: text("state", { enum: ["pending", "done", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull().default(0),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [index("outbox_pending_idx").on(t.doctorId, t.nextAttemptAt).where(sql`state = 'pending'`)],
);

// ---------------------------------------------------------------------------
// iCalendar: invites and imports
// ---------------------------------------------------------------------------

export const emailOutbox = sqliteTable(
  "email_outbox",
  {
    id: integer("id").primaryKey(), // no AUTOINCREMENT: rows are never deleted, so the ids are the same without its extra write (migration 0023)
    clinicId: text("clinic_id").notNull(),
    appointmentId: text("appointment_id").notNull(),
    method: text("method", { enum: ["REQUEST", "CANCEL"] }).notNull(),
    sequence: integer("sequence").notNull(),
    toAddress: text("to_address").notNull(),
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

// ---------------------------------------------------------------------------
// Reminders, SMS consent, patient links, video visits (issue #13, migration 0012).
// The new clinics/patients columns are added by ALTER TABLE in that migration and read
// with plain SQL (worker/reminders/*); these tables are declared for drizzle-kit.
// ---------------------------------------------------------------------------

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

export const rateCounters = sqliteTable("rate_counters", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});

// Single sessions ended by log-out, until their token would have expired (migrations/0004).
export const revokedSessions = sqliteTable(
  "revoked_sessions",
  {
    jti: text("jti").primaryKey(),
    userId: text("user_id").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("revoked_sessions_exp_idx").on(t.expiresAt)],
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

// ---------------------------------------------------------------------------
// Analytics (issue #19, migrations/0017_analytics.sql). Derived tables kept by
// worker/analytics/effect.ts (facts, cube, heat) and a trigger on sync_outbox
// (sync_metrics_daily); read with plain SQL in worker/analytics/*. The counters of
// analytics_cube are listed once in worker/analytics/counters.ts and the migration.
// ---------------------------------------------------------------------------

// WITHOUT ROWID in the migration (0022): the appointment id is the row, no separate key index.
export const analyticsFacts = sqliteTable(
  "analytics_facts",
  {
    appointmentId: text("appointment_id").primaryKey(),
    clinicId: text("clinic_id").notNull(),
    doctorId: text("doctor_id").notNull(),
    patientId: text("patient_id").notNull(),
    startMs: integer("start_ms").notNull(),
    month: text("month").notNull(),
    weekday: integer("weekday").notNull(),
    hour: integer("hour").notNull(),
    type: text("type").notNull(),
    video: integer("video").notNull(),
    status: text("status").notNull(),
    minutes: integer("minutes").notNull(),
    leadMin: integer("lead_min").notNull(),
    leadBucket: integer("lead_bucket").notNull(),
    firstVisit: integer("first_visit").notNull(),
    priorNoShows: integer("prior_no_shows").notNull(),
    reminded: integer("reminded").notNull(),
    confirmed: integer("confirmed").notNull(),
    cancelBy: text("cancel_by").notNull().default(""),
    cancelledAt: integer("cancelled_at"),
    cancelLate: integer("cancel_late").notNull().default(0),
  },
  (t) => [index("analytics_facts_patient_idx").on(t.patientId, t.startMs), index("analytics_facts_no_show_idx").on(t.clinicId, t.month, t.patientId, t.startMs, t.doctorId, t.type, t.video).where(sql`status = 'no_show'`)],
);

const cubeCounter = (name: string) => integer(name).notNull().default(0);
const cubeCounters = Object.fromEntries(
  [
    "booked", "completed", "no_show", "cancelled", "cancel_late", "cancel_staff", "cancel_link", "cancel_sms", "cancel_provider", "minutes", "lead_min_sum",
    ...[0, 1, 2, 3, 4].flatMap((b) => [`d_lead${b}`, `ns_lead${b}`]),
    "d_first", "ns_first",
    ...[0, 1, 2].flatMap((h) => [`d_hist${h}`, `ns_hist${h}`]),
    "d_rem", "ns_rem", "d_conf", "ns_conf",
  ].map((n) => [n, cubeCounter(n)]),
);

export const analyticsCube = sqliteTable(
  "analytics_cube",
  {
    clinicId: text("clinic_id").notNull(),
    month: text("month").notNull(),
    doctorId: text("doctor_id").notNull(),
    type: text("type").notNull(),
    video: integer("video").notNull(),
    ...cubeCounters,
  },
  // WITHOUT ROWID in the migration (drizzle cannot say it), keyed month first (0022).
  (t) => [primaryKey({ columns: [t.clinicId, t.month, t.doctorId, t.type, t.video] })],
);

export const analyticsHeat = sqliteTable(
  "analytics_heat",
  {
    clinicId: text("clinic_id").notNull(),
    month: text("month").notNull(),
    weekday: integer("weekday").notNull(),
    hour: integer("hour").notNull(),
    doctorId: text("doctor_id").notNull(),
    type: text("type").notNull(),
    video: integer("video").notNull(),
    booked: cubeCounter("booked"),
    minutes: cubeCounter("minutes"),
    dAll: cubeCounter("d_all"),
    nsAll: cubeCounter("ns_all"),
  },
  // WITHOUT ROWID, keyed month first (migrations/0022_analytics_leaf_rollups.sql).
  (t) => [primaryKey({ columns: [t.clinicId, t.month, t.doctorId, t.type, t.video, t.weekday, t.hour] })],
);

export const syncMetricsDaily = sqliteTable(
  "sync_metrics_daily",
  {
    clinicId: text("clinic_id").notNull(),
    provider: text("provider").notNull(),
    day: text("day").notNull(),
    direction: text("direction").notNull(),
    ok: integer("ok").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    hist: text("hist").notNull().default("[0,0,0,0,0,0,0,0,0,0,0,0]"),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.day, t.provider, t.direction] })],
);

export const npsResponses = sqliteTable(
  "nps_responses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    clinicId: text("clinic_id").notNull(),
    source: text("source", { enum: ["patient", "staff"] }).notNull(),
    appointmentId: text("appointment_id"),
    userId: text("user_id"),
    quarter: text("quarter"),
    score: integer("score").notNull(),
    comment: text("comment").notNull().default(""),
    at: integer("at").notNull(),
  },
  (t) => [
    index("nps_clinic_at_idx").on(t.clinicId, t.at),
    // Once per appointment (patients), once per quarter (staff).
    uniqueIndex("nps_appointment_uq").on(t.appointmentId).where(sql`appointment_id IS NOT NULL`),
    uniqueIndex("nps_staff_quarter_uq").on(t.userId, t.quarter).where(sql`user_id IS NOT NULL`),
  ],
);

// Analytics (issue #19): reminder/invite outcomes per UTC month, kept by triggers on
// reminders and email_outbox (migrations/0017_analytics.sql).
export const messageOutcomesMonthly = sqliteTable(
  "message_outcomes_monthly",
  {
    clinicId: text("clinic_id").notNull(),
    month: text("month").notNull(),
    kind: text("kind").notNull(),
    state: text("state").notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.month, t.kind, t.state] })],
);

// ---------------------------------------------------------------------------
// Self-reschedule and waitlist (issue #20, migration 0018). The new clinics columns are read
// with plain SQL (worker/patient-links/reschedule*.ts, worker/waitlist/); these tables are
// declared for drizzle-kit.
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Scheduling suggestions (issue #21, migration 0019): the clinic's no-show model and settings.
// ---------------------------------------------------------------------------

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
