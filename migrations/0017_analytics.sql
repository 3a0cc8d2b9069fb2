-- Issue #19: analytics. Everything here is derived data (worker/analytics/*) except nps_responses.
--
-- analytics_facts: one row per appointment with what the dashboard groups by, in the clinic's
-- zone (month, weekday, hour of the start), kept in the same D1 batch as every appointment change
-- (worker/analytics/effect.ts). The two rollups below are sums over these rows.
CREATE TABLE analytics_facts (
  appointment_id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  doctor_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  month TEXT NOT NULL,            -- 'YYYY-MM', clinic zone, of the start
  weekday INTEGER NOT NULL,       -- ISO 1 = Monday … 7, clinic zone
  hour INTEGER NOT NULL,          -- 0..23, clinic zone
  type TEXT NOT NULL,
  video INTEGER NOT NULL,         -- 1 when the type is one of the clinic's video types
  status TEXT NOT NULL,
  minutes INTEGER NOT NULL,
  lead_min INTEGER NOT NULL,      -- start - created, minutes, ≥ 0
  lead_bucket INTEGER NOT NULL,   -- 0 same day, 1 1–2 days, 2 3–7, 3 8–14, 4 15+
  first_visit INTEGER NOT NULL,   -- no earlier non-cancelled appointment of the patient
  prior_no_shows INTEGER NOT NULL,-- earlier no-shows of the patient, capped at 2
  reminded INTEGER NOT NULL,      -- a reminder was sent or delivered (as of the last change)
  confirmed INTEGER NOT NULL,     -- the patient confirmed by link or SMS
  cancel_by TEXT NOT NULL DEFAULT '', -- '' | staff | link | sms | provider
  cancelled_at INTEGER,
  cancel_late INTEGER NOT NULL DEFAULT 0 -- cancelled less than 24 h before the start
);
CREATE INDEX analytics_facts_patient_idx ON analytics_facts (patient_id, start_ms);
-- Covering for the staff list of repeat no-shows (no table reads, filters included).
CREATE INDEX analytics_facts_clinic_status_idx ON analytics_facts (clinic_id, status, month, patient_id, start_ms, doctor_id, type, video);

-- Monthly counters per (doctor, type, video), each also summed over '*' (all doctors / all types)
-- and video = -1 (both), so any filter combination reads one row per month: a year of a
-- 50-doctor clinic is 12 rows for the clinic, ~600 for "by doctor" (a key range per doctor). Counters: see
-- worker/analytics/counters.ts (d_* = appointments with an outcome, completed or no-show;
-- ns_* = no-shows among them).
CREATE TABLE analytics_cube (
  clinic_id TEXT NOT NULL,
  month TEXT NOT NULL,
  doctor_id TEXT NOT NULL,
  type TEXT NOT NULL,
  video INTEGER NOT NULL,
  booked INTEGER NOT NULL DEFAULT 0,
  completed INTEGER NOT NULL DEFAULT 0,
  no_show INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  cancel_late INTEGER NOT NULL DEFAULT 0,
  cancel_staff INTEGER NOT NULL DEFAULT 0,
  cancel_link INTEGER NOT NULL DEFAULT 0,
  cancel_sms INTEGER NOT NULL DEFAULT 0,
  cancel_provider INTEGER NOT NULL DEFAULT 0,
  minutes INTEGER NOT NULL DEFAULT 0,
  lead_min_sum INTEGER NOT NULL DEFAULT 0,
  d_lead0 INTEGER NOT NULL DEFAULT 0, ns_lead0 INTEGER NOT NULL DEFAULT 0,
  d_lead1 INTEGER NOT NULL DEFAULT 0, ns_lead1 INTEGER NOT NULL DEFAULT 0,
  d_lead2 INTEGER NOT NULL DEFAULT 0, ns_lead2 INTEGER NOT NULL DEFAULT 0,
  d_lead3 INTEGER NOT NULL DEFAULT 0, ns_lead3 INTEGER NOT NULL DEFAULT 0,
  d_lead4 INTEGER NOT NULL DEFAULT 0, ns_lead4 INTEGER NOT NULL DEFAULT 0,
  d_first INTEGER NOT NULL DEFAULT 0, ns_first INTEGER NOT NULL DEFAULT 0,
  d_hist0 INTEGER NOT NULL DEFAULT 0, ns_hist0 INTEGER NOT NULL DEFAULT 0,
  d_hist1 INTEGER NOT NULL DEFAULT 0, ns_hist1 INTEGER NOT NULL DEFAULT 0,
  d_hist2 INTEGER NOT NULL DEFAULT 0, ns_hist2 INTEGER NOT NULL DEFAULT 0,
  d_rem INTEGER NOT NULL DEFAULT 0, ns_rem INTEGER NOT NULL DEFAULT 0,
  d_conf INTEGER NOT NULL DEFAULT 0, ns_conf INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (clinic_id, doctor_id, type, video, month)
) WITHOUT ROWID; -- the key is the row: one read per row, not an index entry plus a table row

-- Weekday × hour per month, with the same '*' / -1 summaries: the busiest-times heatmap and
-- no-shows by weekday and hour read 12 × (cells in use) rows for a year, whatever the filter.
CREATE TABLE analytics_heat (
  clinic_id TEXT NOT NULL,
  month TEXT NOT NULL,
  weekday INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  doctor_id TEXT NOT NULL,
  type TEXT NOT NULL,
  video INTEGER NOT NULL,
  booked INTEGER NOT NULL DEFAULT 0,
  minutes INTEGER NOT NULL DEFAULT 0,
  d_all INTEGER NOT NULL DEFAULT 0,
  ns_all INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (clinic_id, doctor_id, type, video, month, weekday, hour)
) WITHOUT ROWID;

-- Sync health per clinic, provider and UTC day: outcomes of provider calls and a fixed-bucket
-- histogram of latencies (worker/analytics/sync-metrics.ts has the bucket bounds), so p50/p95
-- over any run of days are exact to a bucket. direction: 'out' = change saved in ACMS → every
-- provider acknowledged (the outbox row done; kept by the trigger below), 'call' = one
-- provider HTTP call (from the engine's per-run metrics).
CREATE TABLE sync_metrics_daily (
  clinic_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  day TEXT NOT NULL,
  direction TEXT NOT NULL,
  ok INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  hist TEXT NOT NULL DEFAULT '[0,0,0,0,0,0,0,0,0,0,0,0]',
  PRIMARY KEY (clinic_id, day, provider, direction)
) WITHOUT ROWID;

-- Outbound latency: an outbox row leaving 'pending' is the end of "change saved → provider
-- acknowledged" for each provider the doctor syncs with. A trigger so the sync engine's write
-- path needs no analytics code. Bucket bounds (ms): 250, 500, 1000, 2000, 3000, 5000, 10000,
-- 30000, 60000, 300000, 3600000, above — keep equal to LATENCY_BOUNDS in sync-metrics.ts.
CREATE TRIGGER sync_metrics_outbox_done AFTER UPDATE OF state ON sync_outbox
WHEN OLD.state = 'pending' AND NEW.state IN ('done', 'failed') AND COALESCE(NEW.last_error, '') != 'no calendar integration'
BEGIN
  INSERT INTO sync_metrics_daily (clinic_id, provider, day, direction)
  SELECT NEW.clinic_id, i.provider, strftime('%Y-%m-%d', NEW.updated_at / 1000, 'unixepoch'), 'out'
  FROM calendar_integrations i WHERE i.doctor_id = NEW.doctor_id AND i.status = 'active'
  ON CONFLICT (clinic_id, day, provider, direction) DO NOTHING;
  UPDATE sync_metrics_daily SET
    ok = ok + (NEW.state = 'done'),
    failed = failed + (NEW.state = 'failed'),
    hist = CASE WHEN NEW.state = 'done' THEN json_set(hist, '$[' || (
             SELECT COUNT(*) FROM json_each('[250,500,1000,2000,3000,5000,10000,30000,60000,300000,3600000]')
             WHERE value < NEW.updated_at - NEW.created_at) || ']', json_extract(hist, '$[' || (
             SELECT COUNT(*) FROM json_each('[250,500,1000,2000,3000,5000,10000,30000,60000,300000,3600000]')
             WHERE value < NEW.updated_at - NEW.created_at) || ']') + 1) ELSE hist END
  WHERE clinic_id = NEW.clinic_id AND day = strftime('%Y-%m-%d', NEW.updated_at / 1000, 'unixepoch') AND direction = 'out'
    AND provider IN (SELECT provider FROM calendar_integrations WHERE doctor_id = NEW.doctor_id AND status = 'active');
END;

-- NPS: "How likely are you to recommend …" 0–10. Patients once per appointment (after it is
-- completed, on /r/<token>); staff at most once per quarter (quarter = 'YYYY-Qn'). Comments
-- are shown to admins only and never leave the clinic.
CREATE TABLE nps_responses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  clinic_id TEXT NOT NULL,
  source TEXT NOT NULL,           -- 'patient' | 'staff'
  appointment_id TEXT,
  user_id TEXT,
  quarter TEXT,
  score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
  comment TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE UNIQUE INDEX nps_appointment_uq ON nps_responses (appointment_id) WHERE appointment_id IS NOT NULL;
CREATE UNIQUE INDEX nps_staff_quarter_uq ON nps_responses (user_id, quarter) WHERE user_id IS NOT NULL;
CREATE INDEX nps_clinic_at_idx ON nps_responses (clinic_id, at);

-- Reminder and invite outcomes per clinic, UTC month (of the reminder's due time / the
-- invite's creation), kind ('reminder_email', 'reminder_sms', 'invite_request',
-- 'invite_cancel') and state, so the KPI reads a few hundred rows for a year, not one per
-- message. Kept by triggers on the message tables (whoever sends and records outcomes);
-- pending/sending rows are not counted (they come and go with every reschedule).
CREATE TABLE message_outcomes_monthly (
  clinic_id TEXT NOT NULL,
  month TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (clinic_id, month, kind, state)
) WITHOUT ROWID;
INSERT INTO message_outcomes_monthly (clinic_id, month, kind, state, n)
  SELECT clinic_id, strftime('%Y-%m', due_at / 1000, 'unixepoch'), 'reminder_' || channel, state, COUNT(*) FROM reminders
  WHERE state NOT IN ('pending', 'sending') GROUP BY 1, 2, 3, 4;
INSERT INTO message_outcomes_monthly (clinic_id, month, kind, state, n)
  SELECT clinic_id, strftime('%Y-%m', created_at / 1000, 'unixepoch'), 'invite_' || lower(method), state, COUNT(*) FROM email_outbox
  WHERE state != 'pending' GROUP BY 1, 2, 3, 4;

CREATE TRIGGER message_outcomes_reminder_ins AFTER INSERT ON reminders WHEN NEW.state NOT IN ('pending', 'sending')
BEGIN
  INSERT INTO message_outcomes_monthly (clinic_id, month, kind, state, n) VALUES (NEW.clinic_id, strftime('%Y-%m', NEW.due_at / 1000, 'unixepoch'), 'reminder_' || NEW.channel, NEW.state, 1)
  ON CONFLICT (clinic_id, month, kind, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER message_outcomes_reminder_upd AFTER UPDATE OF state, due_at, channel ON reminders
WHEN OLD.state NOT IN ('pending', 'sending') OR NEW.state NOT IN ('pending', 'sending')
BEGIN
  UPDATE message_outcomes_monthly SET n = n - 1
  WHERE OLD.state NOT IN ('pending', 'sending') AND clinic_id = OLD.clinic_id AND month = strftime('%Y-%m', OLD.due_at / 1000, 'unixepoch') AND kind = 'reminder_' || OLD.channel AND state = OLD.state;
  INSERT INTO message_outcomes_monthly (clinic_id, month, kind, state, n)
  SELECT NEW.clinic_id, strftime('%Y-%m', NEW.due_at / 1000, 'unixepoch'), 'reminder_' || NEW.channel, NEW.state, 1 WHERE NEW.state NOT IN ('pending', 'sending')
  ON CONFLICT (clinic_id, month, kind, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER message_outcomes_reminder_del AFTER DELETE ON reminders WHEN OLD.state NOT IN ('pending', 'sending')
BEGIN
  UPDATE message_outcomes_monthly SET n = n - 1
  WHERE clinic_id = OLD.clinic_id AND month = strftime('%Y-%m', OLD.due_at / 1000, 'unixepoch') AND kind = 'reminder_' || OLD.channel AND state = OLD.state;
END;
CREATE TRIGGER message_outcomes_invite_upd AFTER UPDATE OF state ON email_outbox WHEN OLD.state != NEW.state
BEGIN
  UPDATE message_outcomes_monthly SET n = n - 1
  WHERE OLD.state != 'pending' AND clinic_id = OLD.clinic_id AND month = strftime('%Y-%m', OLD.created_at / 1000, 'unixepoch') AND kind = 'invite_' || lower(OLD.method) AND state = OLD.state;
  INSERT INTO message_outcomes_monthly (clinic_id, month, kind, state, n)
  SELECT NEW.clinic_id, strftime('%Y-%m', NEW.created_at / 1000, 'unixepoch'), 'invite_' || lower(NEW.method), NEW.state, 1 WHERE NEW.state != 'pending'
  ON CONFLICT (clinic_id, month, kind, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER message_outcomes_invite_ins AFTER INSERT ON email_outbox WHEN NEW.state != 'pending'
BEGIN
  INSERT INTO message_outcomes_monthly (clinic_id, month, kind, state, n) VALUES (NEW.clinic_id, strftime('%Y-%m', NEW.created_at / 1000, 'unixepoch'), 'invite_' || lower(NEW.method), NEW.state, 1)
  ON CONFLICT (clinic_id, month, kind, state) DO UPDATE SET n = n + 1;
END;

-- "Feeds polled in the last week" (KPI): when a doctor's subscribable feed was last fetched
-- (200 or 304), written at most once an hour per doctor (worker/analytics/feed-polls.ts).
ALTER TABLE doctors ADD COLUMN feed_polled_at INTEGER;
