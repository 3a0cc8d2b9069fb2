#!/usr/bin/env node
// Seeds the local D1 database with a demo clinic: an admin, a receptionist, three
// doctors (Mon–Fri with a lunch break, 30-minute slots), 20 patients, appointments
// from three weeks ago to two weeks ahead in every status, and a few blocked times.
//
//   npm run db:seed                       seed .wrangler/state (skips if the demo clinic exists)
//   node scripts/seed.mjs --persist-to D  seed another local state directory
//   node scripts/seed.mjs --print         print the SQL instead of applying it
//
// The SQL is generated here and applied with `wrangler d1 execute acms --local --file`,
// the same path a person would use by hand. Appointment times are computed in the
// clinic's zone, so "09:00" is 09:00 in London whatever the machine's zone is.
import { execFileSync } from "node:child_process";
import { createHash, pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
// Node 24 (the pinned `node` package) strips TypeScript types natively, so the seed uses the
// Worker's zone module rather than a copy of it.
import { localToUtc as zoneLocalToUtc, wallMsAt } from "../worker/scheduling/zone.ts";
import { mulberry32 } from "./prng.ts";

export const DEMO_PASSWORD = "acms-demo-2026";
export const DEMO_ZONE = "Europe/London";
const DOMAIN = "demo-clinic.example";

/** Deterministic 32-hex ids, so re-running the generator yields the same rows. */
const idOf = (name) => createHash("sha256").update(`acms-demo:${name}`).digest("hex").slice(0, 32);
export const DEMO_CLINIC_ID = idOf("clinic");

export const DEMO_USERS = [
  { key: "admin", email: `admin@${DOMAIN}`, name: "Ada Admin", role: "admin" },
  { key: "reception", email: `reception@${DOMAIN}`, name: "Rita Reception", role: "receptionist" },
  { key: "dr1", email: `dr.patel@${DOMAIN}`, name: "Dr Priya Patel", role: "doctor", specialty: "General practice", color: "#2563eb" },
  { key: "dr2", email: `dr.okafor@${DOMAIN}`, name: "Dr Chidi Okafor", role: "doctor", specialty: "Paediatrics", color: "#16a34a" },
  { key: "dr3", email: `dr.nguyen@${DOMAIN}`, name: "Dr Linh Nguyen", role: "doctor", specialty: "Dermatology", color: "#db2777" },
];

const WORKING_HOURS = Object.fromEntries(
  ["1", "2", "3", "4", "5"].map((d) => [
    d,
    [
      ["09:00", "12:30"],
      ["13:30", "17:00"],
    ],
  ]),
);

const FIRST = ["Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy", "Leo", "Grace", "Arthur", "Freya", "Muhammad", "Lily", "Oscar", "Sophia", "Charlie", "Evie"];
const LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Clarke"];
const TYPES = ["consultation", "follow-up", "check-up", "vaccination", "review"];
const REASONS = ["Persistent cough", "Blood pressure review", "Skin rash", "Annual check-up", "Medication review", "Back pain", "Vaccination", "Headaches", "Test results", "Sore throat"];

/** PBKDF2-SHA256, 100k iterations, 16-byte salt: the format of worker/auth/passwords.ts. */
export function hashPassword(password) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, 100_000, 32, "sha256");
  return `pbkdf2-sha256$100000$${salt.toString("base64")}$${hash.toString("base64")}`;
}


const p2 = (n) => String(n).padStart(2, "0");
/** Local wall time in the demo zone → UTC ms, by the Worker's own zone maths (same DST handling). */
function localToUtc(y, m, d, hh, mm) {
  return zoneLocalToUtc(DEMO_ZONE, `${y}-${p2(m)}-${p2(d)}`, `${p2(hh)}:${p2(mm)}`);
}
/** Today's date in the demo zone as [y, m, d]. */
function localToday(now) {
  const w = new Date(wallMsAt(DEMO_ZONE, now));
  return [w.getUTCFullYear(), w.getUTCMonth() + 1, w.getUTCDate()];
}
const sqlStr = (v) => (v === null || v === undefined ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const insert = (table, row) =>
  `INSERT OR IGNORE INTO ${table} (${Object.keys(row).join(", ")}) VALUES (${Object.values(row).map(sqlStr).join(", ")});`;

/** The whole demo as SQL statements, relative to `now`. */
export function demoSql(now = Date.now()) {
  const out = [];
  const rand = mulberry32(20260105); // the demo looks the same on every machine
  out.push(
    insert("clinics", {
      id: DEMO_CLINIC_ID,
      name: "ACMS Demo Clinic",
      time_zone: DEMO_ZONE,
      address: "221B Baker Street, London NW1 6XE",
      domain: DOMAIN,
      created_at: now,
    }),
  );
  const users = DEMO_USERS.map((u) => ({ ...u, id: idOf(`user:${u.key}`) }));
  for (const u of users) {
    out.push(
      insert("users", {
        id: u.id,
        clinic_id: DEMO_CLINIC_ID,
        email: u.email,
        name: u.name,
        password_hash: hashPassword(DEMO_PASSWORD),
        role: u.role,
        disabled: 0,
        created_at: now,
        updated_at: now,
      }),
    );
  }
  const doctors = users
    .filter((u) => u.role === "doctor")
    .map((u) => ({ id: idOf(`doctor:${u.key}`), userId: u.id, name: u.name, specialty: u.specialty, color: u.color }));
  for (const d of doctors) {
    out.push(
      insert("doctors", {
        id: d.id,
        clinic_id: DEMO_CLINIC_ID,
        user_id: d.userId,
        name: d.name,
        specialty: d.specialty,
        color: d.color,
        slot_minutes: 30,
        working_hours: JSON.stringify(WORKING_HOURS),
        active: 1,
        created_at: now,
        updated_at: now,
      }),
    );
  }
  const patients = FIRST.map((first, i) => {
    const name = `${first} ${LAST[i]}`;
    const phone = `+44 7700 900${String(100 + i * 7).padStart(3, "0")}`;
    return {
      id: idOf(`patient:${i}`),
      name,
      phone,
      email: `${first}.${LAST[i]}@mail.example`.toLowerCase(),
      dob: `${1950 + ((i * 7) % 60)}-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 27) + 1).padStart(2, "0")}`,
    };
  });
  for (const p of patients) {
    // Search terms: each word of the name, as worker/patients/terms.ts writes them.
    for (const term of new Set(p.name.toLowerCase().split(/\s+/).flatMap((w) => [w, ...(w.includes("-") ? w.split("-") : [])]).filter(Boolean)))
      out.push(insert("patient_terms", { clinic_id: DEMO_CLINIC_ID, term, patient_id: p.id }));
    out.push(
      insert("patients", {
        id: p.id,
        clinic_id: DEMO_CLINIC_ID,
        name: p.name,
        name_lc: p.name.toLowerCase(),
        phone: p.phone,
        phone_digits: p.phone.replace(/\D/g, ""),
        email: p.email,
        date_of_birth: p.dob,
        created_at: now,
        updated_at: now,
      }),
    );
  }

  // Appointments: every working day from the Monday three weeks ago to two weeks ahead.
  const reception = users.find((u) => u.key === "reception");
  const [ty, tm, td] = localToday(now);
  const todayUtc = Date.UTC(ty, tm - 1, td);
  const isoDow = (ms) => ((new Date(ms).getUTCDay() + 6) % 7) + 1;
  const start = todayUtc - (isoDow(todayUtc) - 1) * 86_400_000 - 21 * 86_400_000;
  const end = todayUtc + 14 * 86_400_000;
  // Manual blocked times: a training afternoon and a day of leave, both next week
  // (appointments are generated around them).
  const nextMon = todayUtc + (8 - isoDow(todayUtc)) * 86_400_000;
  const ymd = (ms) => {
    const x = new Date(ms);
    return [x.getUTCFullYear(), x.getUTCMonth() + 1, x.getUTCDate()];
  };
  const wed = ymd(nextMon + 2 * 86_400_000);
  const fri = ymd(nextMon + 4 * 86_400_000);
  const sat = ymd(nextMon + 5 * 86_400_000);
  const blocks = [
    { doctor: doctors[0], label: "Training", start: localToUtc(...wed, 14, 0), end: localToUtc(...wed, 16, 0), allDay: 0 },
    { doctor: doctors[1], label: "Annual leave", start: localToUtc(...fri, 0, 0), end: localToUtc(...sat, 0, 0), allDay: 1 },
  ];
  const counts = {};
  let n = 0;
  for (let day = start; day <= end; day += 86_400_000) {
    const dow = String(isoDow(day));
    const ranges = WORKING_HOURS[dow];
    if (!ranges) continue;
    const dt = new Date(day);
    const [y, m, d] = [dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()];
    for (const doc of doctors) {
      for (const [s, e] of ranges) {
        const [sh, sm] = s.split(":").map(Number);
        const [eh, em] = e.split(":").map(Number);
        for (let min = sh * 60 + sm; min + 30 <= eh * 60 + em; min += 30) {
          if (rand() > 0.45) continue; // about 45% of slots booked
          const long = rand() < 0.15 && min + 60 <= eh * 60 + em;
          const startMs = localToUtc(y, m, d, Math.floor(min / 60), min % 60);
          const endMs = startMs + (long ? 60 : 30) * 60_000;
          if (blocks.some((b) => b.doctor === doc && b.start < endMs && startMs < b.end)) continue;
          if (long) min += 30;
          const past = endMs < now;
          const r = rand();
          const status = past
            ? r < 0.75 ? "completed" : r < 0.88 ? "no_show" : "cancelled"
            : r < 0.55 ? "scheduled" : r < 0.9 ? "confirmed" : "cancelled";
          counts[status] = (counts[status] ?? 0) + 1;
          const p = patients[Math.floor(rand() * patients.length)];
          const created = Math.min(now, startMs) - 7 * 86_400_000;
          out.push(
            insert("appointments", {
              id: idOf(`appt:${doc.id}:${startMs}`),
              clinic_id: DEMO_CLINIC_ID,
              doctor_id: doc.id,
              patient_id: p.id,
              patient_name: p.name, // denormalized display name (schema.ts)
              start_ms: startMs,
              end_ms: endMs,
              type: TYPES[Math.floor(rand() * TYPES.length)],
              reason: REASONS[Math.floor(rand() * REASONS.length)],
              status,
              notes: status === "no_show" ? "Did not attend; left a voicemail." : "",
              version: status === "scheduled" ? 1 : 2,
              created_by: reception.id,
              updated_by: reception.id,
              created_at: created,
              updated_at: status === "scheduled" ? created : Math.min(now, endMs),
            }),
          );
          n++;
        }
      }
    }
  }

  for (const b of blocks) {
    out.push(
      insert("blocked_times", {
        id: idOf(`block:${b.doctor.id}:${b.start}`),
        clinic_id: DEMO_CLINIC_ID,
        doctor_id: b.doctor.id,
        start_ms: b.start,
        end_ms: b.end,
        source: "manual",
        label: b.label,
        all_day: b.allDay,
        created_by: users[0].id,
        created_at: now,
        updated_at: now,
      }),
    );
  }
  out.push(
    insert("audit_log", {
      clinic_id: DEMO_CLINIC_ID,
      actor_user_id: null,
      actor_label: "system:seed",
      action: "clinic.seed",
      entity_type: "clinic",
      entity_id: DEMO_CLINIC_ID,
      summary: JSON.stringify({ after: { appointments: n, statuses: counts } }),
      at: now,
    }),
  );
  return { sql: out.join("\n") + "\n", appointments: n, statuses: counts };
}

/** Runs wrangler (found on PATH: npm scripts put node_modules/.bin first). */
function wrangler(args, opts = {}) {
  return execFileSync("wrangler", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts });
}

const persistArgs = (persistTo) => (persistTo ? ["--persist-to", persistTo] : []);

/** True when the demo clinic is already in the local database. */
export function demoExists(persistTo) {
  const out = wrangler(["d1", "execute", "acms", "--local", ...persistArgs(persistTo), "--json", "--command", `SELECT count(*) AS n FROM clinics WHERE id = '${DEMO_CLINIC_ID}'`]);
  const parsed = JSON.parse(out);
  return (parsed?.[0]?.results?.[0]?.n ?? 0) > 0;
}

/** Applies a SQL string to the local D1 through a temporary file. */
export function applySql(sql, persistTo) {
  const dir = mkdtempSync(path.join(tmpdir(), "acms-sql-"));
  const file = path.join(dir, "seed.sql");
  try {
    writeFileSync(file, sql);
    wrangler(["d1", "execute", "acms", "--local", ...persistArgs(persistTo), "--file", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seeds unless the demo clinic exists. Returns true when it seeded. */
export function seed({ persistTo, force = false } = {}) {
  if (!force && demoExists(persistTo)) return false;
  const { sql, appointments, statuses } = demoSql();
  applySql(sql, persistTo);
  console.log(`Seeded the demo clinic: ${DEMO_USERS.length} users, 3 doctors, 20 patients, ${appointments} appointments ${JSON.stringify(statuses)}, 2 blocked times.`);
  return true;
}

export function printLogins() {
  const w = Math.max(...DEMO_USERS.map((u) => u.email.length));
  console.log("\n  Demo log-ins (password for all: " + DEMO_PASSWORD + ")");
  for (const u of DEMO_USERS) console.log(`    ${u.email.padEnd(w)}  ${u.role}${u.role === "doctor" ? ` (${u.name})` : ""}`);
  console.log("");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--persist-to");
  const persistTo = at >= 0 ? args[at + 1] : undefined;
  if (args.includes("--print")) {
    process.stdout.write(demoSql().sql);
  } else {
    try {
      if (!seed({ persistTo, force: args.includes("--force") })) console.log("The demo clinic already exists; nothing to do.");
      printLogins();
    } catch (e) {
      console.error(e.stderr?.toString() || e.stdout?.toString() || e);
      process.exit(1);
    }
  }
}
