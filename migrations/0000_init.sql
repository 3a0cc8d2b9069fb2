CREATE TABLE `appointment_links` (
	`appointment_id` text NOT NULL,
	`integration_id` text NOT NULL,
	`external_id` text NOT NULL,
	`external_calendar_id` text NOT NULL,
	`etag` text,
	`synced_version` integer DEFAULT 0 NOT NULL,
	`synced_hash` text,
	`external_updated_at` integer,
	`state` text DEFAULT 'pending' NOT NULL,
	`last_error` text,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`appointment_id`, `integration_id`)
);
--> statement-breakpoint
CREATE INDEX `links_external_idx` ON `appointment_links` (`integration_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `appointments` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`doctor_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`start_ms` integer NOT NULL,
	`end_ms` integer NOT NULL,
	`type` text DEFAULT 'consultation' NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_by` text NOT NULL,
	`updated_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `clinics`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`doctor_id`) REFERENCES `doctors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `appointments_doctor_start_idx` ON `appointments` (`doctor_id`,`start_ms`);--> statement-breakpoint
CREATE INDEX `appointments_clinic_start_idx` ON `appointments` (`clinic_id`,`start_ms`);--> statement-breakpoint
CREATE INDEX `appointments_patient_idx` ON `appointments` (`patient_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`clinic_id` text NOT NULL,
	`actor_user_id` text,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`summary` text DEFAULT '{}' NOT NULL,
	`at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_clinic_at_idx` ON `audit_log` (`clinic_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_entity_idx` ON `audit_log` (`entity_type`,`entity_id`);--> statement-breakpoint
CREATE TABLE `blocked_times` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`doctor_id` text NOT NULL,
	`start_ms` integer NOT NULL,
	`end_ms` integer NOT NULL,
	`source` text DEFAULT 'manual' NOT NULL,
	`label` text DEFAULT '' NOT NULL,
	`all_day` integer DEFAULT false NOT NULL,
	`integration_id` text,
	`external_id` text,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `clinics`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`doctor_id`) REFERENCES `doctors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `blocked_doctor_end_idx` ON `blocked_times` (`doctor_id`,`end_ms`);--> statement-breakpoint
CREATE UNIQUE INDEX `blocked_external_uq` ON `blocked_times` (`integration_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `calendar_integrations` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`user_id` text NOT NULL,
	`doctor_id` text NOT NULL,
	`provider` text NOT NULL,
	`account_email` text DEFAULT '' NOT NULL,
	`sealed_tokens` text,
	`access_expires_at` integer,
	`write_calendar_id` text,
	`busy_calendar_ids` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`last_sync_at` integer,
	`last_error` text,
	`last_error_at` integer,
	`metrics` text DEFAULT '{}' NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `integrations_doctor_provider_uq` ON `calendar_integrations` (`doctor_id`,`provider`);--> statement-breakpoint
CREATE TABLE `clinics` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`time_zone` text NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`domain` text DEFAULT 'acms.example' NOT NULL,
	`reminder_minutes` text DEFAULT '[1440,60]' NOT NULL,
	`email_templates` text DEFAULT '{}' NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `doctors` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`user_id` text,
	`name` text NOT NULL,
	`specialty` text DEFAULT '' NOT NULL,
	`color` text DEFAULT '#3b82f6' NOT NULL,
	`slot_minutes` integer DEFAULT 30 NOT NULL,
	`working_hours` text DEFAULT '{}' NOT NULL,
	`feed_token_hash` text,
	`feed_privacy` text DEFAULT 'busy' NOT NULL,
	`feed_enabled` integer DEFAULT false NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `clinics`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `doctors_clinic_idx` ON `doctors` (`clinic_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `doctors_user_uq` ON `doctors` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `doctors_feed_uq` ON `doctors` (`feed_token_hash`);--> statement-breakpoint
CREATE TABLE `email_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`clinic_id` text NOT NULL,
	`appointment_id` text NOT NULL,
	`method` text NOT NULL,
	`sequence` integer NOT NULL,
	`to_address` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `email_outbox_state_idx` ON `email_outbox` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `email_outbox_appt_idx` ON `email_outbox` (`appointment_id`);--> statement-breakpoint
CREATE TABLE `imported_events` (
	`doctor_id` text NOT NULL,
	`uid` text NOT NULL,
	`recurrence_id` text DEFAULT '' NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`doctor_id`, `uid`, `recurrence_id`)
);
--> statement-breakpoint
CREATE TABLE `integration_calendars` (
	`integration_id` text NOT NULL,
	`calendar_id` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`sync_cursor` text,
	`channel_id` text,
	`channel_resource_id` text,
	`channel_token_hash` text,
	`channel_expires_at` integer,
	`last_notification_at` integer,
	`last_polled_at` integer,
	PRIMARY KEY(`integration_id`, `calendar_id`)
);
--> statement-breakpoint
CREATE INDEX `intcal_channel_idx` ON `integration_calendars` (`channel_id`);--> statement-breakpoint
CREATE TABLE `login_attempts` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`window_start` integer NOT NULL,
	`locked_until` integer
);
--> statement-breakpoint
CREATE TABLE `notices` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`message` text NOT NULL,
	`entity_type` text,
	`entity_id` text,
	`read_at` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notices_user_idx` ON `notices` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `patients` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`name` text NOT NULL,
	`name_lc` text NOT NULL,
	`phone` text DEFAULT '' NOT NULL,
	`phone_digits` text DEFAULT '' NOT NULL,
	`email` text DEFAULT '' NOT NULL,
	`date_of_birth` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `clinics`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patients_name_idx` ON `patients` (`clinic_id`,`name_lc`);--> statement-breakpoint
CREATE INDEX `patients_phone_idx` ON `patients` (`clinic_id`,`phone_digits`);--> statement-breakpoint
CREATE INDEX `patients_email_idx` ON `patients` (`clinic_id`,`email`);--> statement-breakpoint
CREATE TABLE `sync_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`clinic_id` text NOT NULL,
	`doctor_id` text NOT NULL,
	`appointment_id` text NOT NULL,
	`op` text NOT NULL,
	`version` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbox_doctor_state_idx` ON `sync_outbox` (`doctor_id`,`state`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`clinic_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `clinics`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_uq` ON `users` (`email`);--> statement-breakpoint
CREATE INDEX `users_clinic_idx` ON `users` (`clinic_id`);