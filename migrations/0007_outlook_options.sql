-- Outlook (issue 10): whether "tentative" events block the doctor (default: they do); the kind of
-- Microsoft account (work_or_school | personal): only work/school accounts get Teams links; the
-- appointment types that get a Teams meeting; and the join link the provider made, per event link.
ALTER TABLE `calendar_integrations` ADD `block_tentative` integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE `calendar_integrations` ADD `account_kind` text;
--> statement-breakpoint
ALTER TABLE `calendar_integrations` ADD `teams_types` text DEFAULT '[]' NOT NULL;
--> statement-breakpoint
ALTER TABLE `appointment_links` ADD `join_url` text;
