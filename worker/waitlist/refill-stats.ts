// The waitlist's refill figures as one statement, for GET /api/waitlist/stats (any instant
// range, whole clinic) and the Analytics page's waitlist section (per month, doctor filter):
// one definition, so the two can never disagree.
// A standby slot (standby_for set) is a held time offered early, not freed time: its cancel
// writes the freed row. So "freed" and the wait average count plain slots only (a standby
// patient gets the time at the cancel itself); offers and refills count both kinds.
// Binds: ?1 clinic, ?2 from (ms, inclusive), ?3 to (ms, exclusive), ?4 doctor id or '*'.
export const REFILL_STATS_SQL =
  "SELECT count(*) FILTER (WHERE standby_for IS NULL) AS freed, count(offered_at) AS offered, count(filled_at) AS refilled, " +
  "avg(CASE WHEN standby_for IS NULL THEN filled_at - freed_at END) AS avg_ms " +
  "FROM waitlist_slots INDEXED BY waitlist_slots_clinic_idx WHERE clinic_id = ?1 AND freed_at >= ?2 AND freed_at < ?3 AND (?4 = '*' OR doctor_id = ?4)";

export type RefillStatsRow = { freed: number; offered: number; refilled: number; avg_ms: number | null };
