-- Re-import updates and removals (issue #8): remember which calendar each imported
-- occurrence came from (a hash of its URL, given name or X-WR-CALNAME; '' unknown),
-- so a re-import of that calendar can free the time of events deleted there without
-- touching what other calendars imported into the same doctor.
ALTER TABLE `imported_events` ADD `source` text DEFAULT '' NOT NULL;
--> statement-breakpoint
-- Where the file last put the occurrence: a re-import moves a block or appointment only when the
-- FILE changed, so a block or appointment that staff moved here is not moved back by an unchanged file.
ALTER TABLE `imported_events` ADD `start_ms` integer;
--> statement-breakpoint
ALTER TABLE `imported_events` ADD `end_ms` integer;
--> statement-breakpoint
CREATE INDEX `imported_events_source_idx` ON `imported_events` (`doctor_id`,`source`);
