// Records that a doctor's subscribable feed was fetched, for the KPI "feeds polled in the last
// week". A poll is one D1 statement (issue #18): the feed lookup (worker/ics/feed-store.ts)
// returns feed_polled_at with the body, and serveFeed (worker/ics/feed.ts) calls recordFeedPoll
// only when the last record is an hour old — calendar clients poll every few minutes, so at
// most one poll an hour per doctor pays a second statement, a primary-key UPDATE after the answer.
const EVERY_MS = 3_600_000;

/** True when a poll at `now` should be recorded (the last one is older than an hour, or none). */
export const feedPollDue = (polledAt: number | null, now: number) => (polledAt ?? 0) < now - EVERY_MS;

export async function recordFeedPoll(d1: D1Database, doctorId: string, now = Date.now()): Promise<void> {
  // The condition again: two pollers that both saw it due write once.
  await d1
    .prepare("UPDATE doctors SET feed_polled_at = ? WHERE id = ? AND COALESCE(feed_polled_at, 0) < ?")
    .bind(now, doctorId, now - EVERY_MS)
    .run();
}

/** Active doctors with a feed turned on, and those whose feed was fetched in the last 7 days. */
export async function feedPolls(d1: D1Database, clinicId: string, now = Date.now()) {
  const r = await d1
    .prepare("SELECT SUM(feed_enabled = 1) AS enabled, SUM(feed_enabled = 1 AND feed_polled_at >= ?) AS polled FROM doctors WHERE clinic_id = ? AND active = 1")
    .bind(now - 7 * 86_400_000, clinicId)
    .first<{ enabled: number | null; polled: number | null }>();
  return { enabled: r?.enabled ?? 0, polledLastWeek: r?.polled ?? 0 };
}
