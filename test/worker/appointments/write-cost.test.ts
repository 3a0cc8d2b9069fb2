// What an appointment change's own D1 batch writes, in rows (D1 bills rows written; they are
// most of the bill per clinic: docs/performance.md). Measured from D1's meta through the real
// write path, for a doctor with no calendar of their own and a patient with e-mail and a
// reminder rule, as most of a clinic's bookings are.
import { describe, expect, it } from "vitest";
import { createAppointment, updateAppointment, type Caller } from "../../../worker/appointments/write";
import { countingDb, rowsWritten } from "../d1-counter";
import { countRows, env, makeClinic } from "../../helpers";

async function setup() {
  const f = await makeClinic({ timeZone: "UTC", doctors: 1, patients: [{ name: "Ada", email: "ada@mail.example" }] });
  // A booking of the same length already made: the doctor's longest-appointment bound is set
  // (the first booking of a doctor writes it once more).
  const staff: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
  const first = Date.now() + 3 * 86_400_000;
  const input = (startMs: number) => ({ clinicId: f.clinic.id, doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, startMs, endMs: startMs + 1_800_000, type: "consultation", allowOutsideHours: true });
  await createAppointment(env, staff, input(first), { origin: "acms" });
  const { db, count } = countingDb(env.DB);
  return { f, staff, input, e: { ...env, DB: db }, written: count.statements };
}

describe("an appointment change's rows written", () => {
  it("a booking: appointment 5, audit 3, invite 3, reminder 5, analytics 8; no sync outbox row", async () => {
    const s = await setup();
    const r = await createAppointment(s.e, s.staff, s.input(Date.now() + 5 * 86_400_000), { origin: "acms" });
    expect(r.ok).toBe(true);
    expect(rowsWritten(s.written, /^INSERT INTO "?sync_outbox/i)).toBe(0);
    expect(rowsWritten(s.written, /^INSERT INTO "?audit_log/i)).toBe(3);
    expect(rowsWritten(s.written, /^INSERT INTO "?email_outbox/i)).toBe(3);
    expect(rowsWritten(s.written)).toBeLessThanOrEqual(24);
  });

  it("a doctor with a calendar: the outbox row is 2 rows (row, pending index entry); closing it writes the row and the day's sync metrics", async () => {
    const s = await setup();
    const d = s.f.doctors[0];
    await env.DB.prepare("INSERT INTO calendar_integrations (id, clinic_id, user_id, doctor_id, provider, status) VALUES (?, ?, ?, ?, 'google', 'active')")
      .bind(crypto.randomUUID().replace(/-/g, ""), s.f.clinic.id, d.user.id, d.doctor.id)
      .run();
    const r = await createAppointment(s.e, s.staff, s.input(Date.now() + 5 * 86_400_000), { origin: "acms" });
    expect(r.ok).toBe(true);
    expect(rowsWritten(s.written, /^INSERT INTO "?sync_outbox/i)).toBe(2);
    // As the engine closes it once every provider has it (sync/outbound.ts); the trigger counts it for the day.
    const done = await env.DB.prepare("UPDATE sync_outbox SET state = 'done', updated_at = ? WHERE doctor_id = ? AND state = 'pending'").bind(Date.now(), d.doctor.id).run();
    expect(await countRows("sync_outbox", "doctor_id = ? AND state = 'done'", d.doctor.id)).toBe(1);
    expect(done.meta.rows_written).toBeLessThanOrEqual(3); // the row (it leaves the pending index) + the metrics row made and counted
  });

  it("a confirmation: no reminder or rollup row, only the appointment, audit, invite update and fact", async () => {
    const s = await setup();
    const r = await createAppointment(s.e, s.staff, s.input(Date.now() + 5 * 86_400_000), { origin: "acms" });
    if (!r.ok) throw new Error("booking refused");
    s.written.length = 0;
    const c = await updateAppointment(s.e, s.staff, s.f.clinic.id, r.appointment.id, { version: r.appointment.version, status: "confirmed" }, { origin: "acms" });
    expect(c.ok).toBe(true);
    expect(rowsWritten(s.written, /^(INSERT INTO|DELETE FROM|UPDATE) "?reminders/i)).toBe(0);
    expect(rowsWritten(s.written, /INSERT INTO analytics_(cube|heat)/)).toBe(0);
    expect(rowsWritten(s.written)).toBeLessThanOrEqual(12);
  });
});
