// Worker entry: HTTP (API + SPA assets), Cron Triggers, and the Durable Object classes.
import { app } from "./app";
import type { Env } from "./env";
import { registerFeatures } from "./features";
import { runScheduled } from "./scheduled";

// Before any request, alarm or cron: the effects and hub work the core runs (worker/features.ts).
registerFeatures();

export { DoctorHub } from "./hub/doctor-hub";
export { ClinicLive } from "./live/clinic-live";

export default {
  fetch: app.fetch,
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
