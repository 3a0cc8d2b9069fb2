// Spreading polls over the interval. Calendars without push (CalDAV; Google ones whose
// channel is lost) are polled every POLL_WITHOUT_PUSH_MS. If each next poll were simply
// "last poll + interval", every calendar woken by the same cron tick (after a deploy or an
// outage) would stay in lock-step forever: a hundred iCloud doctors = a hundred bursts at
// the same second. Instead each calendar has a fixed phase inside the interval (a hash of
// its ids) and polls when the clock reaches its phase: still once per interval, evenly
// spread, and back on its own phase one poll after any synchronised wake-up.

/** FNV-1a 32-bit: a stable, well-mixed hash for small strings (no crypto needed here). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The calendar's fixed offset inside the interval, in [0, every). */
export const pollPhase = (key: string, every: number) => fnv1a(key) % every;

/**
 * The next poll after `lastMs`: the first time on this calendar's phase that is at least
 * half an interval after the last poll (so a poll just before its phase point does not
 * repeat a moment later). Gaps are exactly `every` once on phase.
 */
export function nextPhasedPoll(lastMs: number, every: number, key: string): number {
  const phase = pollPhase(key, every);
  let next = lastMs + ((((phase - lastMs) % every) + every) % every);
  if (next - lastMs < every / 2) next += every;
  return next;
}
