// What the doctor's hub costs in D1 round trips after each booking (issue #18): its registered
// background work runs after every change, so for the common doctor (no calendar connected,
// nothing due) it must be one call, and one invite costs the same two calls as many.
// The work itself must still be done: the invite sent, the sync outbox row closed.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAppointment, type Caller } from "../../../worker/appointments/write";
import { setEmailSenderOverride, type OutgoingEmail } from "../../../worker/email/sender";
import { hubWork, runHubWork, type HubContext, type HubWork } from "../../../worker/hub/work";
import { countRows, makeClinic } from "../../helpers";
import { countingDb, rowsRead } from "../d1-counter";

let sent: OutgoingEmail[] = [];
beforeEach(() => {
  sent = [];
  setEmailSenderOverride(() => ({ send: async (m) => void sent.push(m) }));
});
afterEach(() => setEmailSenderOverride(null));

const DAY = 86_400_000;

/** Runs the hub's registered work once for the doctor, as its hub does; the D1 calls it made. */
async function runWork(doctorId: string, counted = countingDb(env.DB)) {
  const { db, count } = counted;
  const ctx: HubContext = { env: { ...env, DB: db }, doctorId, exclusive: (fn) => fn(), publish: async () => {}, publishMany: async () => {} };
  const failed: string[] = [];
  await runHubWork(ctx, hubWork(), (w, err) => failed.push(`${w.name}: ${err}`));
  expect(failed).toEqual([]);
  return count.trips;
}

describe("the hub's work after a booking", () => {
  it("costs one D1 call when nothing is due and two with invites to send, however many", async () => {
    const f = await makeClinic();
    const d = f.doctors[0].doctor;
    // Days ahead at 10:00 UTC, booked by an admin with the outside-hours override (any weekday
    // the test runs on): reminders planned, none due.
    const admin: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
    const book = (days: number, patient: number) => {
      const start = Math.floor(Date.now() / DAY + days) * DAY + 10 * 3600_000;
      return createAppointment(env, admin, { clinicId: f.clinic.id, doctorId: d.id, patientId: f.patients[patient].id, startMs: start, endMs: start + 1_800_000, allowOutsideHours: true }, { origin: "acms" });
    };
    expect((await book(2, 0)).ok).toBe(true);
    // No calendar connected: nothing was queued for one.
    expect(await countRows("sync_outbox", "doctor_id = ?", d.id)).toBe(0);
    // A row left from a calendar since disconnected is closed with the reason, in the same call.
    await env.DB.prepare("INSERT INTO sync_outbox (clinic_id, doctor_id, appointment_id, op, version) VALUES (?, ?, 'gone', 'upsert', 1)").bind(f.clinic.id, d.id).run();

    // One batch: the sync's integrations read and orphan outbox rows closed, and what the invite,
    // reminder and waitlist work find due (the invite leased with its parts); then its outcome.
    expect(await runWork(d.id)).toBe(2);
    expect(sent.map((m) => m.to)).toEqual([f.patients[0].email]);
    expect(await countRows("sync_outbox", "doctor_id = ? AND state = 'done' AND last_error = 'no calendar integration'", d.id)).toBe(1);
    expect(await countRows("email_outbox", "appointment_id IN (SELECT id FROM appointments WHERE doctor_id = ?) AND state = 'sent'", d.id)).toBe(1);
    // Its personal link is derived from the outbox row: nothing stored for it.
    expect(await countRows("patient_links", "appointment_id IN (SELECT id FROM appointments WHERE doctor_id = ?)", d.id)).toBe(0);

    // Nothing pending: one call for all of it.
    expect(await runWork(d.id)).toBe(1);

    // Two invites due at once: still two calls, both sent.
    expect((await book(3, 0)).ok).toBe(true);
    expect((await book(4, 1)).ok).toBe(true);
    expect(await runWork(d.id)).toBe(2);
    expect(sent.map((m) => m.to).sort()).toEqual([f.patients[0].email, f.patients[0].email, f.patients[1].email].sort());
  });
});

describe("the hub's work reads what is due, not the doctor's history", () => {
  it("sending one invite reads about as many rows for a doctor with 400 past appointments as for one with none", async () => {
    const f = await makeClinic();
    const d = f.doctors[0].doctor;
    const admin: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
    const bookAndSend = async (days: number) => {
      const start = Math.floor(Date.now() / DAY + days) * DAY + 10 * 3600_000;
      expect((await createAppointment(env, admin, { clinicId: f.clinic.id, doctorId: d.id, patientId: f.patients[0].id, startMs: start, endMs: start + 1_800_000, allowOutsideHours: true }, { origin: "acms" })).ok).toBe(true);
      const counted = countingDb(env.DB);
      await runWork(d.id, counted);
      return rowsRead(counted.count.statements);
    };
    const fresh = await bookAndSend(2);
    // 400 past appointments of this doctor (written with SQL: no invites of their own).
    await env.DB.prepare(
      `INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, start_ms, end_ms, type, status, created_by, updated_by)
       WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 399)
       SELECT lower(hex(randomblob(16))), ?1, ?2, ?3, ?4 - (i + 1) * ${DAY}, ?4 - (i + 1) * ${DAY} + 1800000, 'consultation', 'completed', 'x', 'x' FROM n`,
    )
      .bind(f.clinic.id, d.id, f.patients[1].id, Math.floor(Date.now() / DAY) * DAY)
      .run();
    const withHistory = await bookAndSend(3);
    expect(sent).toHaveLength(2);
    expect(withHistory).toBeLessThan(fresh + 50);
  });
});

describe("runHubWork", () => {
  const ctxOf = (db: D1Database): HubContext => ({ env: { ...env, DB: db }, doctorId: "d", exclusive: (fn) => fn(), publish: async () => {}, publishMany: async () => {} });
  const reader = (name: string, value: number, at: number | null): HubWork => ({
    name,
    reads: () => [env.DB.prepare("SELECT ? AS v").bind(value)],
    run: async (_ctx, read) => {
      expect((read![0].results[0] as { v: number }).v).toBe(value); // its own statement's result, not a neighbour's
      return at;
    },
  });

  it("gives each piece of work its own results from one shared batch; a failure stops none of the others", async () => {
    const { db, count } = countingDb(env.DB);
    const failed: string[] = [];
    const boom: HubWork = { name: "boom", run: async () => { throw new Error("provider down"); } };
    const next = await runHubWork(ctxOf(db), [boom, reader("a", 1, 5_000), reader("b", 2, null), reader("c", 3, 9_000)], (w) => failed.push(w.name));
    expect(failed).toEqual(["boom"]);
    expect(count.trips).toBe(1); // a, b and c: one batch; boom made none
    expect(next).toBe(5_000);
  });

  it("a failing shared batch fails each piece of its group, retried in a minute; work after the group still runs", async () => {
    const failed: string[] = [];
    const bad: HubWork = { name: "bad", reads: () => [env.DB.prepare("SELECT * FROM no_such_table")], run: async () => 1 };
    let ranAfter = false;
    const after: HubWork = { name: "after", run: async () => ((ranAfter = true), null) };
    const before = Date.now();
    const next = await runHubWork(ctxOf(env.DB), [reader("a", 1, null), bad, after], (w) => failed.push(w.name));
    expect(failed).toEqual(["a", "bad"]);
    expect(ranAfter).toBe(true);
    expect(next).toBeGreaterThanOrEqual(before + 60_000);
  });
});
