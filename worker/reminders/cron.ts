// Safety net on the 5-minute Cron Trigger (registered in worker/scheduled.ts): reminders are sent
// by each doctor's hub alarm, so the cron
//  - ends claims left behind by a crash: a 'sending' row older than the lease becomes 'unknown'
//    right here, in SQL, so it is on time even when nothing wakes that doctor's hub again (it
//    is never re-sent: we cannot know whether it went);
//  - wakes hubs whose reminders are overdue (an alarm lost with an evicted object);
//  - prunes what has no use any more: rate-limit windows older than a day and expired patient
//    links (a week after expiry, so a late click still gets the plain "not valid" page).
// Both reminder statements read only reminders_open_idx (pending or sending rows), by due time.
import type { Env } from "../env";
import { LEASE_MS } from "./send";

const OVERDUE_MS = 2 * 60_000;

export async function reminderCron(env: Env, now: number): Promise<void> {
  const [, overdue] = await env.DB.batch([
    // due_at <= claimed_at always (a row is claimed once due), so the range finds every stale claim.
    env.DB.prepare(
      "UPDATE reminders INDEXED BY reminders_open_idx SET state = 'unknown', to_address = NULL, " +
        "last_error = 'the send did not finish; not repeated so the patient is not messaged twice' " +
        "WHERE state IN ('pending', 'sending') AND due_at < ?1 AND state = 'sending' AND claimed_at < ?1",
    ).bind(now - LEASE_MS),
    env.DB.prepare(
      "SELECT DISTINCT doctor_id FROM reminders INDEXED BY reminders_open_idx WHERE state IN ('pending', 'sending') AND due_at <= ? AND state = 'pending' LIMIT 500",
    ).bind(now - OVERDUE_MS),
    env.DB.prepare("DELETE FROM rate_counters WHERE window_start < ?").bind(now - 86_400_000),
    env.DB.prepare("DELETE FROM patient_links WHERE expires_at < ?").bind(now - 7 * 86_400_000),
  ]);
  const ids = (overdue.results as { doctor_id: string }[]).map((r) => r.doctor_id);
  await Promise.allSettled(ids.map((id) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(id)).kick(id)));
}
