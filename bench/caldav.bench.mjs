#!/usr/bin/env node
// CalDAV sync benchmark against a real Radicale (run by `npm run bench` via bench/run.mjs,
// or alone: `PATH=$PWD/node_modules/.bin:$PATH node bench/caldav.bench.mjs [--quick]`).
// Needs Radicale installed (apt-get install radicale), like the tests.
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const quick = process.argv.includes("--quick");
const r = spawnSync("vitest", ["run", "--config", "bench/caldav/vitest.config.ts", "--reporter", "dot"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PATH: `${root}/node_modules/.bin:${process.env.PATH}`, CALDAV_BENCH_N: quick ? "20" : "50" },
});
process.exit(r.status ?? 1);
