-- Sessions that really end (issue #8). Every session token carries the user's
-- session epoch at issue; bumping it (password change or reset, disabling, role
-- change) ends every session of that user at once. A single log-out ends one
-- session: its token id goes into revoked_sessions until the token would have
-- expired anyway (rows past expires_at are pruned on the next log-out).
ALTER TABLE `users` ADD `session_epoch` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE TABLE `revoked_sessions` (
	`jti` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `revoked_sessions_exp_idx` ON `revoked_sessions` (`expires_at`);--> statement-breakpoint
-- Log-in throttling (worker/auth/throttle.ts): login_attempts now holds progressive
-- delays, not a lock. `window_start` = when the last attempt was counted,
-- `locked_until` = the earliest time the next attempt on that key is checked,
-- `attempt` = the request that claimed the last slot (lets the follower keys of one
-- log-in be counted in the same transaction only when the lead key was).
ALTER TABLE `login_attempts` ADD `attempt` text;--> statement-breakpoint
CREATE INDEX `login_attempts_window_idx` ON `login_attempts` (`window_start`);--> statement-breakpoint
-- The audit trail is append-only at the database level too: no code path, fixture
-- or console session can rewrite or remove history. A retention purge, if ever
-- required, is a deliberate migration that drops these triggers.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
