// The CalDAV benchmark runs inside workerd like the tests, against the same throw-away
// Radicale the tests use (globalSetup of the main config). Run by bench/caldav.bench.mjs.
import { defineConfig } from "vitest/config";

type Config = { test?: Record<string, unknown> } & Record<string, unknown>;
import base from "../../vitest.config.ts";

export default defineConfig(async (env) => {
  const c = await (base as unknown as (e: typeof env) => Promise<Config>)(env);
  c.test = {
    ...c.test,
    include: ["bench/caldav/**/*.bench.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    provide: { caldavBenchN: Number(process.env.CALDAV_BENCH_N ?? 50) },
  };
  return c;
});
