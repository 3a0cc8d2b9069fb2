#!/usr/bin/env node
// Waitlist and self-reschedule benchmark (run by `npm run bench` via bench/run.mjs, or alone:
// `PATH=$PWD/node_modules/.bin:$PATH node bench/waitlist.bench.mjs [--quick]`). Runs inside workerd
// through vitest (bench/waitlist/), like the reminder bench.
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const quick = process.argv.includes("--quick");
const r = spawnSync("vitest", ["run", "--config", "bench/waitlist/vitest.config.ts", "--reporter", "dot"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PATH: `${root}/node_modules/.bin:${process.env.PATH}`, WAITLIST_BENCH_N: quick ? "500" : "2000" },
});
process.exit(r.status ?? 1);
