CREATE TABLE `patient_terms` (
	`clinic_id` text NOT NULL,
	`term` text NOT NULL,
	`patient_id` text NOT NULL,
	PRIMARY KEY(`clinic_id`, `term`, `patient_id`)
);
--> statement-breakpoint
CREATE INDEX `patient_terms_patient_idx` ON `patient_terms` (`patient_id`);--> statement-breakpoint
-- Backfill: one row per space-separated word of every existing patient's name_lc.
INSERT OR IGNORE INTO `patient_terms` (`clinic_id`, `term`, `patient_id`)
WITH RECURSIVE split(clinic_id, patient_id, word, rest) AS (
  SELECT clinic_id, id, '', name_lc || ' ' FROM patients
  UNION ALL
  SELECT clinic_id, patient_id, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1) FROM split WHERE rest <> ''
)
SELECT clinic_id, word, patient_id FROM split WHERE word <> '';
