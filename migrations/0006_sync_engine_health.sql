-- Sync engine health (issue 9).
-- One persisted backoff per provider account: every call to that account waits until
-- backoff_until (Retry-After of a 429/403 rate limit), both directions, and survives an
-- evicted DoctorHub. own_listing_due: after a (re)connect, our own events are listed
-- once and only what differs is written (cheap reconnect).
ALTER TABLE `calendar_integrations` ADD `backoff_until` integer;
--> statement-breakpoint
ALTER TABLE `calendar_integrations` ADD `own_listing_due` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- Echo check: when we last wrote to a calendar (our writes produce push notifications;
-- a write with no notification after it within a few minutes means push is broken),
-- and since when push is judged broken (poll every 5 minutes until a notification arrives).
ALTER TABLE `integration_calendars` ADD `last_write_at` integer;
--> statement-breakpoint
ALTER TABLE `integration_calendars` ADD `push_suspect_at` integer;
