-- Per-integration poll backoff (issue 11): when a provider answers 429/503 with
-- Retry-After (iCloud throttles per account) or is down, no calendar of that account
-- is polled again before this time, neither by the doctor's hub nor by the cron.
ALTER TABLE `calendar_integrations` ADD `poll_backoff_until` integer;
