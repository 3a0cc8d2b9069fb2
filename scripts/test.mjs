#!/usr/bin/env node
// `npm test`: every test, in order of cost.
//  1. Node checks of the tooling (vitest, test/node): migrations/meta in line with schema.ts and
//     the SQL migrations (drizzle-kit in a scratch copy), no import cycles in worker/ and web/.
//  2. Worker tests in workerd (vitest + @cloudflare/vitest-plugin): API, D1, Durable Objects, WebSockets, sync.
//  3. Browser tests in headless Chromium (vitest + playwright-core) against the built app.
// Every suite runs even if an earlier one fails, then one closing line sums them up
// ("tests: N passed, N failed, N skipped"). Extra arguments go to every vitest run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const args = process.argv.slice(2);
const suites = [
  { name: "node", config: "vitest.node.config.ts" },
  { name: "worker", config: "vitest.config.ts" },
];
if (existsSync("vitest.e2e.config.ts")) suites.push({ name: "e2e", config: "vitest.e2e.config.ts" });

// Workers static assets need the directory to exist even when the SPA is not built yet.
if (!existsSync("dist/client/index.html")) {
  mkdirSync("dist/client", { recursive: true });
  writeFileSync("dist/client/index.html", "<!doctype html><title>ACMS Calendar</title>");
}
mkdirSync("test-results", { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;
for (const s of suites) {
  const report = `test-results/${s.name}-report.json`;
  rmSync(report, { force: true });
  const argv = ["run", "--config", s.config, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...args];
  console.log(`\n$ vitest ${argv.join(" ")}`);
  const r = spawnSync("vitest", argv, { stdio: "inherit", env: process.env });
  if (r.status !== 0) exitCode = r.status ?? 1;
  if (existsSync(report)) {
    const j = JSON.parse(readFileSync(report, "utf8"));
    totals.passed += j.numPassedTests ?? 0;
    // A suite whose beforeAll failed reports its tests as skipped, none as failed: count it.
    totals.failed += (j.numFailedTests ?? 0) || (r.status !== 0 ? 1 : 0);
    totals.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  } else if (r.status !== 0) {
    totals.failed += 1; // the suite failed before reporting (e.g. a setup error)
  }
}
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(exitCode);
