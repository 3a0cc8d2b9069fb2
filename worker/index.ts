// Worker entry: HTTP (API + SPA assets), Cron Triggers, and the Durable Object classes.
import { app } from "./app";
import type { Env } from "./env";
import { registerFeatures } from "./features";
import { runScheduled } from "./scheduled";
import { countInvocation, meterEnv, meterOn, meterResponse } from "./bench-meter";

// Before any request, alarm or cron: the effects and hub work the core runs (worker/features.ts).
registerFeatures();

export { DoctorHub } from "./hub/doctor-hub";
export { ClinicLive } from "./live/clinic-live";

export default {
  fetch(req: Request, env: Env, ctx: ExecutionContext) {
    // The bench's usage meter (bench/cost.bench.mjs); a no-op unless BENCH_METER=1.
    if (meterOn(env)) {
      if (new URL(req.url).pathname === "/api/__meter") return meterResponse(req);
      countInvocation(env);
    }
    return app.fetch(req, meterEnv(env), ctx);
  },
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    countInvocation(env);
    ctx.waitUntil(runScheduled(meterEnv(env), controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
