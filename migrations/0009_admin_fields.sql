-- Issue 12 admin screens: a doctor's appointment types with their default durations, and free-text
-- notes on a patient. Plain added columns with defaults: existing rows stay valid, no table rebuild
-- (which would drop the appointments triggers of 0002 if it touched that table; it does not).
ALTER TABLE `doctors` ADD `appointment_types` text DEFAULT '[]' NOT NULL;
--> statement-breakpoint
ALTER TABLE `patients` ADD `notes` text DEFAULT '' NOT NULL;
