// Browser-test harness (runs once, in Node): build the app, create a fresh local D1 in a temp
// dir, migrate + seed it, start the built Worker with `wrangler dev` on a free port, wait until
// it answers, and hand the URL to the tests. Everything is torn down afterwards.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { seedSql } from "./seed";
import { E2E_GOOGLE_CLIENT, startGoogle } from "./google-server";
import { E2E_MICROSOFT_CLIENT, startMicrosoft } from "./microsoft-server";
import { startRadicale, type RunningRadicale } from "../fakes/caldav/radicale-server";
import { freePort } from "../../scripts/free-port";

const root = path.resolve(import.meta.dirname, "../..");
const bin = (name: string) => path.join(root, "node_modules/.bin", name);
const builtConfig = path.join(root, "dist/acms_calendar/wrangler.json");

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", env: { ...process.env, CI: "1", ...env } });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
    today: number;
    googleURL: string;
    microsoftURL: string;
    /** A throw-away Radicale (CalDAV) for the CalDAV browser test; "" with radicaleError when missing. */
    radicaleURL: string;
    radicaleAdminURL: string;
    radicaleError: string;
  }
}

let server: ChildProcess | undefined;
let google: Awaited<ReturnType<typeof startGoogle>> | undefined;
let microsoft: Awaited<ReturnType<typeof startMicrosoft>> | undefined;
let dir: string | undefined;
let radicale: RunningRadicale | undefined;
let radicaleError = "";

// The seed is "today" (UTC, the clinic's and the browsers' zone), and the tests open the app on
// today. A run that crossed midnight would open tomorrow and miss every seeded block (seen in a
// CI run started at 23:51). The browser files take about 6 minutes here, so a run starting
// less than RUN_WINDOW_MS before midnight waits for midnight first: at most that long, rarely.
const RUN_WINDOW_MS = 8 * 60_000;
async function notAcrossMidnight() {
  const untilMidnight = 86_400_000 - (Date.now() % 86_400_000);
  if (untilMidnight > RUN_WINDOW_MS) return;
  console.log(`[e2e] ${Math.ceil(untilMidnight / 1000)} s to midnight UTC: waiting for it, so the seeded day stays today for the whole run`);
  await new Promise((r) => setTimeout(r, untilMidnight + 1000));
}

export default async function setup(project: TestProject) {
  const t0 = Date.now();
  if (!process.env.E2E_SKIP_BUILD) run(bin("vite"), ["build", "--logLevel", "warn"]);
  dir = mkdtempSync(path.join(tmpdir(), "acms-e2e-"));
  // Secrets for the local Worker: wrangler reads .dev.vars next to the config it runs.
  writeFileSync(
    path.join(root, "dist/acms_calendar/.dev.vars"),
    [
      `SESSION_SECRET="e2e-session-secret-0123456789abcdef0123"`,
      `TOKEN_KEYS='{"k1":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}'`,
      `TOKEN_KEY_CURRENT="k1"`,
      `GOOGLE_CLIENT_SECRET="${E2E_GOOGLE_CLIENT.clientSecret}"`,
      `MICROSOFT_CLIENT_SECRET="${E2E_MICROSOFT_CLIENT.clientSecret}"`,
      "",
    ].join("\n"),
  );
  const persist = path.join(dir, "state");
  run(bin("wrangler"), ["d1", "migrations", "apply", "acms", "--local", "--persist-to", persist, "-c", builtConfig]);
  await notAcrossMidnight();
  const seed = seedSql();
  const seedFile = path.join(dir, "seed.sql");
  writeFileSync(seedFile, seed.sql);
  run(bin("wrangler"), ["d1", "execute", "acms", "--local", "--persist-to", persist, "-c", builtConfig, "--file", seedFile]);

  const port = await freePort();
  const baseURL = `http://localhost:${port}`;
  // Google (OAuth + Calendar API) is the emulator on its own port; the Worker reaches it only
  // through its configurable GOOGLE_* URLs.
  const googlePort = await freePort();
  const googleURL = `http://127.0.0.1:${googlePort}`;
  google = await startGoogle(googlePort);
  const googleVars = {
    GOOGLE_CLIENT_ID: E2E_GOOGLE_CLIENT.clientId,
    GOOGLE_OAUTH_AUTHORIZE_URL: `${googleURL}/o/oauth2/v2/auth`,
    GOOGLE_OAUTH_TOKEN_URL: `${googleURL}/token`,
    GOOGLE_OAUTH_REVOKE_URL: `${googleURL}/revoke`,
    GOOGLE_API_BASE: `${googleURL}/calendar/v3`,
  };
  // Microsoft (identity platform + Graph) likewise, through the MICROSOFT_* URLs.
  const microsoftPort = await freePort();
  const microsoftURL = `http://127.0.0.1:${microsoftPort}`;
  microsoft = await startMicrosoft(microsoftPort);
  Object.assign(googleVars, {
    MICROSOFT_CLIENT_ID: E2E_MICROSOFT_CLIENT.clientId,
    MICROSOFT_LOGIN_BASE: microsoftURL,
    MICROSOFT_GRAPH_BASE: `${microsoftURL}/v1.0`,
  });
  try {
    radicale = await startRadicale();
  } catch (err) {
    radicaleError = (err as Error).message; // the CalDAV browser test fails with it (how to install)
  }
  let log = "";
  server = spawn(
    bin("wrangler"),
    ["dev", "-c", builtConfig, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persist, "--inspector-port", String(await freePort()), "--show-interactive-dev-session=false", "--var", `APP_URL:${baseURL}`, ...Object.entries(googleVars).flatMap(([k, v]) => ["--var", `${k}:${v}`]), "--var", "CALDAV_ALLOW_HTTP_LOOPBACK:1"],
    { cwd: root, env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  server.stdout!.on("data", (b) => (log += b));
  server.stderr!.on("data", (b) => (log += b));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
    try {
      const r = await fetch(`${baseURL}/api/auth/me`);
      if (r.status === 401) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not become ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  if (process.env.E2E_LOG) server.stdout!.pipe(process.stdout);
  console.log(`[e2e] app ready at ${baseURL} in ${Date.now() - t0} ms`);
  project.provide("baseURL", baseURL);
  project.provide("today", seed.today);
  project.provide("googleURL", googleURL);
  project.provide("microsoftURL", microsoftURL);
  project.provide("radicaleURL", radicale?.url ?? "");
  project.provide("radicaleAdminURL", radicale?.adminUrl ?? "");
  project.provide("radicaleError", radicaleError);

  return async () => {
    if (server?.pid) {
      try {
        process.kill(-server.pid, "SIGTERM"); // the whole group: wrangler and its workerd child
      } catch {
        /* already gone */
      }
    }
    google?.server.close();
    microsoft?.server.close();
    await radicale?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
