#!/usr/bin/env node
// Suggestions speed (issue #21) for `npm run bench`: ranking 10 doctors × 14 days, and the nightly
// training on a year of 100,000 appointments. Pure code, so it runs in Node's V8 (the engine
// workerd runs) through the eval config; see bench/eval/speed.eval.ts.
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const r = spawnSync("npx", ["vitest", "run", "--config", "vitest.eval.config.ts", "bench/eval/speed.eval.ts"], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
