// Cron (every 5 minutes): wake the DoctorHub of every doctor whose integration
// needs attention: a calendar without a healthy push channel that was not polled
// for 5 minutes (fallback polling), a channel expiring within a day (renewal),
// a reconciliation poll due, or outbox rows due. The hub decides what exactly to
// do; this only makes sure no doctor is forgotten if an alarm was lost.
import type { Env } from "../env";
import { POLL_WITHOUT_PUSH_MS, RECONCILE_WITH_PUSH_MS } from "./inbound";
import { RENEW_BEFORE_MS } from "./channels";

/** Doctors whose synced calendars or outbox need their hub now. */
export async function doctorsNeedingSync(env: Env, now: number): Promise<string[]> {
  const rows = (
    await env.DB.prepare(
      `SELECT DISTINCT i.doctor_id FROM calendar_integrations i JOIN integration_calendars c ON c.integration_id = i.id
       WHERE i.status = 'active' AND COALESCE(i.poll_backoff_until, 0) <= ?
         -- only calendars we sync (the write calendar and the busy ones), not every calendar of the account
         AND (c.calendar_id = i.write_calendar_id OR EXISTS (SELECT 1 FROM json_each(i.busy_calendar_ids) j WHERE j.value = c.calendar_id))
         AND (
         c.channel_id IS NULL OR c.channel_expires_at IS NULL OR c.channel_expires_at - ? <= ?
         OR COALESCE(c.last_polled_at, 0) <= ? - (CASE WHEN c.channel_id IS NULL OR c.channel_expires_at <= ? THEN ? ELSE ? END))
       UNION
       SELECT DISTINCT o.doctor_id FROM sync_outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= ?`,
    )
      .bind(now, RENEW_BEFORE_MS, now, now, now, POLL_WITHOUT_PUSH_MS, RECONCILE_WITH_PUSH_MS, now)
      .all<{ doctor_id: string }>()
  ).results;
  return rows.map((r) => r.doctor_id);
}

export async function syncCron(env: Env, now: number): Promise<void> {
  const ids = await doctorsNeedingSync(env, now);
  await Promise.allSettled(ids.map((id) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(id)).kick(id)));
}
