#!/usr/bin/env node
// Reminder sending benchmark (run by `npm run bench` via bench/run.mjs, or alone:
// `PATH=$PWD/node_modules/.bin:$PATH node bench/reminders.bench.mjs [--quick]`).
// Runs inside workerd through vitest (bench/reminders/): the Worker, 50 DoctorHubs, D1 and the
// in-process Twilio emulator share one isolate, so what is measured is our pipeline.
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const quick = process.argv.includes("--quick");
const r = spawnSync("vitest", ["run", "--config", "bench/reminders/vitest.config.ts", "--reporter", "dot"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PATH: `${root}/node_modules/.bin:${process.env.PATH}`, REMINDER_BENCH_N: process.env.REMINDER_BENCH_N ?? (quick ? "2000" : "10000") },
});
process.exit(r.status ?? 1);
