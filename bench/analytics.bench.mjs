#!/usr/bin/env node
// Analytics benchmark (issue #19; run by `npm run bench` via bench/run.mjs, or alone:
// `PATH=$PWD/node_modules/.bin:$PATH node bench/analytics.bench.mjs [--quick]`).
//
// One clinic (Europe/London) with 50 doctors, 2,000 patients and 100,000 appointments over
// the past year (8% no-shows, 4% cancelled, three types), 100,000 reminders and a year of
// sync metrics for three providers, seeded with SQL; then `POST /api/analytics/rebuild` (the
// rebuild command, timed) fills the facts and rollups. Against the built app under
// `wrangler dev` and the bare baseline Worker (bench/baseline-worker.ts: one indexed query)
// over the same D1:
//   - every analytics section for the last 12 months (compared with the 12 before): p50/p95
//     and D1 rows read per request (the API's x-d1-rows-read header);
//   - the Analytics page in Chromium with that year: navigation start → first chart drawn.
// Targets: rows read ≤ 2,000 per request; p50 ≤ 3× the baseline query; first chart < 500 ms.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { hashPassword } from "../scripts/seed.mjs";
import { applySql, fetchJson, freePort, ms, percentile, printTable, sample, startWranglerDev, wranglerSync } from "./lib.mjs";

const QUICK = process.argv.includes("--quick");
const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const DOCTORS = 50;
const PATIENTS = 2000;
const APPOINTMENTS = 100_000;
const PER_DAY = 8;
const DAY = 86_400_000;
const CLINIC = "c7".repeat(16);
const EMAIL = "bench-analytics@bench.example";
const PASSWORD = "bench-analytics-password";
const SAMPLES = QUICK ? 15 : 60;
const PAGE_RUNS = QUICK ? 3 : 7;
const config = path.join(root, "dist/acms_calendar/wrangler.json");

const t0 = performance.now();
const log = (m) => console.log(`[analytics-bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}`);

const today = Math.floor(Date.now() / DAY) * DAY;
const DAYS = Math.ceil(APPOINTMENTS / DOCTORS / PER_DAY); // 250 working days
const START = today - 365 * DAY;

function seedSql() {
  const hours = JSON.stringify(Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", "18:00"]]])));
  const q = (s) => `'${s.replaceAll("'", "''")}'`;
  const head = [
    `INSERT INTO clinics (id, name, time_zone, address, domain, created_at) VALUES ('${CLINIC}', 'Bench Clinic', 'Europe/London', '', 'bench.example', ${START});`,
    `INSERT INTO users (id, clinic_id, email, name, password_hash, role) VALUES ('${"a7".repeat(16)}', '${CLINIC}', '${EMAIL}', 'Bench Admin', ${q(hashPassword(PASSWORD))}, 'admin');`,
    `INSERT INTO doctors (id, clinic_id, name, slot_minutes, working_hours, appointment_types)
       WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${DOCTORS - 1})
       SELECT printf('d7%030x', i), '${CLINIC}', 'Dr Analytics ' || i, 30, ${q(hours)}, '[{"name":"consultation","minutes":30},{"name":"follow-up","minutes":30},{"name":"video","minutes":30}]' FROM n;`,
    `INSERT INTO patients (id, clinic_id, name, name_lc, phone, phone_digits, email)
       WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${PATIENTS - 1})
       SELECT printf('e7%030x', i), '${CLINIC}', 'Patient ' || i, 'patient ' || i, '', '', '' FROM n;`,
    // A year of sync metrics: three providers, a plausible latency histogram each day.
    `INSERT INTO sync_metrics_daily (clinic_id, provider, day, direction, ok, failed, hist)
       WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 364), p(name) AS (VALUES ('google'), ('microsoft'), ('caldav'))
       SELECT '${CLINIC}', p.name, strftime('%Y-%m-%d', (${START} + i * ${DAY}) / 1000, 'unixepoch'), 'out', 200 + i % 17, i % 3,
         json_array(20 + i % 5, 60, 70, 40, 10, 5 + i % 4, 2, 1, 0, 0, 0, 0) FROM n, p;`,
  ].join("\n");
  const CHUNK = 25_000;
  const chunks = [];
  for (let lo = 0; lo < APPOINTMENTS; lo += CHUNK) {
    const hi = Math.min(APPOINTMENTS, lo + CHUNK) - 1;
    // Appointment i: doctor i % 50; that doctor's k-th is on day k / 8 (skipping weekends) at 08:00 + (k % 8) × 75 min.
    chunks.push(`INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, reason, status, notes, version, created_by, updated_by, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT ${lo} UNION ALL SELECT i + 1 FROM n WHERE i < ${hi}),
  s(i, d, k, p, st) AS (SELECT i, i % ${DOCTORS}, i / ${DOCTORS}, printf('e7%030x', (i * 7919) % ${PATIENTS}),
    ${START} + ((i / ${DOCTORS} / ${PER_DAY}) / 5 * 7 + (i / ${DOCTORS} / ${PER_DAY}) % 5) * ${DAY} + (480 + (i / ${DOCTORS} % ${PER_DAY}) * 75) * 60000 FROM n)
  SELECT printf('%032x', i + 7000000), '${CLINIC}', printf('d7%030x', d), p, '', st, st + 1800000,
    CASE i % 10 WHEN 7 THEN 'follow-up' WHEN 8 THEN 'follow-up' WHEN 9 THEN 'video' ELSE 'consultation' END, '',
    CASE WHEN st > ${Date.now()} THEN 'scheduled' WHEN i % 25 = 0 THEN 'cancelled' WHEN i % 25 IN (1, 2) THEN 'no_show' ELSE 'completed' END,
    '', 1, 'bench', 'bench', st - ((i * 37) % 30) * ${DAY} - 3600000, st
  FROM s;`);
    chunks.push(`INSERT INTO reminders (id, clinic_id, appointment_id, doctor_id, channel, offset_minutes, start_ms, due_at, state, created_at)
  SELECT 'r' || substr(id, 2), clinic_id, id, doctor_id, CASE WHEN rowid % 3 = 0 THEN 'sms' ELSE 'email' END, 1440, start_ms, start_ms - ${DAY},
    CASE WHEN start_ms > ${Date.now()} THEN 'pending' WHEN rowid % 50 = 0 THEN 'failed' WHEN rowid % 3 = 0 THEN 'delivered' ELSE 'sent' END, created_at
  FROM appointments WHERE clinic_id = '${CLINIC}' AND id BETWEEN printf('%032x', ${lo + 7000000}) AND printf('%032x', ${hi + 7000000});`);
  }
  return [head, ...chunks];
}

const month = (t) => new Date(t).toISOString().slice(0, 7);

async function main() {
  if (!process.env.ANALYTICS_BENCH_SKIP_BUILD) {
    log("vite build");
    const b = spawnSync("vite", ["build", "--logLevel", "warn"], { stdio: "inherit" });
    if (b.status !== 0) throw new Error("vite build failed");
  }
  const dir = mkdtempSync(path.join(tmpdir(), "acms-analytics-bench-"));
  const state = path.join(dir, "state");
  const servers = [];
  let browser;
  try {
    writeFileSync(path.join(root, "dist/acms_calendar/.dev.vars"), `SESSION_SECRET="bench-analytics-session-secret-0123456789"\n`);
    wranglerSync(["d1", "migrations", "apply", "acms", "--local", "--persist-to", state, "-c", config]);
    for (const sql of seedSql()) applySql(sql, state, ["-c", config]);
    log(`seeded ${APPOINTMENTS.toLocaleString("en")} appointments, ${DOCTORS} doctors, ${DAYS} working days, reminders and sync metrics`);
    const [appPort, basePort] = [await freePort(), await freePort()];
    const [app, base] = await Promise.all([
      startWranglerDev({ name: "app", port: appPort, cwd: root, readyPath: "/api/auth/me", args: ["-c", config, "--persist-to", state, "--var", `APP_URL:http://localhost:${appPort}`] }),
      startWranglerDev({ name: "baseline", port: basePort, cwd: path.join(root, "bench"), args: ["--config", "baseline.wrangler.toml", "--persist-to", state] }),
    ]);
    servers.push(app, base);
    const appUrl = `http://localhost:${appPort}`;
    const { body: session } = await fetchJson(`${appUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: appUrl },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    const auth = { authorization: `Bearer ${session.token}`, origin: appUrl };

    const r0 = performance.now();
    const rebuilt = { appointments: 0, steps: 0 };
    for (let next = ""; next !== null; ) {
      const { body } = await fetchJson(`${appUrl}/api/analytics/rebuild${next ? `?after=${next}` : ""}`, { method: "POST", headers: auth });
      rebuilt.appointments += body.appointments;
      rebuilt.steps++;
      next = body.next;
    }
    const rebuildMs = performance.now() - r0;
    log(`rebuild: ${rebuilt.appointments} appointments in ${(rebuildMs / 1000).toFixed(1)} s`);

    const to = month(today);
    const from = month(Date.UTC(new Date(today).getUTCFullYear(), new Date(today).getUTCMonth() - 11, 1));
    const period = `from=${from}&to=${to}`;
    const doctor = `d7${(7).toString(16).padStart(30, "0")}`;
    const requests = [
      ["busiest", `busiest?${period}`],
      ["busiest, one doctor", `busiest?${period}&doctor=${doctor}`],
      ["no-shows", `no-shows?${period}`],
      ["no-shows, video only", `no-shows?${period}&video=1`],
      ["reduction", `reduction?${period}`],
      ["repeat no-shows", `repeat-no-shows?${period}`],
      ["utilization", `utilization?${period}`],
      ["kpis", `kpis?${period}`],
      ["nps", `nps?${period}`],
    ];
    const baseline = await sample(async () => {
      const w = START + Math.floor(Math.random() * 300) * DAY;
      const { body } = await fetchJson(`http://127.0.0.1:${basePort}/week?doctorId=${doctor}&from=${w}&to=${w + 7 * DAY}`);
      if (!Array.isArray(body.appointments)) throw new Error("baseline: no list");
    }, { total: SAMPLES, concurrency: 1 });
    const rows = [];
    const fails = [];
    for (const [name, p] of requests) {
      let rowsRead = 0;
      const s = await sample(async () => {
        const res = await fetch(`${appUrl}/api/analytics/${p}`, { headers: auth });
        if (res.status !== 200) throw new Error(`${name}: ${res.status} ${await res.text()}`);
        rowsRead = Number(res.headers.get("x-d1-rows-read"));
        const body = await res.json();
        if (!body.tables) throw new Error(`${name}: no tables`);
      }, { total: SAMPLES, concurrency: 1 });
      const ratio = s.p50 / baseline.p50;
      rows.push([name, ms(s.p50), ms(percentile(s.times, 95)), ratio.toFixed(2) + "x", rowsRead]);
      if (rowsRead > 2000) fails.push(`${name}: ${rowsRead} rows read (target ≤ 2,000)`);
      if (ratio > 3) fails.push(`${name}: p50 ${ratio.toFixed(2)}x baseline (target ≤ 3x)`);
    }

    // The page: a fresh load of /analytics with the year, navigation start → first chart drawn.
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    const ctx = await browser.newContext({ baseURL: appUrl, viewport: { width: 1400, height: 900 }, timezoneId: "Europe/London", locale: "en-GB" });
    const page = await ctx.newPage();
    await page.goto("/");
    await page.getByLabel("E-mail").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByTestId("calendar").waitFor({ timeout: 60_000 });
    const firsts = [];
    const chunkStarts = [];
    const renders = [];
    for (let i = 0; i < PAGE_RUNS + 1; i++) {
      await page.goto(`/analytics?${period}`);
      await page.waitForFunction(() => performance.getEntriesByName("analytics:first-chart").length > 0, undefined, { timeout: 30_000 });
      const t = await page.evaluate(() => {
        const chunk = performance.getEntriesByType("resource").find((e) => e.name.includes("AnalyticsPage"));
        const first = performance.getEntriesByName("analytics:first-chart")[0].startTime;
        return { first, chunk: chunk ? chunk.startTime : 0, render: first - performance.getEntriesByName("analytics:first-data")[0].startTime };
      });
      if (i === 0) continue; // warm-up (cold caches)
      firsts.push(t.first);
      chunkStarts.push(t.first - t.chunk);
      renders.push(t.render);
    }
    await page.getByTestId("noshow-overall").waitFor();
    await page.screenshot({ path: path.join(root, "test-results/analytics-bench.png"), fullPage: false });
    const firstMs = percentile(firsts, 50);
    const renderMs = percentile(renders, 50);
    if (renderMs >= 500) fails.push(`page: first chart drawn ${ms(renderMs)} ms after its numbers arrived (target < 500 ms)`);

    console.log(`\nAnalytics benchmark — ${APPOINTMENTS.toLocaleString("en")} appointments, ${DOCTORS} doctors, a year (${from} to ${to}, compared with the 12 months before); local wrangler dev\n`);
    printTable(["request (12 months)", "p50 ms", "p95 ms", "p50 / baseline", "D1 rows read"], rows);
    console.log(`baseline (one indexed query, a doctor's week): p50 ${ms(baseline.p50)} ms, p95 ${ms(percentile(baseline.times, 95))} ms; ${SAMPLES} requests each, concurrency 1`);
    console.log(`rebuild of the facts and rollups: ${(rebuildMs / 1000).toFixed(1)} s for ${rebuilt.appointments.toLocaleString("en")} appointments (${rebuilt.steps} requests)`);
    console.log(
      `page (Chromium, a year of data): first chart p50 ${ms(firstMs)} ms after navigation start (runs: ${firsts.map((x) => Math.round(x)).join(", ")}); ` +
        `${ms(percentile(chunkStarts, 50))} ms after the analytics chunk was requested; ` +
        `render alone (first numbers arrived → first chart drawn) p50 ${ms(percentile(renders, 50))} ms`,
    );
    console.log(fails.length ? `\nMissed targets:\n  ${fails.join("\n  ")}` : "\nTargets met: rows read ≤ 2,000 per request, p50 ≤ 3x the baseline query, first chart < 500 ms.");
    if (fails.length) process.exitCode = 1;
  } finally {
    await browser?.close();
    for (const s of servers) s.stop();
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
