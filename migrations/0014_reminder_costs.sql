-- Issues #17/#18 (reminders): each reminder is claimed, checked and marked with the fewest D1 rows.
--
-- A pending reminder carries what sending it needs, so the hub's due query reads the partial
-- index alone (no join per row): the appointment's end (patient link expiry, Jitsi token) and
-- the address it goes to (the patient's e-mail or phone as typed; normalized to E.164 at send
-- time). Both are re-planned with the appointment (worker/reminders/effect.ts) and with the
-- patient's contact or SMS consent (worker/reminders/replan.ts), and cleared once sent.
ALTER TABLE reminders ADD COLUMN end_ms INTEGER;
ALTER TABLE reminders ADD COLUMN to_address TEXT;
UPDATE reminders SET
  end_ms = (SELECT a.end_ms FROM appointments a WHERE a.id = reminders.appointment_id),
  to_address = (SELECT CASE reminders.channel WHEN 'email' THEN NULLIF(p.email, '') ELSE NULLIF(p.phone, '') END
                FROM appointments a JOIN patients p ON p.id = a.patient_id
                WHERE a.id = reminders.appointment_id AND (reminders.channel = 'email' OR p.sms_consent = 1))
WHERE state = 'pending';
UPDATE reminders SET state = 'skipped', last_error = 'no address or no SMS consent' WHERE state = 'pending' AND (to_address IS NULL OR end_ms IS NULL);

-- Partial indexes: a row leaves reminders_pending_idx when it is claimed (an index delete, no
-- index row written), and stays in reminders_open_idx (the cron's view of overdue and stuck
-- rows) only while pending or sending. The pending index covers every column the hub reads.
DROP INDEX IF EXISTS reminders_doctor_due_idx;
DROP INDEX IF EXISTS reminders_due_idx;
-- Delivery callbacks name the reminder in their URL (?r=<id>), so no index on provider_id
-- (writing it would cost an index row on every send).
DROP INDEX IF EXISTS reminders_provider_idx;
CREATE INDEX reminders_pending_idx ON reminders (doctor_id, due_at, id, clinic_id, appointment_id, channel, start_ms, end_ms, attempts, to_address) WHERE state = 'pending';
CREATE INDEX reminders_open_idx ON reminders (due_at) WHERE state IN ('pending', 'sending');

-- The clinic's country (ISO 3166 alpha-2): the default region for patients' national phone numbers.
ALTER TABLE clinics ADD COLUMN country TEXT NOT NULL DEFAULT '';
