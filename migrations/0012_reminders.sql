-- Issue #13: reminders (e-mail and SMS), SMS consent, one-tap patient links, video visits.

-- Per clinic: reminder rules (JSON [{offsetMinutes, channel: "email"|"sms"}]), SMS quiet hours
-- (minutes after local midnight, clinic zone; start > end means the span crosses midnight),
-- the patient cancel cut-off, the phone patients call to reschedule, appointment types that
-- get no reminders (JSON array of type names), types that are video visits, the Jitsi base URL
-- and per-clinic reminder templates (JSON {sms?: string, email?: {subject?, text?, html?}}).
ALTER TABLE clinics ADD COLUMN reminder_rules TEXT NOT NULL DEFAULT '[{"offsetMinutes":1440,"channel":"email"},{"offsetMinutes":120,"channel":"sms"}]';
ALTER TABLE clinics ADD COLUMN quiet_start_min INTEGER NOT NULL DEFAULT 1260;
ALTER TABLE clinics ADD COLUMN quiet_end_min INTEGER NOT NULL DEFAULT 480;
ALTER TABLE clinics ADD COLUMN cancel_cutoff_min INTEGER NOT NULL DEFAULT 120;
ALTER TABLE clinics ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE clinics ADD COLUMN no_reminder_types TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clinics ADD COLUMN video_types TEXT NOT NULL DEFAULT '["video"]';
ALTER TABLE clinics ADD COLUMN jitsi_base_url TEXT NOT NULL DEFAULT 'https://meet.jit.si';
ALTER TABLE clinics ADD COLUMN reminder_templates TEXT NOT NULL DEFAULT '{}';

-- Per patient: SMS consent with when and how it was given or withdrawn
-- (source: "staff:<user id>", "sms:START", "sms:STOP", "twilio:21610").
ALTER TABLE patients ADD COLUMN sms_consent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE patients ADD COLUMN sms_consent_at INTEGER;
ALTER TABLE patients ADD COLUMN sms_consent_source TEXT;

-- One row per planned reminder. The unique key (appointment, channel, offset, start it was
-- planned for) is the idempotency key: re-planning the same appointment at the same time
-- cannot queue a second copy, and a row is claimed (pending → sending) before it is sent, so a
-- crash mid-send can never send it twice (it ends 'unknown', visible on the appointment).
CREATE TABLE reminders (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  appointment_id TEXT NOT NULL,
  doctor_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  offset_minutes INTEGER NOT NULL,
  start_ms INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed_at INTEGER,
  provider_id TEXT,
  last_error TEXT,
  sent_at INTEGER,
  delivered_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX reminders_key_uq ON reminders (appointment_id, channel, offset_minutes, start_ms);
CREATE INDEX reminders_doctor_due_idx ON reminders (doctor_id, state, due_at);
CREATE INDEX reminders_provider_idx ON reminders (provider_id);
-- The cron's safety net: overdue pending rows only.
CREATE INDEX reminders_due_idx ON reminders (state, due_at);

-- Personal confirm/cancel links: only the SHA-256 of the token is stored.
CREATE TABLE patient_links (
  token_hash TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  appointment_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX patient_links_appt_idx ON patient_links (appointment_id);

-- What the patient did (for the no-show report): confirm / cancel, through the link or an SMS reply.
CREATE TABLE patient_responses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  clinic_id TEXT NOT NULL,
  appointment_id TEXT NOT NULL,
  action TEXT NOT NULL,
  via TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX patient_responses_appt_idx ON patient_responses (appointment_id);

-- Video visits: one meeting link per appointment, kept across reschedules.
CREATE TABLE appointment_video (
  appointment_id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  url TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Fixed-window counters for public endpoints (patient link page): key → (window start, count).
CREATE TABLE rate_counters (
  key TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL
);

-- Inbound SMS replies find the patient by number across clinics (one Twilio account per deployment).
CREATE INDEX patients_phone_digits_idx ON patients (phone_digits);
