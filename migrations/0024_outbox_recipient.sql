-- Who an invite e-mail is for (worker/email/outbox.ts): the old patient's CANCEL, when staff
-- replace the patient, is rendered with the old patient's own name, not the new one's.
-- NULL on rows queued before this migration (rendered without a name when the address is not
-- the appointment's current patient's).
ALTER TABLE `email_outbox` ADD `patient_id` text;
