// Worker entry: HTTP (API + SPA assets), Cron Triggers, and the Durable Object classes.
import { app } from "./app";
import type { Env } from "./env";
import { runScheduled } from "./scheduled";

export { DoctorHub } from "./hub/doctor-hub";
export { ClinicLive } from "./live/clinic-live";

export default {
  fetch: app.fetch,
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
