// The waitlist benchmark runs inside workerd like the tests: the main test config with only the
// bench file included. Run by bench/waitlist.bench.mjs.
import { defineConfig } from "vitest/config";

type Config = { test?: Record<string, unknown> } & Record<string, unknown>;
import base from "../../vitest.config.ts";

export default defineConfig(async (env) => {
  const c = await (base as unknown as (e: typeof env) => Promise<Config>)(env);
  c.test = {
    ...c.test,
    include: ["bench/waitlist/**/*.bench.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    provide: { waitlistBenchN: Number(process.env.WAITLIST_BENCH_N ?? 2000) },
  };
  return c;
});
