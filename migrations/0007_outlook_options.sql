-- Outlook (issue 10): whether "tentative" events block the doctor (default: they do), and the
-- kind of Microsoft account (work_or_school | personal): only work/school accounts get Teams links.
ALTER TABLE `calendar_integrations` ADD `block_tentative` integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE `calendar_integrations` ADD `account_kind` text;
