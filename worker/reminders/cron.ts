// Safety net on the 5-minute Cron Trigger (registered in worker/scheduled.ts): reminders are sent
// by each doctor's hub alarm, so the cron only wakes hubs whose reminders are overdue (an alarm
// lost with an evicted object) — one index range read of overdue rows, not a table scan — and
// prunes what has no use any more: rate-limit windows older than a day and expired patient links
// (a week after expiry, so a late click still gets the plain "not valid" page either way).
import type { Env } from "../env";

const OVERDUE_MS = 2 * 60_000;

export async function reminderCron(env: Env, now: number): Promise<void> {
  const [overdue] = await env.DB.batch([
    env.DB.prepare("SELECT DISTINCT doctor_id FROM reminders INDEXED BY reminders_due_idx WHERE state = 'pending' AND due_at <= ? LIMIT 500").bind(now - OVERDUE_MS),
    env.DB.prepare("DELETE FROM rate_counters WHERE window_start < ?").bind(now - 86_400_000),
    env.DB.prepare("DELETE FROM patient_links WHERE expires_at < ?").bind(now - 7 * 86_400_000),
  ]);
  const ids = (overdue.results as { doctor_id: string }[]).map((r) => r.doctor_id);
  await Promise.allSettled(ids.map((id) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(id)).kick(id)));
}
