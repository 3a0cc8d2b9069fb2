-- A busy block that is moved or shortened frees time, as a deleted one does (0018's
-- blocked_times_freed_waitlist): the time it no longer covers goes to the waitlist. A doctor
-- shortening "away all day" to the morning in their own calendar, an imported event moved an hour
-- later: the freed stretch is offered like a cancellation. Two parts at most: before the block's
-- new start, and after its new end (a block moved clear of its old time frees all of it). The hub
-- checks at offer time that the time is really free and in working hours, as for any freed slot.
-- Same bounds as a delete: only time still ahead, starting within 90 days.
CREATE TRIGGER blocked_times_moved_waitlist AFTER UPDATE OF start_ms, end_ms ON blocked_times
WHEN NEW.start_ms > OLD.start_ms OR NEW.end_ms < OLD.end_ms
BEGIN
  INSERT INTO waitlist_slots (id, clinic_id, doctor_id, start_ms, end_ms, cause, state, next_at, freed_at)
  SELECT lower(hex(randomblob(16))), OLD.clinic_id, OLD.doctor_id, max(OLD.start_ms, unixepoch() * 1000), min(OLD.end_ms, NEW.start_ms),
    'busy block moved (' || OLD.source || ')', 'new', unixepoch() * 1000, unixepoch() * 1000
  WHERE NEW.start_ms > OLD.start_ms AND min(OLD.end_ms, NEW.start_ms) > unixepoch() * 1000
    AND OLD.start_ms < unixepoch() * 1000 + 90 * 86400000;
  INSERT INTO waitlist_slots (id, clinic_id, doctor_id, start_ms, end_ms, cause, state, next_at, freed_at)
  SELECT lower(hex(randomblob(16))), OLD.clinic_id, OLD.doctor_id, max(OLD.start_ms, NEW.end_ms, unixepoch() * 1000), OLD.end_ms,
    'busy block moved (' || OLD.source || ')', 'new', unixepoch() * 1000, unixepoch() * 1000
  WHERE NEW.end_ms < OLD.end_ms AND OLD.end_ms > unixepoch() * 1000
    AND max(OLD.start_ms, NEW.end_ms) < unixepoch() * 1000 + 90 * 86400000;
END;
