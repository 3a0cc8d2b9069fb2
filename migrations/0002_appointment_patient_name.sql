ALTER TABLE `appointments` ADD `patient_name` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `clinics` ADD `max_appointment_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `doctors` ADD `max_appointment_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Backfill: the patient's current name onto every existing appointment.
UPDATE `appointments` SET `patient_name` = COALESCE((SELECT `name` FROM `patients` WHERE `patients`.`id` = `appointments`.`patient_id`), '');
--> statement-breakpoint
-- Backfill: the longest stored appointment per doctor and per clinic.
UPDATE `doctors` SET `max_appointment_ms` = COALESCE((SELECT MAX(`end_ms` - `start_ms`) FROM `appointments` WHERE `appointments`.`doctor_id` = `doctors`.`id`), 0);
--> statement-breakpoint
UPDATE `clinics` SET `max_appointment_ms` = COALESCE((SELECT MAX(`end_ms` - `start_ms`) FROM `appointments` WHERE `appointments`.`clinic_id` = `clinics`.`id`), 0);
--> statement-breakpoint
-- Keep doctors/clinics.max_appointment_ms >= every stored duration, for every writer
-- (API, sync engines, imports, seeds, fixtures), inside the writing transaction. Range
-- queries look back exactly that far before `from` (appointments/queries.ts). Only grows:
-- a shorter or deleted appointment leaves it as is (a wider look-back is still correct).
CREATE TRIGGER `appointments_max_ms_insert` AFTER INSERT ON `appointments`
BEGIN
  UPDATE `doctors` SET `max_appointment_ms` = NEW.`end_ms` - NEW.`start_ms`
    WHERE `id` = NEW.`doctor_id` AND `max_appointment_ms` < NEW.`end_ms` - NEW.`start_ms`;
  UPDATE `clinics` SET `max_appointment_ms` = NEW.`end_ms` - NEW.`start_ms`
    WHERE `id` = NEW.`clinic_id` AND `max_appointment_ms` < NEW.`end_ms` - NEW.`start_ms`;
END;
--> statement-breakpoint
CREATE TRIGGER `appointments_max_ms_update` AFTER UPDATE OF `start_ms`, `end_ms`, `doctor_id`, `clinic_id` ON `appointments`
BEGIN
  UPDATE `doctors` SET `max_appointment_ms` = NEW.`end_ms` - NEW.`start_ms`
    WHERE `id` = NEW.`doctor_id` AND `max_appointment_ms` < NEW.`end_ms` - NEW.`start_ms`;
  UPDATE `clinics` SET `max_appointment_ms` = NEW.`end_ms` - NEW.`start_ms`
    WHERE `id` = NEW.`clinic_id` AND `max_appointment_ms` < NEW.`end_ms` - NEW.`start_ms`;
END;
