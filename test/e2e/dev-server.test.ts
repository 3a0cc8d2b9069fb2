// `npm run dev` serves the Worker and the SPA from one Vite dev server (@cloudflare/vite-plugin).
// In dev, Vite serves each SPA module at a URL that mirrors web/ ("/stores/live.ts"), and the
// Worker claims some URL prefixes first (wrangler.toml run_worker_first: /api/*, /feeds/*). A web/
// folder under such a prefix (web/api/ once) makes its modules 404 in dev only: the built app the
// other browser tests use bundles them, so only starting the real dev server catches it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { DESKTOP, launch } from "./browser";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

let vite: ChildProcess;
let url = "";
let browser: Browser;
let log = "";
let state = "";

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // A migrated local D1 of its own, as `npm run dev` migrates before starting Vite: on a fresh clone
  // (CI) there is no .wrangler/state, and the cron and the app would meet an empty database.
  state = mkdtempSync(path.join(tmpdir(), "acms-dev-state-"));
  const m = spawnSync("wrangler", ["d1", "migrations", "apply", "acms", "--local", "--persist-to", state], { env: { ...process.env, CI: "1" }, encoding: "utf8" });
  if (m.status !== 0) throw new Error(`migrations failed:\n${m.stdout}\n${m.stderr}`);
  vite = spawn("vite", ["dev", "--port", String(port), "--strictPort", "--host", "127.0.0.1"], { env: { ...process.env, ACMS_STATE_DIR: state }, stdio: ["ignore", "pipe", "pipe"] });
  vite.stdout!.on("data", (d) => (log += d));
  vite.stderr!.on("data", (d) => (log += d));
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`vite dev did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  vite?.kill("SIGTERM");
  if (state) rmSync(state, { recursive: true, force: true });
});

describe("npm run dev (vite dev with the Worker)", () => {
  it("serves the SPA's modules and the API on one origin: the log-in page renders", async () => {
    const page = await (await browser.newContext(DESKTOP)).newPage();
    const missing: string[] = [];
    page.on("response", (r) => {
      if (r.status() === 404 && /\.(tsx?|css)(\?|$)/.test(r.url())) missing.push(r.url());
    });
    await page.goto(url);
    await page.locator('input[name="email"]').waitFor({ timeout: 30_000 }).catch(() => undefined);
    expect(missing).toEqual([]);
    expect(await page.locator('input[name="email"]').count()).toBe(1);
    const me = await fetch(`${url}/api/auth/me`);
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("/__scheduled runs the Worker's Cron Trigger (issue 9: watch polling and renewal locally), not the SPA fallback", async () => {
    const res = await fetch(`${url}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    // The Worker's scheduled handler ran: its sync cron logs one line per tick.
    const deadline = Date.now() + 10_000;
    while (!log.includes("sync cron:") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(log).toContain("sync cron:");
  });
});
