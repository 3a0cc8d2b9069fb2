// When each synced calendar is read without a push notification (pure; table-tested
// in test/worker/sync/cadence.test.ts). A push channel is a latency optimisation,
// never the only path (lesson 22):
//
// - No cursor yet → now.
// - No healthy channel (none, past the provider's expiration, or push judged broken
//   by the echo check; CalDAV has no push at all) → every POLL_WITHOUT_PUSH_MS (5 minutes),
//   at the calendar's own phase inside those 5 minutes (nextPhasedPoll).
// - Healthy channel → one cheap incremental read (the stored cursor: one request when
//   nothing changed) every hour, at the calendar's own minute of the hour (a hash of
//   integration + calendar), so a clinic's calendars are spread over the hour instead
//   of all polling at :00.
// - Echo check: our own writes come back as push notifications. A write with no
//   notification after it within ECHO_WAIT_MS means push is broken although the
//   channel looks healthy: the calendar is polled every 5 minutes from then on and
//   its channel re-created, until a notification arrives again.
// - A full listing of the window at least daily (inbound.ts FULL_RESYNC_EVERY_MS).
//
// Worst case for a change made at the provider whose push is lost silently: it is
// read at the calendar's next hourly slot, at most POLL_WITH_PUSH_MS (60 min) after
// the previous read; if the hub's alarm was lost too, the 5-minute cron finds the
// overdue calendar (+ CRON_EVERY_MS). So ≤ 65 minutes; once a write of ours has gone
// unechoed, ≤ ECHO_WAIT_MS + POLL_WITHOUT_PUSH_MS for everything after it.
import type { CalendarRow } from "./integrations";

export const POLL_WITHOUT_PUSH_MS = 5 * 60_000;
export const POLL_WITH_PUSH_MS = 60 * 60_000;
export const ECHO_WAIT_MS = 3 * 60_000;
export const CRON_EVERY_MS = 5 * 60_000;
/** The documented bound for a lost push (docs/sync.md); the scenario test checks it. */
export const LOST_PUSH_WORST_CASE_MS = POLL_WITH_PUSH_MS + CRON_EVERY_MS;

/** FNV-1a: a cheap, stable hash so a calendar keeps its minute of the hour across runs. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The calendar's offset within the hour (ms), the same on every run. */
export const phaseOf = (integrationId: string, calendarId: string) => fnv1a(`${integrationId}\n${calendarId}`) % POLL_WITH_PUSH_MS;

/** The first time after `lastMs` that falls on the calendar's minute of the hour (≤ one hour later). */
export function nextSlotAfter(lastMs: number, phaseMs: number, every = POLL_WITH_PUSH_MS): number {
  const into = (((lastMs - phaseMs) % every) + every) % every;
  return lastMs - into + every;
}

/**
 * Calendars polled every POLL_WITHOUT_PUSH_MS (CalDAV, or push lost) keep a fixed phase inside
 * the interval too: with "last poll + 5 min", every calendar woken by the same cron tick (after a
 * deploy or an outage) would stay in lock-step for ever — a hundred iCloud doctors, a hundred
 * bursts in the same second. The next poll is the first time on the calendar's phase at least
 * half an interval after the last one (so a poll just before its phase point is not repeated a
 * moment later); once on phase the gaps are exactly `every`.
 */
export const pollPhase = (key: string, every: number) => fnv1a(key) % every;
export function nextPhasedPoll(lastMs: number, every: number, key: string): number {
  const phase = pollPhase(key, every);
  let next = lastMs + ((((phase - lastMs) % every) + every) % every);
  if (next - lastMs < every / 2) next += every;
  return next;
}

/** The channel exists and the provider's expiration (stored from watch and from notifications) is ahead. */
export function channelHealthy(row: CalendarRow, now: number): boolean {
  return !!row.channel_id && (row.channel_expires_at ?? 0) > now;
}

/** A write of ours has gone without any notification for longer than the echo wait. */
export function echoOverdue(row: CalendarRow, now: number): boolean {
  const w = row.last_write_at ?? null;
  return w != null && (row.last_notification_at ?? 0) < w && now - w >= ECHO_WAIT_MS && channelHealthy(row, now);
}

/** When the echo check of this calendar should next look (null: nothing to check). */
export function echoCheckAt(row: CalendarRow, now: number): number | null {
  const w = row.last_write_at ?? null;
  if (w == null || (row.last_notification_at ?? 0) >= w || !channelHealthy(row, now)) return null;
  return w + ECHO_WAIT_MS;
}

/** When this calendar's next read without a notification is due (ignores the daily full listing). */
export function nextCursorPollAt(row: CalendarRow, now: number): number {
  if (!row.sync_cursor) return now;
  const last = row.last_polled_at ?? 0;
  if (!channelHealthy(row, now) || row.push_suspect_at != null) return nextPhasedPoll(last, POLL_WITHOUT_PUSH_MS, `${row.integration_id} ${row.calendar_id}`);
  return nextSlotAfter(last, phaseOf(row.integration_id, row.calendar_id));
}
