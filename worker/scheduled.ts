// Cron Trigger (every 5 minutes): each piece of periodic work registers here
// (fallback polling, channel renewal, outbox retries).
import type { Env } from "./env";
import { syncCron } from "./sync/cron";
import { reminderCron } from "./reminders/cron";
import { authCron } from "./auth/cron";
import { suggestionsCron } from "./suggestions/train";

export type CronJob = (env: Env, now: number) => Promise<void>;
export const cronJobs: CronJob[] = [syncCron, reminderCron, authCron, suggestionsCron];

export async function runScheduled(env: Env, now: number): Promise<void> {
  const results = await Promise.allSettled(cronJobs.map((job) => job(env, now)));
  for (const r of results) if (r.status === "rejected") console.error("cron job failed", r.reason);
}
