// `npm run dev` serves the Worker and the SPA from one Vite dev server (@cloudflare/vite-plugin).
// In dev, Vite serves each SPA module at a URL that mirrors web/ ("/stores/live.ts"), and the
// Worker claims some URL prefixes first (wrangler.toml run_worker_first: /api/*, /feeds/*). A web/
// folder under such a prefix (web/api/ once) makes its modules 404 in dev only: the built app the
// other browser tests use bundles them, so only starting the real dev server catches it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import http from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { DESKTOP, launch } from "./browser";
import { freePort } from "../../scripts/free-port";

let vite: ChildProcess;
let url = "";
let browser: Browser;
let log = "";
let state = "";

// A doctor with a subscribable feed big enough that its gzip body spans many chunks
// (issue 17: under vite dev a gzip feed arrived cut at 8,727 bytes and without Content-Encoding).
const FEED_TOKEN = "dev-server-feed-token-0123456789abcdef";
const FEED_EVENTS = 400;
function feedSeedSql(): string {
  const clinic = "c9".repeat(16);
  const doctor = "d9".repeat(16);
  const day = 86_400_000;
  const first = Math.floor(Date.now() / day) * day + day;
  return `
INSERT INTO clinics (id, name, time_zone, address, domain) VALUES ('${clinic}', 'Dev Clinic', 'Europe/Berlin', 'Hauptstraße 1', 'dev.example');
INSERT INTO doctors (id, clinic_id, name, feed_token_hash, feed_enabled, feed_privacy)
  VALUES ('${doctor}', '${clinic}', 'Dr. Dev', '${createHash("sha256").update(FEED_TOKEN).digest("hex")}', 1, 'minimal');
INSERT INTO patients (id, clinic_id, name, name_lc) VALUES ('${"e9".repeat(16)}', '${clinic}', 'Patiënt Dev', 'patiënt dev');
INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, status, created_by, updated_by)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${FEED_EVENTS - 1})
  SELECT printf('%032x', i), '${clinic}', '${doctor}', '${"e9".repeat(16)}', 'Patiënt Dev',
    ${first} + (i / 8) * ${day} + (i % 8) * 3600000, ${first} + (i / 8) * ${day} + (i % 8) * 3600000 + 1800000, 'scheduled', 'seed', 'seed'
  FROM n;`;
}

/** GET with node:http: no automatic decoding, so the bytes and headers are what a calendar app gets. */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // A migrated local D1 of its own, as `npm run dev` migrates before starting Vite: on a fresh clone
  // (CI) there is no .wrangler/state, and the cron and the app would meet an empty database.
  state = mkdtempSync(path.join(tmpdir(), "acms-dev-state-"));
  const m = spawnSync("wrangler", ["d1", "migrations", "apply", "acms", "--local", "--persist-to", state], { env: { ...process.env, CI: "1" }, encoding: "utf8" });
  if (m.status !== 0) throw new Error(`migrations failed:\n${m.stdout}\n${m.stderr}`);
  writeFileSync(path.join(state, "feed-seed.sql"), feedSeedSql());
  const s = spawnSync("wrangler", ["d1", "execute", "acms", "--local", "--persist-to", state, "--file", path.join(state, "feed-seed.sql")], { env: { ...process.env, CI: "1" }, encoding: "utf8" });
  if (s.status !== 0) throw new Error(`feed seed failed:\n${s.stdout}\n${s.stderr}`);
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

  it("serves a feed as production does: gzip labelled and whole when asked for, plain text otherwise (issue 17)", async () => {
    const events = (text: string) => (text.match(/\r\nBEGIN:VEVENT\r\n/g) ?? []).length;
    for (const round of ["first", "again"]) {
      const gz = await rawGet(`/feeds/${FEED_TOKEN}.ics`, { "accept-encoding": "gzip" });
      expect(gz.status, round).toBe(200);
      expect(gz.headers["content-encoding"], round).toBe("gzip");
      if (gz.headers["content-length"]) expect(Number(gz.headers["content-length"]), round).toBe(gz.body.length);
      const text = gunzipSync(gz.body).toString("utf8");
      expect(text.startsWith("BEGIN:VCALENDAR\r\n"), round).toBe(true);
      expect(text.endsWith("END:VCALENDAR\r\n"), round).toBe(true);
      expect(events(text), round).toBe(FEED_EVENTS);

      const plain = await rawGet(`/feeds/${FEED_TOKEN}.ics`, {});
      expect(plain.status, round).toBe(200);
      expect(plain.headers["content-encoding"], round).toBeUndefined();
      expect(plain.body.toString("utf8"), round).toBe(text);
    }
  });
});
