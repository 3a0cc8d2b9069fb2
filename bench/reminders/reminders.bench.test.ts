// Reminder benchmark (workerd, in-process Twilio emulator; run by bench/reminders.bench.mjs).
//  1. N appointments over 50 doctors, every reminder due in the same minute: all 50 hubs' alarms
//     fire at once → wall time until every reminder is sent (target: within the minute), and
//     no message sent twice.
//  2. Cost per reminder in D1 rows read/written, measured on one doctor's drain through a
//     counting D1 wrapper, against a baseline measured in the same run: the bare minimum of one
//     indexed read of the row + one write marking it sent. Targets (issue #18): ≤ 4 read, ≤ 3
//     written per reminder (one decimal, as the issue counts; a drain run adds 3 reads of its
//     own: clinic + doctor once, and the index entry that ends the due range). The rows per
//     statement are printed so a regression shows where it comes from.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { TwilioEmulator } from "../../test/fakes/twilio/emulator";
import { installTwilioEmulator } from "../../test/fakes/twilio/router";
import { makeClinic, makeDoctor, makePatient } from "../../test/helpers";
import type { Env } from "../../worker/env";
import { newId } from "../../worker/ids";
import { drainReminders } from "../../worker/reminders/send";

declare module "vitest" {
  export interface ProvidedContext {
    reminderBenchN: number;
  }
}
const N = inject("reminderBenchN") ?? 10_000;
const DOCTORS = 50;
const twilio = new TwilioEmulator("AC00000000000000000000000000000001", "twilio-test-auth-token", "+15005550006", "https://acms.test/api/webhooks/twilio/sms");
let uninstall: () => void;
beforeAll(() => (uninstall = installTwilioEmulator(twilio)));
afterAll(() => uninstall());

/** Seeds `count` appointments per doctor (2 h ahead, back to back) each with one SMS reminder due now. */
async function seed(clinicId: string, doctorIds: string[], patientId: string, count: number, dueAt: number) {
  const start0 = Date.now() + 2 * 3600_000;
  const rows: unknown[][] = [];
  for (const d of doctorIds)
    for (let i = 0; i < count; i++) {
      const id = newId();
      const s = start0 + i * 15 * 60_000;
      rows.push([id, clinicId, d, patientId, s, s + 15 * 60_000, newId(), dueAt]);
    }
  // Bulk insert through json_each: one statement per 500 rows.
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = JSON.stringify(rows.slice(i, i + 500));
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, status, version, created_by, updated_by)
         SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, 'Bench Patient', j.value->>4, j.value->>5, 'consultation', 'scheduled', 1, 'bench', 'bench' FROM json_each(?) j`,
      ).bind(chunk),
      env.DB.prepare(
        `INSERT INTO reminders (id, clinic_id, appointment_id, doctor_id, channel, offset_minutes, start_ms, end_ms, due_at, state, attempts, created_at, to_address)
         SELECT j.value->>6, ?, j.value->>0, j.value->>2, 'sms', 120, j.value->>4, j.value->>5, j.value->>7, 'pending', 0, 0, '+447700900999' FROM json_each(?) j`,
      ).bind(clinicId, chunk),
    ]);
  }
}

/** A D1 wrapper that adds up rows read/written of every statement (first() goes through all() for its meta). */
function countingD1(d1: D1Database) {
  const t = { read: 0, written: 0, queries: 0 };
  /** Rows per statement (its first words), to see where the cost is. */
  const by = new Map<string, { read: number; written: number; n: number }>();
  const add = (m: { rows_read?: number; rows_written?: number } | undefined, q = "?") => {
    t.read += m?.rows_read ?? 0;
    t.written += m?.rows_written ?? 0;
    t.queries++;
    const k = q.replace(/\s+/g, " ").slice(0, 60);
    const e = by.get(k) ?? { read: 0, written: 0, n: 0 };
    e.read += m?.rows_read ?? 0;
    e.written += m?.rows_written ?? 0;
    e.n++;
    by.set(k, e);
  };
  const wrap = (s: D1PreparedStatement, q: string): D1PreparedStatement =>
    ({
      __inner: s,
      __q: q,
      bind: (...v: unknown[]) => wrap(s.bind(...v), q),
      async run() { const r = await s.run(); add(r.meta, q); return r; },
      async all() { const r = await s.all(); add(r.meta, q); return r; },
      async first(col?: string) { const r = await s.all(); add(r.meta, q); const row = r.results[0] as Record<string, unknown> | undefined; return row ? (col ? row[col] : row) : null; },
      raw: s.raw.bind(s),
    }) as unknown as D1PreparedStatement;
  const db = {
    prepare: (q: string) => wrap(d1.prepare(q), q),
    async batch(stmts: D1PreparedStatement[]) {
      const inner = stmts as unknown as { __inner: D1PreparedStatement; __q: string }[];
      const r = await d1.batch(inner.map((x) => x.__inner));
      r.forEach((x, i) => add(x.meta, inner[i].__q));
      return r;
    },
    exec: d1.exec.bind(d1),
  } as unknown as D1Database;
  return { db, t, by };
}

it(`reminders: ${N} due in the same minute across ${DOCTORS} doctors`, async () => {
  const f = await makeClinic({ doctors: 0, patients: 0, name: "Bench Clinic" });
  const p = await makePatient(f.clinic.id, { phone: "+447700900999", email: "" });
  await env.DB.prepare("UPDATE patients SET sms_consent = 1 WHERE id = ?").bind(p.id).run();
  // No quiet hours: the bench runs at any hour, and SMS inside quiet hours are held (not sent).
  await env.DB.prepare("UPDATE clinics SET quiet_start_min = 0, quiet_end_min = 0 WHERE id = ?").bind(f.clinic.id).run();
  const doctors = await Promise.all(Array.from({ length: DOCTORS }, () => makeDoctor(f.clinic.id)));
  const ids = doctors.map((d) => d.doctor.id);
  const per = Math.ceil(N / DOCTORS);
  await seed(f.clinic.id, ids, p.id, per, Date.now() - 1000);
  twilio.messages.length = 0;

  // 1. Throughput: the 50 hubs' alarms fire together (kick = what the alarm does).
  const t0 = Date.now();
  await Promise.all(ids.map((id) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(id)).kick(id)));
  for (;;) {
    await Promise.all(ids.map((id) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(id)).idle()));
    const left = await env.DB.prepare("SELECT count(*) AS n FROM reminders WHERE clinic_id = ? AND state IN ('pending','sending')").bind(f.clinic.id).first<{ n: number }>();
    if (!left?.n) break;
    await new Promise((r) => setTimeout(r, 25)); // the hubs re-armed their alarms for the next batch
  }
  const wall = Date.now() - t0;
  const sent = twilio.messages.length;
  const dup = sent - new Set(twilio.messages.map((m) => m.body.match(/\/r\/([\w-]+)/)?.[1])).size;

  // 2. Cost per reminder on one more doctor (200 reminders) through the counting wrapper.
  const extra = await makeDoctor(f.clinic.id);
  await seed(f.clinic.id, [extra.doctor.id], p.id, 200, Date.now() - 1000);
  const c = countingD1(env.DB);
  const cenv = { ...env, DB: c.db } as Env;
  for (let next: number | null = 0; next !== null && next <= Date.now(); ) next = await drainReminders(cenv, extra.doctor.id);
  const perRead = c.t.read / 200;
  const perWritten = c.t.written / 200;

  // Baseline in the same run, on 200 more due rows of another doctor: one indexed read of a due row + one UPDATE per reminder.
  const baseDoctor = await makeDoctor(f.clinic.id);
  await seed(f.clinic.id, [baseDoctor.doctor.id], p.id, 200, Date.now() - 1000);
  const b = countingD1(env.DB);
  const rowsB = (await b.db.prepare("SELECT id FROM reminders INDEXED BY reminders_pending_idx WHERE doctor_id = ? AND state = 'pending' LIMIT 200").bind(baseDoctor.doctor.id).all<{ id: string }>()).results;
  for (const r of rowsB) await b.db.prepare("UPDATE reminders SET state = 'sent' WHERE id = ?").bind(r.id).run();
  const baseRead = b.t.read / rowsB.length;
  const baseWritten = b.t.written / rowsB.length;

  const rows = [
    ["reminders sent", `${sent} of ${per * DOCTORS}`, "all", sent === per * DOCTORS ? "PASS" : "FAIL"],
    ["sent twice", String(dup), "0", dup === 0 ? "PASS" : "FAIL"],
    ["wall time, all due in one minute", `${(wall / 1000).toFixed(1)} s (${Math.round(sent / (wall / 1000))}/s)`, "< 60 s", wall < 60_000 ? "PASS" : "FAIL"],
    ["D1 rows read per reminder", `${perRead.toFixed(2)} (baseline ${baseRead.toFixed(1)}, ${(perRead / baseRead).toFixed(1)}x)`, "<= 4", Math.round(perRead * 10) / 10 <= 4 ? "PASS" : "FAIL"],
    ["D1 rows written per reminder", `${perWritten.toFixed(2)} (baseline ${baseWritten.toFixed(1)}, ${(perWritten / Math.max(baseWritten, 0.001)).toFixed(1)}x)`, "<= 3", Math.round(perWritten * 10) / 10 <= 3 ? "PASS" : "FAIL"],
    ["D1 queries per reminder", (c.t.queries / 200).toFixed(1), "info", ""],
  ];
  console.log(`\nReminder bench (N=${per * DOCTORS}, ${DOCTORS} doctors, in-process Twilio emulator)\n` + ["metric | value | target | result", ...rows.map((r) => r.join(" | "))].join("\n"));
  console.log("Rows per statement (one doctor, 200 reminders):\n" + [...c.by].map(([q, e]) => `${e.n}× ${q}… read ${e.read} written ${e.written}`).join("\n"));
  expect(sent).toBe(per * DOCTORS);
  expect(dup).toBe(0);
});
