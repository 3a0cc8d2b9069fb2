// Cron (every 5 minutes): wake the DoctorHub of every doctor whose integration
// needs attention: a calendar without a healthy push channel (or with push judged
// broken by the echo check) not polled for 5 minutes, a calendar with a channel
// whose hourly cheap read is overdue, a write of ours still unechoed after the echo
// wait, a channel expiring within a day (renewal), or outbox rows due. The hub
// decides what exactly to do (./cadence.ts) and sets its own alarm for each
// calendar's minute of the hour; this only makes sure no doctor is forgotten if an
// alarm was lost. Accounts backing off are skipped until their backoff ends.
import type { Env } from "../env";
import { ECHO_WAIT_MS, POLL_WITH_PUSH_MS, POLL_WITHOUT_PUSH_MS } from "./cadence";
import { RENEW_BEFORE_MS } from "./channels";

/** Doctors whose synced calendars or outbox need their hub now. */
export async function doctorsNeedingSync(env: Env, now: number): Promise<string[]> {
  const rows = (
    await env.DB.prepare(
      `SELECT DISTINCT i.doctor_id FROM calendar_integrations i JOIN integration_calendars c ON c.integration_id = i.id
       WHERE i.status = 'active' AND COALESCE(i.backoff_until, 0) <= ?1
         -- only calendars we sync (the write calendar and the busy ones), not every calendar of the account
         AND (c.calendar_id = i.write_calendar_id OR EXISTS (SELECT 1 FROM json_each(i.busy_calendar_ids) j WHERE j.value = c.calendar_id))
         AND (
         c.channel_id IS NULL OR c.channel_expires_at IS NULL OR c.channel_expires_at - ?2 <= ?1
         OR COALESCE(c.last_notification_at, 0) > COALESCE(c.last_polled_at, 0)
         OR (c.last_write_at IS NOT NULL AND COALESCE(c.last_notification_at, 0) < c.last_write_at AND c.last_write_at <= ?1 - ?5)
         OR COALESCE(c.last_polled_at, 0) <= ?1 - (CASE WHEN c.channel_id IS NULL OR c.channel_expires_at <= ?1 OR c.push_suspect_at IS NOT NULL THEN ?3 ELSE ?4 END))
       UNION
       SELECT DISTINCT o.doctor_id FROM sync_outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= ?1`,
    )
      .bind(now, RENEW_BEFORE_MS, POLL_WITHOUT_PUSH_MS, POLL_WITH_PUSH_MS, ECHO_WAIT_MS)
      .all<{ doctor_id: string }>()
  ).results;
  return rows.map((r) => r.doctor_id);
}

export async function syncCron(env: Env, now: number): Promise<void> {
  const ids = await doctorsNeedingSync(env, now);
  // One line per tick, so `npm run dev` + /__scheduled shows polling and renewal at work (docs/sync.md).
  console.log(`sync cron: ${ids.length} doctor hub(s) woken`);
  await Promise.allSettled(ids.map((id) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(id)).kick(id)));
}
