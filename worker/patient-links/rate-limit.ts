// A fixed-window counter in D1 for public endpoints (the patient link page): one UPSERT …
// RETURNING per request, atomic under parallel requests. D1 rather than the Workers Rate
// Limiting binding because the limit must hold across every location and be testable in
// workerd as it is.
export async function allowRequest(d1: D1Database, key: string, limit: number, windowMs: number, now = Date.now()): Promise<boolean> {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const row = await d1
    .prepare(
      "INSERT INTO rate_counters (key, window_start, count) VALUES (?, ?, 1) ON CONFLICT(key) DO UPDATE SET " +
        "count = CASE WHEN rate_counters.window_start = excluded.window_start THEN rate_counters.count + 1 ELSE 1 END, " +
        "window_start = excluded.window_start RETURNING count",
    )
    .bind(key, windowStart)
    .first<{ count: number }>();
  return (row?.count ?? 0) <= limit;
}
