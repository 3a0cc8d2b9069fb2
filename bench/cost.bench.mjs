#!/usr/bin/env node
// The bill per clinic per month (issue #18), printed last by `npm run bench` (bench/run.mjs),
// or alone: `PATH=$PWD/node_modules/.bin:$PATH node bench/cost.bench.mjs [--quick]`.
//
// A clinic of 10 doctors under `wrangler dev` with BENCH_METER=1 (worker/bench-meter.ts counts
// Worker invocations, D1 rows read/written from each result's meta, Durable Object requests and
// active time), each doctor fully booked 30 appointments a day for the past 60 and next 30
// days, each with a subscribed feed. Every operation a clinic does is run K times and metered:
// a booking (with its hub work: feed rebuild, outbox, invites, reminder planning), a change of
// one of those bookings (confirm, move or cancel, with the same hub work), a week and a day view, a feed poll (304 and 200), a log-in, a cron tick. CPU per operation is workerd's
// process CPU over the run (local D1 and DOs included: an upper bound of billed CPU).
// Usage per month = measured unit cost × the clinic's monthly counts (MONTH below, each with
// its assumption), priced with bench/prices.mjs. Sync and reminder lines use what other
// benches measure (BENCH_LOGS from bench/run.mjs) or say they are modeled.
// Target: the platform part ≤ $1 per clinic per month on top of the $5 plan; SMS shown apart.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { hashPassword } from "../scripts/seed.mjs";
import { fetchJson, freePort, groupCpuMs, printTable, startWranglerDev, wranglerSync } from "./lib.mjs";
import { D1, DURABLE_OBJECTS, PLAN, PRICES_AS_OF, SMS, WORKERS } from "./prices.mjs";

const QUICK = process.argv.includes("--quick");
const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);

const DOCTORS = 10;
const PER_DAY = 30;
const DAY = 86_400_000;
const CLINIC = "c2" + "0".repeat(29) + "1";
const EMAIL = "cost-bench@bench.example";
const PASSWORD = "cost-bench-password";
const K = QUICK ? 15 : 40;
const today = Math.floor(Date.now() / DAY) * DAY;
const t0 = performance.now();
const log = (m) => console.log(`[cost bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}`);
const doctorId = (i) => `d2${i.toString(16).padStart(30, "0")}`;

// What one clinic does in a month (30 days). Each count says where it comes from.
const APPTS = DOCTORS * PER_DAY * 30; // 9,000 appointments
const MONTH = {
  booking: { n: APPTS, why: "each appointment booked once" },
  change: { n: APPTS, why: "… and changed once: a third each confirmed, moved to another day, cancelled" },
  week: { n: 5 * 60 * 30, why: "5 staff × 60 calendar loads a day (live updates need no reload), half week views" },
  day: { n: 5 * 60 * 30, why: "… and half day views" },
  feed304: { n: DOCTORS * 96 * 30 - DOCTORS * 2 * PER_DAY * 30, why: "1 subscribed calendar per doctor polling every 15 min; the rest of the 96 polls a day" },
  feed200: { n: DOCTORS * 2 * PER_DAY * 30, why: "a full body after each of the 60 changes a day per doctor" },
  login: { n: 5 * 30, why: "5 staff log in once a day" },
  cron: { n: 12 * 24 * 30, why: "the 5-minute Cron Trigger (a deployment's, charged here in full)" },
};

function seedSql() {
  const q = (s) => `'${s.replaceAll("'", "''")}'`;
  const hours = JSON.stringify(Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["07:00", "22:00"]]])));
  const first = today - 60 * DAY;
  const days = 90;
  const n = DOCTORS * PER_DAY * days;
  return `
INSERT INTO clinics (id, name, time_zone, address, domain) VALUES ('${CLINIC}', 'Cost Clinic', 'UTC', '1 Main St', 'cost.example');
INSERT INTO users (id, clinic_id, email, name, password_hash, role) VALUES ('a2${"0".repeat(29)}1', '${CLINIC}', '${EMAIL}', 'Cost Admin', ${q(hashPassword(PASSWORD))}, 'admin');
INSERT INTO doctors (id, clinic_id, name, working_hours)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${DOCTORS - 1})
  SELECT printf('d2%030x', i), '${CLINIC}', 'Dr Cost ' || i, ${q(hours)} FROM n;
INSERT INTO patients (id, clinic_id, name, name_lc, phone, phone_digits, email, sms_consent)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 499)
  SELECT printf('e2%030x', i), '${CLINIC}', 'Patient ' || i, 'patient ' || i, '+1 555 0100 ' || i, '15550100' || i, 'p' || i || '@cost.example', 1 FROM n;
INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, status, version, created_by, updated_by, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1}),
  s(i, d, k) AS (SELECT i, i % ${DOCTORS}, i / ${DOCTORS} FROM n)
  SELECT printf('%032x', i), '${CLINIC}', printf('d2%030x', d), printf('e2%030x', i % 500), 'Patient ' || (i % 500),
    ${first} + (k / ${PER_DAY}) * ${DAY} + (420 + (k % ${PER_DAY}) * 30) * 60000,
    ${first} + (k / ${PER_DAY}) * ${DAY} + (420 + (k % ${PER_DAY}) * 30) * 60000 + 1800000,
    'consultation', 'scheduled', 1, 'bench', 'bench', ${first}, ${first}
  FROM s;`;
}

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

/** Lines "metric | value" printed by another bench (bench/run.mjs keeps their output in BENCH_LOGS). */
function fromLog(file, re) {
  const dir = process.env.BENCH_LOGS;
  if (!dir || !existsSync(path.join(dir, file))) return null;
  const m = re.exec(readFileSync(path.join(dir, file), "utf8"));
  return m ? Number(m[1]) : null;
}

async function main() {
  const state = mkdtempSync(path.join(tmpdir(), "acms-cost-bench-"));
  let app;
  try {
    log(`local D1: ${DOCTORS} doctors × ${PER_DAY}/day over 90 days`);
    wranglerSync(["d1", "migrations", "apply", "acms", "--local", "--persist-to", state]);
    writeFileSync(path.join(state, "seed.sql"), seedSql());
    wranglerSync(["d1", "execute", "acms", "--local", "--persist-to", state, "--file", path.join(state, "seed.sql")]);
    // Storage: D1 refuses PRAGMA and dbstat, but the local database is a SQLite file under the
    // state dir, which node:sqlite (Node ≥ 22) opens read-only: rows per table now, and at the
    // end bytes per row of each table with its indexes (dbstat).
    const dbFile = () => {
      let found = null;
      const walk = (dir) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.name.endsWith(".sqlite") && e.name !== "metadata.sqlite") found = p;
        }
      };
      walk(path.join(state, "v3", "d1"));
      return found;
    };
    const { DatabaseSync } = await import("node:sqlite");
    const withDb = (fn) => {
      const db = new DatabaseSync(dbFile(), { readOnly: true });
      try {
        return fn(db);
      } finally {
        db.close();
      }
    };
    const tables = () => withDb((db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'").all().map((r) => r.name));
    const rowCounts = () => withDb((db) => Object.fromEntries(tables().map((t) => [t, db.prepare(`SELECT count(*) AS n FROM "${t}"`).get().n])));
    const bytesPerRow = () =>
      withDb((db) => {
        const out = {};
        for (const t of tables()) {
          const n = db.prepare(`SELECT count(*) AS n FROM "${t}"`).get().n;
          // Bytes in use (pgsize − unused): a table of a few rows would otherwise count a whole page per index.
          const b = db.prepare("SELECT SUM(pgsize - unused) AS b FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ?)").get(t).b ?? 0;
          out[t] = n ? b / n : 0;
        }
        return out;
      });
    const src = path.join(state, "src");
    for (const p of ["worker", "migrations", "wrangler.toml", "package.json", "tsconfig.json"]) cpSync(p, path.join(src, p), { recursive: true });
    mkdirSync(path.join(src, "dist/client"), { recursive: true });
    if (!existsSync(path.join(src, "dist/client/index.html"))) writeFileSync(path.join(src, "dist/client/index.html"), "<!doctype html><title>ACMS</title>");
    symlinkSync(path.join(root, "node_modules"), path.join(src, "node_modules"), "dir");
    const port = await freePort();
    app = await startWranglerDev({
      cwd: src,
      port,
      readyPath: "/api/auth/me",
      args: ["--config", "wrangler.toml", "--persist-to", state, "--test-scheduled", "--var", "BENCH_METER:1", "--var", "SESSION_SECRET:bench-session-secret-0123456789abcdef", "--var", `APP_URL:http://127.0.0.1:${port}`],
    });
    const login = () =>
      fetchJson(`${app.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json", origin: app.url }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
    const { body: session } = await login();
    const auth = { authorization: `Bearer ${session.token}`, "content-type": "application/json" };
    const feeds = [];
    for (let i = 0; i < DOCTORS; i++) {
      const { body } = await fetchJson(`${app.url}/api/doctors/${doctorId(i)}/feed`, { method: "POST", headers: auth, body: JSON.stringify({ privacy: "busy" }) }, 201);
      feeds.push(body.feed.url);
    }
    const etags = new Map();
    const refreshEtags = async () => {
      for (const u of feeds) {
        const r = await fetch(u, { headers: { "accept-encoding": "gzip" } });
        await r.arrayBuffer();
        etags.set(u, r.headers.get("etag"));
      }
    };
    log("measuring");

    // Free future slots: days 31.. (seeded days end at +30), one doctor after another.
    let slot = 0;
    const nextBooking = () => {
      const i = slot++;
      const doc = i % DOCTORS;
      const k = Math.floor(i / DOCTORS);
      const start = today + (31 + Math.floor(k / PER_DAY)) * DAY + (420 + (k % PER_DAY) * 30) * 60_000;
      return { doc, body: { doctorId: doctorId(doc), patientId: `e2${(i % 500).toString(16).padStart(30, "0")}`, start: new Date(start).toISOString(), end: new Date(start + 1_800_000).toISOString() } };
    };
    let lastDoc = 0;
    const iso = (t) => new Date(t).toISOString();
    const booked = []; // what the bookings made, for the changes
    const ops = {
      booking: async () => {
        const b = nextBooking();
        lastDoc = b.doc;
        const { body } = await fetchJson(`${app.url}/api/appointments`, { method: "POST", headers: auth, body: JSON.stringify(b.body) }, 201);
        booked.push(body.appointment);
      },
      // The booking's second write, measured rather than assumed to cost a booking: confirm, move
      // (to a free day past the booked ones, same time) or cancel, in turn.
      change: async (i) => {
        const a = booked[i % booked.length];
        const at = (x) => new Date(Date.parse(x) + 60 * DAY).toISOString();
        const [path, method, body] =
          i % 3 === 0
            ? [`/api/appointments/${a.id}`, "PATCH", { version: a.version, status: "confirmed" }]
            : i % 3 === 1
              ? [`/api/appointments/${a.id}`, "PATCH", { version: a.version, start: at(a.start), end: at(a.end) }]
              : [`/api/appointments/${a.id}/cancel`, "POST", { version: a.version }];
        await fetchJson(`${app.url}${path}`, { method, headers: auth, body: JSON.stringify(body) });
      },
      week: async (i) => {
        const from = today - 7 * DAY + (i % 14) * DAY;
        await fetchJson(`${app.url}/api/appointments?doctorId=${doctorId(i % DOCTORS)}&from=${iso(from)}&to=${iso(from + 7 * DAY)}`, { headers: auth });
      },
      day: async (i) => {
        const from = today - 3 * DAY + (i % 6) * DAY;
        await fetchJson(`${app.url}/api/appointments?from=${iso(from)}&to=${iso(from + DAY)}`, { headers: auth });
      },
      feed304: async (i) => {
        const u = feeds[i % DOCTORS];
        const r = await fetch(u, { headers: { "accept-encoding": "gzip", "if-none-match": etags.get(u) } });
        await r.arrayBuffer();
        if (r.status !== 304) throw new Error(`feed poll: ${r.status}`);
      },
      feed200: async (i) => {
        const r = await fetch(feeds[i % DOCTORS], { headers: { "accept-encoding": "gzip" } });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`feed GET: ${r.status}`);
      },
      login: async () => void (await login()),
      cron: async () => {
        const r = await fetch(`${app.url}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);
        await r.arrayBuffer();
      },
    };

    const unit = {};
    let rowsPerBooking = {};
    for (const [name, op] of Object.entries(ops)) {
      const n = name === "login" || name === "cron" ? Math.ceil(K / 4) : K;
      await settle(1500);
      await refreshEtags(); // after the bookings' feed rebuilds
      await fetch(`${app.url}/api/__meter`, { method: "POST" });
      const counts0 = name === "booking" ? rowCounts() : null;
      const c0 = groupCpuMs(app.pgid);
      for (let i = 0; i < n; i++) await op(i);
      await settle(name === "booking" || name === "change" ? 3000 : 600); // the hubs' work after each change (feed rebuild, outbox, invites)
      if (counts0) {
        const counts1 = rowCounts();
        rowsPerBooking = Object.fromEntries(Object.keys(counts1).map((t) => [t, (counts1[t] - (counts0[t] ?? 0)) / n]).filter(([, d]) => d > 0));
      }
      const cpu = groupCpuMs(app.pgid) - c0;
      const m = await (await fetch(`${app.url}/api/__meter`)).json();
      unit[name] = {
        workerRequests: m.workerRequests / n,
        cpuMs: cpu / n,
        doRequests: m.doRequests / n,
        doGbS: (m.doActiveMs / 1000 / n) * DURABLE_OBJECTS.memoryGb,
        rowsRead: m.d1RowsRead / n,
        rowsWritten: m.d1RowsWritten / n,
      };
      log(`${name}: ${JSON.stringify(unit[name])}`);
    }
    const perRow = bytesPerRow();
    const bytesPerBooking = Object.entries(rowsPerBooking).reduce((sum, [t, d]) => sum + d * (perRow[t] ?? 0), 0);
    const bytesBy = Object.fromEntries(Object.entries(rowsPerBooking).map(([t, d]) => [t, Math.round(d * (perRow[t] ?? 0))]));
    log(`rows kept per booking: ${JSON.stringify(rowsPerBooking)} → ${bytesPerBooking.toFixed(0)} bytes (tables with their indexes: ${JSON.stringify(bytesBy)})`);

    // Lines measured by other benches (bench/run.mjs passes their output), else modeled.
    const remRead = fromLog("reminders.bench.mjs.log", /D1 rows read per reminder \| ([\d.]+)/);
    const remWritten = fromLog("reminders.bench.mjs.log", /D1 rows written per reminder \| ([\d.]+)/);
    const reminders = {
      // Each reminder: the doctor's hub wakes on its alarm (1 DO request), claims and records it;
      // each SMS adds Twilio's status callback (1 Worker request, ~cost of a webhook).
      workerRequests: 0.5,
      cpuMs: unit.feed304.cpuMs * 0.5,
      doRequests: 1,
      doGbS: unit.booking.doGbS * 0.25,
      rowsRead: remRead ?? 10,
      rowsWritten: remWritten ?? 4,
      source: remRead != null ? "rows: bench/reminders.bench.mjs (this run); requests modeled" : "modeled (run `npm run bench` for the reminder bench's rows)",
    };
    // Connected calendars (half the doctors): per change on a connected calendar the provider
    // echoes a push notification (1 webhook = 1 Worker request + 1 DO kick), the hub lists the
    // change and records the link (rows as a booking's outbox work); per connected doctor an
    // hourly cursor poll (1 DO alarm). Provider fetches are subrequests: not billed.
    const sync = {
      workerRequests: 1,
      cpuMs: unit.feed304.cpuMs,
      doRequests: 2,
      doGbS: unit.booking.doGbS * 0.5,
      rowsRead: 12,
      rowsWritten: 3,
      source: "modeled from the sync benches' request counts (Google: 3 writes per lifecycle, 1 echo read each)",
    };
    const connectedChanges = (DOCTORS / 2) * 2 * PER_DAY * 30;
    const lines = [
      ...Object.entries(MONTH).map(([k, v]) => ({ name: k, n: v.n, u: unit[k], why: v.why, measured: true })),
      { name: "reminders", n: 2 * APPTS, u: reminders, why: "2 reminders per appointment (1 e-mail, 1 SMS)", measured: remRead != null },
      { name: "sync echoes", n: connectedChanges, u: sync, why: "half the doctors connected (Google, Outlook, iCloud mix)", measured: false },
      { name: "sync polls", n: (DOCTORS / 2) * 24 * 30, u: { ...sync, workerRequests: 0, doRequests: 1 }, why: "hourly cursor read per connected doctor", measured: false },
      // The bench's doctors have no calendar (their hubs would call the real Google), so the
      // outbox row a connected doctor's change queues is added here: written with the change
      // (2 rows) and closed once the provider has it (the row + the day's sync metrics, 2), as
      // test/worker/appointments/write-cost.test.ts measures them.
      { name: "sync outbox", n: connectedChanges, u: { workerRequests: 0, cpuMs: 0, doRequests: 0, doGbS: 0, rowsRead: 4, rowsWritten: 4, source: "rows from test/worker/appointments/write-cost.test.ts" }, why: "the outbox row of each change on a connected calendar", measured: false },
    ];
    const sum = (f) => lines.reduce((s, l) => s + l.n * f(l.u), 0);
    const usage = {
      workerRequests: sum((u) => u.workerRequests),
      cpuMs: sum((u) => u.cpuMs),
      doRequests: sum((u) => u.doRequests),
      doGbS: sum((u) => u.doGbS),
      rowsRead: sum((u) => u.rowsRead),
      rowsWritten: sum((u) => u.rowsWritten),
    };
    // Storage after a year of this clinic: bytes per booking measured (appointment, audit, outbox, reminders, invites).
    const storageGb = (bytesPerBooking * APPTS * 12) / 1e9;
    const usd = {
      workerRequests: (usage.workerRequests / 1e6) * WORKERS.usdPerMillionRequests,
      cpuMs: (usage.cpuMs / 1e6) * WORKERS.usdPerMillionCpuMs,
      doRequests: (usage.doRequests / 1e6) * DURABLE_OBJECTS.usdPerMillionRequests,
      doGbS: (usage.doGbS / 1e6) * DURABLE_OBJECTS.usdPerMillionGbSeconds,
      rowsRead: (usage.rowsRead / 1e6) * D1.usdPerMillionRowsRead,
      rowsWritten: (usage.rowsWritten / 1e6) * D1.usdPerMillionRowsWritten,
      storage: storageGb * D1.usdPerGbMonth,
    };
    const platform = Object.values(usd).reduce((a, b) => a + b, 0);
    const smsUsd = APPTS * (SMS.usdPerSegment + SMS.usdCarrierFeePerSegment);
    const f = (x, d = 1) => (x >= 100 ? Math.round(x).toLocaleString("en") : x.toFixed(d));

    console.log(`\nMeasured per operation (wrangler dev, BENCH_METER; CPU = workerd process CPU, an upper bound)\n`);
    printTable(
      ["operation", "Worker req", "CPU ms", "DO req", "DO GB-s", "D1 rows read", "D1 rows written", "per month", "counted as"],
      lines.map((l) => [l.name, f(l.u.workerRequests, 2), f(l.u.cpuMs), f(l.u.doRequests, 2), l.u.doGbS.toFixed(4), f(l.u.rowsRead), f(l.u.rowsWritten), l.n.toLocaleString("en"), l.measured ? l.why : `${l.why}; ${l.u.source ?? "modeled"}`]),
    );
    console.log(`\nThe bill for one clinic per month: ${DOCTORS} doctors, ${PER_DAY} appointments a day each, half with a connected calendar, 2 reminders per appointment (1 SMS)`);
    console.log(`Prices of ${PRICES_AS_OF} (bench/prices.mjs), charged at the overage rate as if nothing were included in the $${PLAN.monthlyUsd} plan\n`);
    printTable(
      ["line", "usage per month", "USD per month"],
      [
        ["Workers requests", f(usage.workerRequests, 0), usd.workerRequests.toFixed(3)],
        ["Workers CPU ms", f(usage.cpuMs, 0), usd.cpuMs.toFixed(3)],
        ["Durable Object requests", f(usage.doRequests, 0), usd.doRequests.toFixed(3)],
        ["Durable Object duration GB-s", f(usage.doGbS, 0), usd.doGbS.toFixed(3)],
        ["D1 rows read", f(usage.rowsRead, 0), usd.rowsRead.toFixed(3)],
        ["D1 rows written", f(usage.rowsWritten, 0), usd.rowsWritten.toFixed(3)],
        [`D1 storage after a year (${(bytesPerBooking / 1024).toFixed(1)} KiB per booking)`, `${storageGb.toFixed(3)} GB`, usd.storage.toFixed(3)],
        ["platform total", "", platform.toFixed(2)],
        [`SMS (Twilio US, ${APPTS.toLocaleString("en")} segments, apart)`, "", smsUsd.toFixed(2)],
      ],
    );
    const ok = platform <= 1;
    console.log(`\n${ok ? "PASS" : "FAIL"}  platform part $${platform.toFixed(2)} per clinic per month (target ≤ $1 on top of the $${PLAN.monthlyUsd} plan); SMS $${smsUsd.toFixed(2)} apart`);
    if (!ok) process.exitCode = 1;
  } finally {
    app?.stop();
    await settle(300);
    rmSync(state, { recursive: true, force: true });
  }
}

await main();
