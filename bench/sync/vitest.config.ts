// The Google-sync benchmark runs inside workerd like the tests (same isolate as
// the Worker, its DOs and the in-process Google emulator): the main test config
// with only the bench file included. Run by bench/sync.bench.mjs.
import { defineConfig } from "vitest/config";

type Config = { test?: Record<string, unknown> } & Record<string, unknown>;
import base from "../../vitest.config.ts";

export default defineConfig(async (env) => {
  const c = await (base as unknown as (e: typeof env) => Promise<Config>)(env);
  c.test = {
    ...c.test,
    include: ["bench/sync/**/*.bench.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    // Number of changes per latency series (bench/sync.bench.mjs --quick lowers it).
    provide: { syncBenchN: Number(process.env.SYNC_BENCH_N ?? 200) },
  };
  return c;
});
