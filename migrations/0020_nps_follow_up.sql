-- Issue #19: the NPS follow-up after a completed visit ("the SMS/e-mail that follows the visit
-- when the clinic turns it on"), sent through the reminder pipeline (worker/reminders/*).
--
-- Per clinic: minutes after the visit's end the follow-up goes (NULL = off, the default).
ALTER TABLE clinics ADD COLUMN nps_follow_up_min INTEGER;

-- What a reminders row is: 'reminder' (before the visit) or 'nps' (the follow-up after it).
-- An NPS row has offset_minutes = -1 (one per appointment whatever the delay) and its patient
-- link opens the NPS question only, for 14 days after the visit (worker/patient-links/links.ts).
ALTER TABLE reminders ADD COLUMN kind TEXT NOT NULL DEFAULT 'reminder';

-- The hub's due query reads this index alone (worker/reminders/send.ts): it now carries kind too.
DROP INDEX IF EXISTS reminders_pending_idx;
CREATE INDEX reminders_pending_idx ON reminders (doctor_id, due_at, id, clinic_id, appointment_id, channel, start_ms, end_ms, attempts, to_address, kind) WHERE state = 'pending';

-- Message outcomes count follow-ups apart ('nps_sms', 'nps_email'), not as reminders.
DROP TRIGGER IF EXISTS message_outcomes_reminder_ins;
DROP TRIGGER IF EXISTS message_outcomes_reminder_upd;
DROP TRIGGER IF EXISTS message_outcomes_reminder_del;
CREATE TRIGGER message_outcomes_reminder_ins AFTER INSERT ON reminders WHEN NEW.state NOT IN ('pending', 'sending')
BEGIN
  INSERT INTO message_outcomes_monthly (clinic_id, month, kind, state, n)
  VALUES (NEW.clinic_id, strftime('%Y-%m', NEW.due_at / 1000, 'unixepoch'), (CASE NEW.kind WHEN 'nps' THEN 'nps_' ELSE 'reminder_' END) || NEW.channel, NEW.state, 1)
  ON CONFLICT (clinic_id, month, kind, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER message_outcomes_reminder_upd AFTER UPDATE OF state, due_at, channel ON reminders
WHEN OLD.state NOT IN ('pending', 'sending') OR NEW.state NOT IN ('pending', 'sending')
BEGIN
  UPDATE message_outcomes_monthly SET n = n - 1
  WHERE OLD.state NOT IN ('pending', 'sending') AND clinic_id = OLD.clinic_id AND month = strftime('%Y-%m', OLD.due_at / 1000, 'unixepoch')
    AND kind = (CASE OLD.kind WHEN 'nps' THEN 'nps_' ELSE 'reminder_' END) || OLD.channel AND state = OLD.state;
  INSERT INTO message_outcomes_monthly (clinic_id, month, kind, state, n)
  SELECT NEW.clinic_id, strftime('%Y-%m', NEW.due_at / 1000, 'unixepoch'), (CASE NEW.kind WHEN 'nps' THEN 'nps_' ELSE 'reminder_' END) || NEW.channel, NEW.state, 1
  WHERE NEW.state NOT IN ('pending', 'sending')
  ON CONFLICT (clinic_id, month, kind, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER message_outcomes_reminder_del AFTER DELETE ON reminders WHEN OLD.state NOT IN ('pending', 'sending')
BEGIN
  UPDATE message_outcomes_monthly SET n = n - 1
  WHERE clinic_id = OLD.clinic_id AND month = strftime('%Y-%m', OLD.due_at / 1000, 'unixepoch')
    AND kind = (CASE OLD.kind WHEN 'nps' THEN 'nps_' ELSE 'reminder_' END) || OLD.channel AND state = OLD.state;
END;
