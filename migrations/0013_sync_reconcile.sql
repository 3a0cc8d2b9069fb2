-- Issue 17 (sync: never lose or resurrect an event).
-- reconciled_at: the last full comparison of our events at the provider with our appointments
--   (worker/sync/full-reconcile.ts); NULL (a new or reconnected integration) = due now, then daily.
-- waiting_notice_at: when the doctor was told that changes are waiting to reach the provider
--   (worker/sync/waiting.ts); cleared when they have all landed, so each outage tells once.
ALTER TABLE calendar_integrations ADD COLUMN reconciled_at INTEGER;
ALTER TABLE calendar_integrations ADD COLUMN waiting_notice_at INTEGER;
