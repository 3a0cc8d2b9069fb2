-- The visit a CANCEL e-mail calls off, as it was (worker/email/outbox.ts): when the same edit also
-- moved the appointment, changed its doctor or replaced its patient, the CANCEL describes the
-- visit its recipient had, not the appointment as it is now. NULL on REQUESTs and older rows.
ALTER TABLE `email_outbox` ADD `start_ms` integer;--> statement-breakpoint
ALTER TABLE `email_outbox` ADD `end_ms` integer;--> statement-breakpoint
ALTER TABLE `email_outbox` ADD `doctor_id` text;