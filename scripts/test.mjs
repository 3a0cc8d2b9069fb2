#!/usr/bin/env node
// `npm test`: every test, in order of cost.
//  1. Worker tests in workerd (vitest + @cloudflare/vitest-plugin): API, D1, Durable Objects, WebSockets, sync.
//  2. Browser tests in headless Chromium (vitest, playwright-core) against a built app.
// Extra arguments are passed to both vitest runs (e.g. a file filter).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";

const args = process.argv.slice(2);
const run = (cmd, argv) => {
  console.log(`\n$ ${cmd} ${argv.join(" ")}`);
  const r = spawnSync(cmd, argv, { stdio: "inherit", env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

// Workers static assets need the directory to exist even when the SPA is not built yet.
if (!existsSync("dist/client/index.html")) {
  mkdirSync("dist/client", { recursive: true });
  writeFileSync("dist/client/index.html", "<!doctype html><title>ACMS Calendar</title>");
}

run("vitest", ["run", "--config", "vitest.config.ts", ...args]);
if (existsSync("vitest.e2e.config.ts")) run("vitest", ["run", "--config", "vitest.e2e.config.ts", ...args]);
