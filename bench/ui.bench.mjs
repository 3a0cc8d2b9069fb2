#!/usr/bin/env node
// UI benchmark in real headless Chromium (run by `npm run bench` via bench/run.mjs, or alone:
// `PATH=$PWD/node_modules/.bin:$PATH node bench/ui.bench.mjs [--quick]`).
//
// The built app (vite build) under `wrangler dev` with a throw-away local D1: one clinic,
// 10 doctors and 2,000 appointments inside the current calendar month. Desktop viewport,
// month view (the desktop default). Measured in the page with performance.now():
//   month navigation  click "previous" (from the empty next month) → the 2,000-event month
//                     painted; split into API (click → data arrived, mark acms:range-loaded)
//                     and render (data → painted).
//   drop              pointer released after dragging an appointment one hour later in the
//                     day view (10 doctors side by side) → optimistic result painted (mark
//                     acms:optimistic, then the next frame). The server may accept or refuse
//                     (slot taken); only the optimistic redraw is timed.
// Month cells are per-day summaries (web/calendar/month-cells.ts), so the month's cost does
// not grow with the number of appointments the way per-event blocks would (~20 s for 2,000).
// "Painted" = the first task after the next animation frame (rAF + MessageChannel), i.e.
// after style, layout and paint of that frame.
// Targets: month view with 2,000 events renders in < 300 ms; a drop shows its optimistic
// result within one frame (16 ms) of the floor measured next to it (p95, issue #18).
// Diagnosis: UI_BENCH_DEBUG=1 logs each drop's long animation frames (script vs style/layout);
// UI_BENCH_PROFILE=1 takes a CPU profile over a few drops and logs the functions with the most
// self time (and who called the DOM calls among them) before the measured runs;
// UI_BENCH_TRACE=<file.json> saves a Chromium trace of a few drops (Perfetto / chrome://tracing);
// UI_BENCH_NOMIN=1 builds the SPA unminified, so profiles and traces name our functions.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { hashPassword } from "../scripts/seed.mjs";
import { freePort, ms, percentile, printTable, startWranglerDev, wranglerSync } from "./lib.mjs";

const QUICK = process.argv.includes("--quick");
const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const NAV_RUNS = QUICK ? 5 : 15;
const DROP_RUNS = QUICK ? 5 : 15;
const APPOINTMENTS = 2000;
const DOCTORS = 10;
const PASSWORD = "bench-ui-password";
const EMAIL = "bench-ui@bench.example";
const CLINIC = "c1".repeat(16);
const config = path.join(root, "dist/acms_calendar/wrangler.json");

const t0 = performance.now();
const log = (m) => console.log(`[ui-bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}`);

function seedSql() {
  const now = new Date();
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const days = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const hours = JSON.stringify(Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["07:00", "20:00"]]])));
  const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
  const rows = [
    `INSERT INTO clinics (id, name, time_zone, address, domain) VALUES ('${CLINIC}', 'Bench Clinic', 'UTC', '', 'bench.example');`,
    `INSERT INTO users (id, clinic_id, email, name, password_hash, role) VALUES ('${"a9".repeat(16)}', '${CLINIC}', '${EMAIL}', 'Bench Reception', ${q(hashPassword(PASSWORD))}, 'receptionist');`,
  ];
  const doctor = (i) => `d9${i.toString(16).padStart(30, "0")}`;
  for (let i = 0; i < DOCTORS; i++)
    rows.push(
      `INSERT INTO doctors (id, clinic_id, name, specialty, color, slot_minutes, working_hours) VALUES ('${doctor(i)}', '${CLINIC}', 'Dr Bench ${i + 1}', 'General', '#3b82f6', 30, ${q(hours)});`,
    );
  for (let i = 0; i < 40; i++)
    rows.push(`INSERT INTO patients (id, clinic_id, name, name_lc, phone, phone_digits, email) VALUES ('e9${i.toString(16).padStart(30, "0")}', '${CLINIC}', 'Patient ${i}', 'patient ${i}', '', '', '');`);
  const statuses = ["scheduled", "confirmed", "completed", "scheduled", "confirmed", "no_show", "cancelled"];
  // Spread 2,000 over every (day, doctor) pair of the month, one per 30-minute slot from 07:00.
  for (let n = 0; n < APPOINTMENTS; n++) {
    const day = n % days;
    const doc = Math.floor(n / days) % DOCTORS;
    const slot = Math.floor(n / (days * DOCTORS));
    const start = Date.UTC(y, m, day + 1, 7) + slot * 30 * 60_000;
    rows.push(
      `INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, start_ms, end_ms, type, reason, status, notes, version, created_by, updated_by) VALUES ('f9${n.toString(16).padStart(30, "0")}', '${CLINIC}', '${doctor(doc)}', 'e9${(n % 40).toString(16).padStart(30, "0")}', ${start}, ${start + 30 * 60_000}, 'consultation', '', '${statuses[n % statuses.length]}', '', 1, 'bench', 'bench');`,
    );
  }
  return rows.join("\n") + "\n";
}

// In-page helper: resolves with ms from `t0` to the first task after the next frame once
// `ready()` holds.
const PAGE_HELPERS = () => {
  window.__afterPaint = () =>
    new Promise((res) =>
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => res(performance.now());
        ch.port2.postMessage(0);
      }),
    );
  // UI_BENCH_DEBUG: where a slow frame's time went (script vs style/layout), per Long Animation Frame.
  window.__loaf = [];
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries())
        window.__loaf.push({
          dur: Math.round(e.duration),
          block: Math.round(e.blockingDuration),
          styleLayout: Math.round(e.startTime + e.duration - e.styleAndLayoutStart),
          render: Math.round(e.styleAndLayoutStart - e.renderStart),
          scripts: e.scripts.map((s) => `${s.invoker}|${s.sourceFunctionName}@${(s.sourceURL || "").split("/").pop()}:${Math.round(s.duration)}ms fl=${Math.round(s.forcedStyleAndLayoutDuration)}`),
        });
    }).observe({ type: "long-animation-frame", buffered: false });
  } catch {}
  window.__waitMark = (name, count) =>
    new Promise((res) => {
      const check = () => (performance.getEntriesByName(name).length >= count ? res(performance.getEntriesByName(name).at(-1).startTime) : setTimeout(check, 0));
      check();
    });
};

async function main() {
  log("vite build");
  const b = spawnSync("vite", ["build", "--logLevel", "warn", ...(process.env.UI_BENCH_NOMIN ? ["--minify", "false"] : [])], { stdio: "inherit" });
  if (b.status !== 0) throw new Error("vite build failed");
  const dir = mkdtempSync(path.join(tmpdir(), "acms-ui-bench-"));
  const state = path.join(dir, "state");
  let server;
  let browser;
  try {
    writeFileSync(path.join(root, "dist/acms_calendar/.dev.vars"), `SESSION_SECRET="bench-ui-session-secret-0123456789abcdef"\n`);
    wranglerSync(["d1", "migrations", "apply", "acms", "--local", "--persist-to", state, "-c", config]);
    const sqlFile = path.join(dir, "seed.sql");
    writeFileSync(sqlFile, seedSql());
    wranglerSync(["d1", "execute", "acms", "--local", "--persist-to", state, "-c", config, "--file", sqlFile]);
    log(`seeded ${APPOINTMENTS} appointments for ${DOCTORS} doctors in this month`);
    const port = await freePort();
    server = await startWranglerDev({ args: ["-c", config, "--persist-to", state, "--var", `APP_URL:http://localhost:${port}`], port, cwd: root, readyPath: "/api/auth/me", name: "app" });
    const base = `http://localhost:${port}`;

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = await (await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, timezoneId: "UTC", locale: "en-GB" })).newPage();
    await page.addInitScript(PAGE_HELPERS);
    await page.goto("/");
    await page.getByLabel("E-mail").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    page.on("pageerror", (e) => log(`page error: ${e.message}`));
    try {
      await page.waitForFunction(() => document.querySelector('.cal-wrap[aria-busy="false"]') && document.querySelectorAll(".mc-dot").length > 0, null, { timeout: 60_000 });
    } catch (e) {
      await page.screenshot({ path: path.join(root, "test-results/ui-bench-failure.png") });
      throw e;
    }
    log("month view up");

    // 1. Month navigation.
    const nav = { total: [], api: [], render: [] };
    for (let i = 0; i < NAV_RUNS + 2; i++) {
      await page.getByRole("button", { name: "Next month" }).click();
      await page.locator('.cal-wrap[aria-busy="false"]').waitFor();
      await page.waitForTimeout(50);
      const r = await page.evaluate(async () => {
        const n = performance.getEntriesByName("acms:range-loaded").length;
        const btn = document.querySelector('button[aria-label="Previous month"]');
        const t0 = performance.now();
        btn.click();
        const loadedAt = await window.__waitMark("acms:range-loaded", n + 1);
        const painted = await window.__afterPaint();
        return { total: painted - t0, api: loadedAt - t0, render: painted - loadedAt };
      });
      if (i < 2) continue; // warm-up
      nav.total.push(r.total);
      nav.api.push(r.api);
      nav.render.push(r.render);
    }
    const count = await page.evaluate(() => [...document.querySelectorAll(".mc-dot")].reduce((n, e) => n + Number(e.textContent), 0));
    if (count !== APPOINTMENTS) throw new Error(`month view counts ${count} appointments, expected ${APPOINTMENTS}: the seeded month did not render`);
    await page.screenshot({ path: path.join(root, "test-results/ui-bench-month.png") });

    // 2. Drop → optimistic view, in the receptionist's day view: all 10 doctors side by side
    //    (~67 appointments of the 2,000 fall on one day). A block is dragged one hour down.
    await page.keyboard.press("d");
    await page.waitForFunction(() => document.querySelector('.cal-wrap[aria-busy="false"]') && document.querySelectorAll(".ec-event.appt").length > 20, null, { timeout: 30_000 });
    const dayCount = await page.evaluate(() => document.querySelectorAll(".ec-event.appt").length);
    log(`day view up (${dayCount} blocks)`);

    if (process.env.UI_BENCH_DEBUG) log(`navigation done: ${JSON.stringify(nav)}`);
    // Floor of this machine: a one-element change (the title text) → painted. Headless Chromium
    // rasterises in software here, so a frame of the whole window has a cost of its own. One
    // floor sample is taken right before each drop, so both see the same load of the shared
    // machine (a floor measured once, before all drops, swung from 6 to 44 ms between runs).
    const floorSample = () =>
      page.evaluate(async () => {
        const el = document.querySelector('[data-testid="range-title"]');
        const t0 = performance.now();
        el.style.color = el.style.color ? "" : "rgb(0, 0, 1)";
        return (await window.__afterPaint()) - t0;
      });
    async function measureDrops(runs) {
      const drops = [];
      const dropToHandler = [];
      const floor = [];
      const touched = [];
      const script = [];
      for (let i = 0; i < runs + 2; i++) {
        await page.waitForTimeout(50);
        const f = await floorSample();
        if (i >= 2) floor.push(f);
        const pick = await page.evaluate((i) => {
          const els = [...document.querySelectorAll(".ec-event.appt.st-scheduled, .ec-event.appt.st-confirmed")].filter((e) => {
            const r = e.getBoundingClientRect();
            // Really on screen and on top (not one of the blocks behind "+N more").
            return r.width > 20 && r.top > 200 && r.bottom < innerHeight - 120 && document.elementFromPoint(r.left + 10, r.top + 8)?.closest(".ec-event") === e;
          });
          const el = els[(i * 7) % els.length];
          const r = el.getBoundingClientRect();
          return { x: r.left + 10, y: r.top + 8, id: el.dataset.appointmentId };
        }, i);
        const to = { x: pick.x, y: pick.y + 80 }; // 80 px = one hour at 20 px per 15 min
        const n = await page.evaluate(() => performance.getEntriesByName("acms:optimistic").length);
        await page.evaluate(([n, id]) => {
          window.__drop = new Promise((res) =>
            window.addEventListener(
              "pointerup",
              async () => {
                const t0 = performance.now();
                // The first task after the release: the calendar's and our drop handling,
                // microtasks (the calendar's redraw) and DOM observers done — script only.
                const handled = new Promise((r) => setTimeout(() => r(performance.now()), 0));
                // What the drop changes in the calendar's DOM outside the moved block and the
                // drag preview (issue #18: only the moved block, and blocks it now overlaps).
                const root = document.querySelector(".ec");
                const others = new Set();
                const note = (records) => {
                  for (const r of records) {
                    const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
                    const block = el?.closest(".ec-event");
                    if (block && (block.classList.contains("ec-preview") || block.dataset.appointmentId === id || block.querySelector(`[data-appointment-id="${id}"]`))) continue;
                    // The drag preview going away (Svelte's comment anchors with it) and the
                    // root's "dragging" class are the end of the drag, not a redraw.
                    if (!block && r.type === "childList" && [...r.addedNodes, ...r.removedNodes].every((x) => x.nodeType !== 1 || x.classList.contains("ec-preview"))) continue;
                    if (el === root && r.type === "attributes" && r.attributeName === "class") continue;
                    others.add(el);
                  }
                };
                const mo = new MutationObserver(note);
                mo.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
                const marked = await window.__waitMark("acms:optimistic", n + 1);
                const total = (await window.__afterPaint()) - t0;
                note(mo.takeRecords());
                mo.disconnect();
                res({ total, toHandler: marked - t0, script: (await handled) - t0, others: others.size });
              },
              { capture: true, once: true },
            ),
          );
        }, [n, pick.id]);
        const saved = page.waitForResponse((r) => r.url().includes(`/api/appointments/${pick.id}`) && r.request().method() === "PATCH");
        await page.mouse.move(pick.x, pick.y);
        await page.mouse.down();
        for (let s = 1; s <= 8; s++) await page.mouse.move(pick.x + ((to.x - pick.x) * s) / 8, pick.y + ((to.y - pick.y) * s) / 8);
        await page.mouse.up();
        if (process.env.UI_BENCH_DEBUG) log(`drop ${i}: ${JSON.stringify(pick)} → ${JSON.stringify(to)}`);
        const t = await page.evaluate(() => Promise.race([window.__drop, new Promise((_, rej) => setTimeout(() => rej(new Error("the drop changed nothing")), 10_000))]));
        await saved; // let the server answer (and any rollback draw) before the next drop
        await page.waitForTimeout(100);
        if (process.env.UI_BENCH_DEBUG) log(`drop ${i} frames: ${await page.evaluate(() => JSON.stringify(window.__loaf?.splice(0)))}`);
        if (i >= 2) {
          drops.push(t.total);
          dropToHandler.push(t.toHandler);
          script.push(t.script);
          touched.push(t.others);
        }
      }
      return { drops, dropToHandler, floor, touched, script };
    }
    if (process.env.UI_BENCH_TRACE) {
      // A Chromium trace (main thread, compositor, raster workers, JS samples) over a few drops,
      // saved for chrome://tracing or Perfetto: what the frame after a drop waits on.
      const cdp = await page.context().newCDPSession(page);
      const events = [];
      cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
      const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
      await cdp.send("Tracing.start", { categories: "disabled-by-default-v8.cpu_profiler,devtools.timeline,disabled-by-default-devtools.timeline,blink.user_timing,latencyInfo,cc,viz,gpu,disabled-by-default-devtools.timeline.frame", transferMode: "ReportEvents" });
      await measureDrops(4);
      await cdp.send("Tracing.end");
      await done;
      writeFileSync(process.env.UI_BENCH_TRACE, JSON.stringify(events));
      log(`trace: ${events.length} events`);
    }
    if (process.env.UI_BENCH_PROFILE) {
      // Where a drop's time goes: a CPU profile over a few drops, self time per function.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
      await cdp.send("Profiler.start");
      await measureDrops(3);
      const { profile } = await cdp.send("Profiler.stop");
      const self = new Map();
      const dt = new Map();
      profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
      for (const n of profile.nodes) {
        const f = n.callFrame;
        const key = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}:${f.columnNumber}`;
        self.set(key, (self.get(key) ?? 0) + (dt.get(n.id) ?? 0) / 1000);
      }
      for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) log(`profile ${v.toFixed(1)} ms  ${k}`);
      const parent = new Map();
      for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      const chains = new Map();
      for (const n of profile.nodes) {
        if (!["get innerText", "removeAttribute", "replaceChildren", "set innerText"].includes(n.callFrame.functionName)) continue;
        const chain = [];
        for (let p = parent.get(n.id); p && chain.length < 12; p = parent.get(p.id)) chain.push(`${p.callFrame.functionName || "anon"}:${p.callFrame.lineNumber}:${p.callFrame.columnNumber}`);
        const key = `${n.callFrame.functionName} <- ${chain.join(" <- ")}`;
        chains.set(key, (chains.get(key) ?? 0) + (dt.get(n.id) ?? 0) / 1000);
      }
      for (const [k, v] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) log(`chain ${v.toFixed(1)} ms  ${k}`);
      void byId;
    }
    const all = await measureDrops(DROP_RUNS);
    // The same in one doctor's day (the doctor's own screen): hide the other nine.
    for (let i = 2; i <= DOCTORS; i++) await page.getByRole("button", { name: `Dr Bench ${i}`, exact: true }).click();
    await page.waitForFunction(() => document.querySelector('.cal-wrap[aria-busy="false"]') && document.querySelectorAll(".ec-event.appt").length > 0);
    const oneCount = await page.evaluate(() => document.querySelectorAll(".ec-event.appt").length);
    const one = await measureDrops(DROP_RUNS);
    const row = (name, v, target) => [name, ms(percentile(v, 50)), ms(percentile(v, 95)), ms(Math.max(...v)), target ?? "", target ? (percentile(v, 95) < parseFloat(target.slice(2)) ? "ok" : "OVER") : ""];
    // Issue #18: a drop paints within one frame (16 ms at 60 Hz) of the floor measured next to it.
    const FRAME = 16;
    const dropRow = (name, v, floor) => {
      const limit = percentile(floor, 95) + FRAME;
      return [name, ms(percentile(v, 50)), ms(percentile(v, 95)), ms(Math.max(...v)), `≤ ${ms(limit)}`, percentile(v, 95) <= limit ? "ok" : "OVER"];
    };
    console.log(`\nUI in Chromium — ${APPOINTMENTS} appointments in the visible month, ${DOCTORS} doctors, 1440×900 (ms)`);
    printTable(
      ["measure", "p50", "p95", "max", "target", "p95 vs target"],
      [
        row("month navigation: render (data → painted)", nav.render, "< 300"),
        row("month navigation: total (click → painted)", nav.total),
        row("  of which API fetch (click → data)", nav.api),
        row("floor next to the 10-doctor drops: one-element change → painted", all.floor),
        dropRow(`drop → optimistic view painted (10 doctors, ${dayCount} blocks)`, all.drops, all.floor),
        row("  of which calendar's drop handling (release → our handler)", all.dropToHandler),
        row("  of which script (release → handled and redrawn in the DOM)", all.script),
        row("floor next to the 1-doctor drops", one.floor),
        dropRow(`drop → optimistic view painted (1 doctor, ${oneCount} blocks)`, one.drops, one.floor),
        row("  of which script (release → handled and redrawn in the DOM)", one.script),
      ],
    );
    const over = (v, floor) => `${ms(percentile(v, 95) - percentile(floor, 95))} ms`;
    console.log(
      `drop p95 over the floor p95 of the same run: 10 doctors ${over(all.drops, all.floor)}, 1 doctor ${over(one.drops, one.floor)}; target ≤ ${FRAME} ms (one frame).\n` +
        `Elements of the calendar changed outside the moved block per drop, p50 / max (blocks it now overlaps are re-laid out): 10 doctors ${percentile(all.touched, 50)} / ${Math.max(...all.touched)}, 1 doctor ${percentile(one.touched, 50)} / ${Math.max(...one.touched)}.\n` +
        `Before the calendar patch (patches/@event-calendar+core+5.15.0.patch), two runs: drop p50 40–62 / 33–37 ms, script p50 30 / 17 ms (10 doctors / 1);\n` +
        `with it: drop p50 39–41 / 30–37 ms, script p50 19–27 / 13–16 ms. The gap to the floor is the frame (raster, load), not script: docs/performance.md.`,
    );
  } finally {
    await browser?.close();
    server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
log("done");
