-- Issue #21 ("offer high-risk slots to the waitlist early if unconfirmed by a cut-off, never
-- double-book"): a waitlist slot can be a STANDBY slot — the time of a high-risk appointment
-- still unconfirmed at the clinic's cut-off, offered while it is still booked. Accepting puts the
-- patient on standby (offer state 'standing'); it becomes a booking, through the doctor's hub and
-- the normal write path, only when the original appointment is cancelled, moved away or (if the
-- clinic chose so) released unconfirmed at the final point. If the original patient confirms,
-- the standby offers are withdrawn (offer and slot state 'withdrawn'). Code: worker/waitlist/standby*.ts,
-- worker/suggestions/actions.ts.
--   standby_for: the held appointment (NULL for an ordinary freed slot)
--   final_at: the final point (epoch ms); release_unconfirmed: 1 = the clinic releases the
--   original appointment if it is still unconfirmed then.
ALTER TABLE waitlist_slots ADD COLUMN standby_for TEXT;
ALTER TABLE waitlist_slots ADD COLUMN final_at INTEGER;
ALTER TABLE waitlist_slots ADD COLUMN release_unconfirmed INTEGER NOT NULL DEFAULT 0;
-- One standby slot per appointment and start: the cron may look every 5 minutes, the offer goes once.
CREATE UNIQUE INDEX waitlist_slots_standby_uq ON waitlist_slots (standby_for, start_ms);
