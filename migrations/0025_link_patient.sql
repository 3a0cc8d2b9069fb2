-- Who a reminder and a stored patient link are for (worker/patient-links/links.ts): a personal
-- link opens its appointment only while its patient is still the appointment's patient, so when
-- staff replace the patient the old patient's links stop working (a privacy leak between patients).
-- NULL on rows written before this migration: those are decided by the audit log (retired when
-- the patient was replaced after the reminder was claimed or the link was issued).
ALTER TABLE `patient_links` ADD `patient_id` text;--> statement-breakpoint
ALTER TABLE `reminders` ADD `patient_id` text;
