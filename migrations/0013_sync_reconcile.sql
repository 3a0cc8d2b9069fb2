-- Issue 17 (sync: never lose or resurrect an event).
-- reconciled_at: the last full comparison of our events at the provider with our appointments
--   (worker/sync/full-reconcile.ts); NULL (a new or reconnected integration) = due now, then daily.
-- waiting_notice_at: when the doctor was told that changes are waiting to reach the provider
--   (worker/sync/waiting.ts); cleared when they have all landed, so each outage tells once.
ALTER TABLE calendar_integrations ADD COLUMN reconciled_at INTEGER;
ALTER TABLE calendar_integrations ADD COLUMN waiting_notice_at INTEGER;
-- external_sequence: the SEQUENCE the provider's copy of our event had when we last read it
--   (CalDAV); our next write over it carries max(ours, this + 1), never a lower one.
ALTER TABLE appointment_links ADD COLUMN external_sequence INTEGER;
