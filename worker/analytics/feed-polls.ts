// Records that a doctor's subscribable feed was fetched (routes/feeds.ts calls this after a 200
// or 304), for the KPI "feeds polled in the last week". At most one write per doctor per hour:
// calendar clients poll every few minutes and each poll must stay a cheap read.
import { sha256Hex } from "../ids";

const EVERY_MS = 3_600_000;

export async function recordFeedPoll(d1: D1Database, token: string, now = Date.now()): Promise<void> {
  await d1
    .prepare("UPDATE doctors SET feed_polled_at = ? WHERE feed_token_hash = ? AND feed_enabled = 1 AND COALESCE(feed_polled_at, 0) < ?")
    .bind(now, await sha256Hex(token), now - EVERY_MS)
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
