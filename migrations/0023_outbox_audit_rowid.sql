-- Issue #18 (the bill per clinic): audit_log, email_outbox and sync_outbox lose AUTOINCREMENT.
-- With it, every INSERT also writes the table's row in sqlite_sequence — one more D1 row
-- written per audit entry, per invite and per sync outbox row — and a guarded INSERT … SELECT
-- that inserts nothing (the sync outbox row of a doctor without a calendar) still writes it
-- (measured: 1 row written, 0 changes). Without it SQLite gives a new row the largest id + 1:
-- the same ids, as none of these tables ever deletes rows (audit_log refuses deletes by
-- trigger; the outboxes keep their rows as history). A job that pruned the newest rows could
-- see an id again; pruning keeps the newest rows, so it cannot.
-- The tables are rebuilt with the same columns, indexes and triggers, and the same ids; both
-- outboxes' state indexes become indexes of their pending rows, and an invite in flight holds
-- its row with lease_until (in no index: taking the lease writes the row alone) instead of
-- moving next_attempt_at (the indexed column: 3 rows written per lease).

CREATE TABLE audit_log_next (
	`id` integer PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`actor_user_id` text,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`summary` text DEFAULT '{}' NOT NULL,
	`at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
INSERT INTO audit_log_next SELECT id, clinic_id, actor_user_id, actor_label, action, entity_type, entity_id, summary, at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_next RENAME TO audit_log;
CREATE INDEX `audit_clinic_at_idx` ON `audit_log` (`clinic_id`,`at`);
CREATE INDEX `audit_entity_idx` ON `audit_log` (`entity_type`,`entity_id`);
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE email_outbox_next (
	`id` integer PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`appointment_id` text NOT NULL,
	`method` text NOT NULL,
	`sequence` integer NOT NULL,
	`to_address` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`sent_at` integer,
	`lease_until` integer
);
INSERT INTO email_outbox_next (id, clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, last_error, created_at, sent_at)
  SELECT id, clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, last_error, created_at, sent_at FROM email_outbox;
DROP TABLE email_outbox;
ALTER TABLE email_outbox_next RENAME TO email_outbox;
-- Pending rows only (what the hub's and the cron's claims read, state = 'pending' in each): a
-- row sent, failed or superseded leaves the index (an entry deleted, none written), where the
-- index over every state wrote the moved entry again (2 more rows per invite sent).
CREATE INDEX email_outbox_pending_idx ON email_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX `email_outbox_appt_idx` ON `email_outbox` (`appointment_id`);
-- As in 0017_analytics.sql.
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

CREATE TABLE sync_outbox_next (
	`id` integer PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`doctor_id` text NOT NULL,
	`appointment_id` text NOT NULL,
	`op` text NOT NULL,
	`version` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
INSERT INTO sync_outbox_next SELECT id, clinic_id, doctor_id, appointment_id, op, version, state, attempts, next_attempt_at, last_error, created_at, updated_at FROM sync_outbox;
DROP TABLE sync_outbox;
ALTER TABLE sync_outbox_next RENAME TO sync_outbox;
-- Pending rows only, by doctor (every reader asks for state = 'pending': the hub's drain, the
-- cron's "who has work", the waiting count): a row done or failed leaves the index instead of
-- being written into it again, and the index no longer grows with the outbox's history.
CREATE INDEX outbox_pending_idx ON sync_outbox (doctor_id, next_attempt_at) WHERE state = 'pending';
-- As in 0017_analytics.sql.
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
