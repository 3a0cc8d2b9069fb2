-- Issue #18 (the bill per clinic): the analytics kept in every appointment change's batch wrote
-- 20 of a booking's ~50 D1 rows, and D1 bills rows written. Two changes, same numbers on the
-- dashboard (worker/analytics/read.ts reads the new keys; the rollup property test still holds
-- the incremental rollups equal to a rebuild):
--
-- 1. The rollups (analytics_cube, analytics_heat) keep each fact under its own
--    (doctor, type, video), its doctor's total (doctor, '*', -1) and the clinic's total
--    ('*', '*', -1) only: 3 rows per fact and table, not all 2^3 = 8 summary combinations.
--    The unfiltered dashboard and a doctor's own still read one row per month (and per
--    weekday-hour cell). Month now comes right after the clinic in the key, so a type or video
--    filter is one key range per month over that month's own-key rows.
-- 2. analytics_facts is WITHOUT ROWID: its primary key is the row, so there is no separate
--    index entry to write for the appointment id (one row fewer per fact write); its index for
--    the repeat no-show list holds no-shows only.
--
-- The other summary rows are dropped here: they are sums of the own-key rows kept.
CREATE TABLE analytics_cube_next (
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
  PRIMARY KEY (clinic_id, month, doctor_id, type, video)
) WITHOUT ROWID;
INSERT INTO analytics_cube_next SELECT * FROM analytics_cube
  WHERE (type != '*' AND video != -1 AND doctor_id != '*') OR (type = '*' AND video = -1);
DROP TABLE analytics_cube;
ALTER TABLE analytics_cube_next RENAME TO analytics_cube;

CREATE TABLE analytics_heat_next (
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
  PRIMARY KEY (clinic_id, month, doctor_id, type, video, weekday, hour)
) WITHOUT ROWID;
INSERT INTO analytics_heat_next SELECT * FROM analytics_heat
  WHERE (type != '*' AND video != -1 AND doctor_id != '*') OR (type = '*' AND video = -1);
DROP TABLE analytics_heat;
ALTER TABLE analytics_heat_next RENAME TO analytics_heat;

CREATE TABLE analytics_facts_next (
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
) WITHOUT ROWID;
INSERT INTO analytics_facts_next SELECT * FROM analytics_facts;
DROP TABLE analytics_facts;
ALTER TABLE analytics_facts_next RENAME TO analytics_facts;
CREATE INDEX analytics_facts_patient_idx ON analytics_facts (patient_id, start_ms);
-- Covering for the staff list of repeat no-shows (no table reads, filters included), and holding
-- the no-shows only (~1 fact in 12): a booking, a confirmation or a completed visit writes no
-- entry in it (the index over every fact's status was 2 more rows written per status change).
CREATE INDEX analytics_facts_no_show_idx ON analytics_facts (clinic_id, month, patient_id, start_ms, doctor_id, type, video) WHERE status = 'no_show';
