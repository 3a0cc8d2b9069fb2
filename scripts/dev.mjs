#!/usr/bin/env node
// `npm run dev`: from a fresh clone to a working clinic on localhost.
//  1. .dev.vars with fresh local secrets (first run only)
//  2. local D1 migrated (wrangler d1 migrations apply acms --local)
//  3. demo clinic seeded if it is not there yet (scripts/seed.mjs)
//  4. the demo log-ins printed
//  5. the dev server: `vite dev` (Worker + SPA on one origin with HMR, through
//     @cloudflare/vite-plugin) when vite.config.ts exists, else `wrangler dev`.
// Both use the same local state directory, .wrangler/state (vite.config.ts pins
// the plugin's persistState there), so the data seeded here is what the server sees.
// Binaries are spawned by name: npm scripts put node_modules/.bin first on PATH.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { ensureDevVars } from "./dev-vars.mjs";
import { printLogins, seed } from "./seed.mjs";

const extra = process.argv.slice(2);

if (ensureDevVars()) console.log("Created .dev.vars with fresh local secrets.");

// wrangler dev serves [assets] from dist/client and refuses to start without it.
if (!existsSync("dist/client/index.html")) {
  mkdirSync("dist/client", { recursive: true });
  writeFileSync("dist/client/index.html", "<!doctype html><title>ACMS Calendar</title><p>Run <code>npm run build</code> for the app, or use <code>npm run dev</code> with Vite.</p>");
}

console.log("Applying D1 migrations to the local database…");
try {
  // CI=1: never wait for a confirmation prompt.
  execFileSync("wrangler", ["d1", "migrations", "apply", "acms", "--local"], { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, CI: "1" } });
  seed();
} catch (e) {
  console.error(e.stderr?.toString() || e.message);
  process.exit(1);
}

const useVite = existsSync("vite.config.ts");
const portAt = extra.indexOf("--port");
const port = portAt >= 0 ? extra[portAt + 1] : useVite ? "5173" : "8787";
const url = `http://localhost:${port}`;
// One APP_URL: the address printed below is the one the Worker puts into feed URLs and e-mail
// links. --strictPort: Vite fails instead of silently moving to another port (APP_URL would lie).
const strict = extra.includes("--strictPort") ? [] : ["--strictPort"];
const [cmd, args] = useVite ? ["vite", ["dev", ...strict, ...extra]] : ["wrangler", ["dev", "--var", `APP_URL:${url}`, ...extra]];

printLogins();
console.log(`  APP_URL=${url}\n  Starting ${cmd} ${args.join(" ")} → open ${url}\n`);

// Miniflare would fetch a sample `request.cf` from workers.cloudflare.com at start-up;
// locally it adds nothing (and warns when offline), so stay on the machine.
const env = { CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env, ACMS_APP_URL: url };
const child = spawn(cmd, args, { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
