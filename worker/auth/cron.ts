// Periodic clean-up of the log-in tables (registered in scheduled.ts): throttle rows
// idle past every reset period (made-up e-mails leave one each) and log-out entries
// whose token has expired anyway. Neither holds information any more.
import type { Env } from "../env";
import { pruneAttempts } from "./throttle";

export async function authCron(env: Env, now: number): Promise<void> {
  await pruneAttempts(env.DB, now);
  await env.DB.prepare("DELETE FROM revoked_sessions WHERE expires_at < ?").bind(now).run();
}
