-- Issue #20: patients reschedule themselves from their link, and a waitlist that offers every
-- freed slot. Code: worker/patient-links/reschedule*.ts, worker/waitlist/.

-- Per clinic: self-reschedule on/off, how many times per appointment, how many days ahead the
-- choice reaches, types patients may not move themselves (JSON array of type names); the
-- waitlist's offer mode ('parallel': the top N at once, first to accept wins; 'sequential': one
-- at a time with a reply window), N, the reply window, and types whose name an offer must not
-- carry (sensitive).
ALTER TABLE clinics ADD COLUMN self_reschedule INTEGER NOT NULL DEFAULT 1;
ALTER TABLE clinics ADD COLUMN reschedule_limit INTEGER NOT NULL DEFAULT 2;
ALTER TABLE clinics ADD COLUMN reschedule_days INTEGER NOT NULL DEFAULT 14;
ALTER TABLE clinics ADD COLUMN no_reschedule_types TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clinics ADD COLUMN waitlist_mode TEXT NOT NULL DEFAULT 'parallel';
ALTER TABLE clinics ADD COLUMN waitlist_parallel INTEGER NOT NULL DEFAULT 3;
ALTER TABLE clinics ADD COLUMN waitlist_reply_min INTEGER NOT NULL DEFAULT 15;
ALTER TABLE clinics ADD COLUMN sensitive_types TEXT NOT NULL DEFAULT '[]';

-- Each time a patient moved an appointment themselves (the per-appointment limit counts these).
CREATE TABLE patient_reschedules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  clinic_id TEXT NOT NULL,
  appointment_id TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  via TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX patient_reschedules_appt_idx ON patient_reschedules (appointment_id);

-- A patient waiting for an earlier/other time. doctor_id NULL = any doctor. Dates are
-- clinic-local (YYYY-MM-DD, both included); preferences JSON [{days:[1..7], from:"HH:MM",
-- to:"HH:MM"}] (any one fits; empty = any time). state: waiting | booked | removed | expired.
-- replaces_appointment_id: the patient's later appointment that an accepted offer moves earlier
-- (instead of booking a second one); its old time is then freed and offered in turn.
CREATE TABLE waitlist_entries (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  doctor_id TEXT,
  type TEXT NOT NULL,
  minutes INTEGER NOT NULL,
  earliest_date TEXT NOT NULL,
  latest_date TEXT NOT NULL,
  preferences TEXT NOT NULL DEFAULT '[]',
  channel TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'waiting',
  appointment_id TEXT,
  replaces_appointment_id TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX waitlist_entries_clinic_idx ON waitlist_entries (clinic_id, state, latest_date);
CREATE INDEX waitlist_entries_patient_idx ON waitlist_entries (patient_id, state);

-- A freed slot (written in the same batch as the change that freed it) and its offer round:
-- state new → offering → filled | lapsed (cut-off reached, nobody took it) | gone (booked by
-- other means) | none (nobody on the waitlist fits). next_at: when the doctor's hub looks again.
-- The analytics read freed/offered/filled and filled_at - freed_at (time to refill).
CREATE TABLE waitlist_slots (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  doctor_id TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  cause TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'new',
  next_at INTEGER NOT NULL,
  freed_at INTEGER NOT NULL,
  offered_at INTEGER,
  filled_at INTEGER,
  appointment_id TEXT
);
CREATE INDEX waitlist_slots_doctor_idx ON waitlist_slots (doctor_id, state, next_at);
CREATE INDEX waitlist_slots_clinic_idx ON waitlist_slots (clinic_id, freed_at);

-- One offer of a slot to one waiting patient, with its personal link /w/<token> (only the
-- SHA-256 stored). state: sending | sent | opened | accepted | declined | taken | expired | failed.
CREATE TABLE waitlist_offers (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  slot_id TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  doctor_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  token_hash TEXT NOT NULL,
  channel TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'sending',
  provider_id TEXT,
  error TEXT,
  expires_at INTEGER NOT NULL,
  sent_at INTEGER,
  opened_at INTEGER,
  answered_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX waitlist_offers_token_uq ON waitlist_offers (token_hash);
CREATE INDEX waitlist_offers_slot_idx ON waitlist_offers (slot_id, state);
CREATE INDEX waitlist_offers_entry_idx ON waitlist_offers (entry_id);
CREATE INDEX waitlist_offers_doctor_idx ON waitlist_offers (doctor_id, state, expires_at);
CREATE INDEX waitlist_offers_patient_idx ON waitlist_offers (patient_id, state);

-- A busy block that goes away (deleted by staff, by a doctor's own calendar through sync, by an
-- .ics re-import or a disconnected integration) frees its time as much as a cancellation does:
-- the trigger records it in the same transaction as every such delete, whichever code path ran
-- it. Only blocks still ahead and starting within 90 days (a waitlist looks weeks ahead, not
-- years). The doctor's hub offers the first stretch of it that lies in working hours.
CREATE TRIGGER blocked_times_freed_waitlist AFTER DELETE ON blocked_times
WHEN OLD.end_ms > unixepoch() * 1000 AND OLD.start_ms < unixepoch() * 1000 + 90 * 86400000
BEGIN
  INSERT INTO waitlist_slots (id, clinic_id, doctor_id, start_ms, end_ms, cause, state, next_at, freed_at)
  VALUES (lower(hex(randomblob(16))), OLD.clinic_id, OLD.doctor_id, max(OLD.start_ms, unixepoch() * 1000), OLD.end_ms,
    'busy block removed (' || OLD.source || ')', 'new', unixepoch() * 1000, unixepoch() * 1000);
END;
