#!/usr/bin/env node
// Google Calendar sync benchmark (run by `npm run bench` via bench/run.mjs, or alone:
// `PATH=$PWD/node_modules/.bin:$PATH node bench/sync.bench.mjs [--quick]`).
// It runs inside workerd through vitest (bench/sync/), because the Worker, its
// Durable Objects and the Google emulator then share one isolate: no HTTPS tunnel
// or public webhook URL is needed to receive push notifications locally.
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const quick = process.argv.includes("--quick");
const r = spawnSync("vitest", ["run", "--config", "bench/sync/vitest.config.ts", "--reporter", "dot"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PATH: `${root}/node_modules/.bin:${process.env.PATH}`, SYNC_BENCH_N: quick ? "50" : "200" },
});
process.exit(r.status ?? 1);
