// A booking from the doctor's hub is one D1 batch once the hub knows the doctor's settings and
// the patient (issue #18), and stays exactly as strict: the batch itself re-checks overlaps,
// blocked time and every remembered value, so a change made elsewhere is never missed.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BookingCache } from "../../../worker/appointments/booking-cache";
import { createAppointment, systemCaller, type Caller } from "../../../worker/appointments/write";
import { countRows, makeClinic } from "../../helpers";
import { countingDb } from "../d1-counter";


// Monday 2026-01-05, clinic Europe/London (UTC+0 in January), hours 09–12 and 13–17.
const at = (hhmm: string) => Date.parse(`2026-01-05T${hhmm}:00.000Z`);
const HALF = 30 * 60_000;

async function setup() {
  const f = await makeClinic();
  const d = f.doctors[0].doctor;
  const { db, count } = countingDb(env.DB);
  const cache = new BookingCache();
  const reception: Caller = { actor: { userId: f.receptionist.user.id, label: f.receptionist.user.email }, role: "receptionist", doctorId: null };
  const book = (hhmm: string, o: { patient?: number; caller?: Caller; allowOutsideHours?: boolean } = {}) =>
    createAppointment(
      { DB: db },
      o.caller ?? reception,
      { clinicId: f.clinic.id, doctorId: d.id, patientId: f.patients[o.patient ?? 0].id, startMs: at(hhmm), endMs: at(hhmm) + HALF, allowOutsideHours: o.allowOutsideHours },
      { origin: "acms", cache },
    );
  return { f, d, count, book };
}

describe("booking with the hub's cache", () => {
  it("is one D1 batch once the doctor and patient are known; overlaps and blocked time still refused with details", async () => {
    const { f, d, count, book } = await setup();
    expect((await book("09:00")).ok).toBe(true);
    expect(count.trips).toBe(2); // doctor + patient read, then the write batch
    count.trips = 0;
    expect((await book("09:30")).ok).toBe(true);
    expect(count.trips).toBe(1);

    const taken = await book("09:15");
    expect(taken.ok).toBe(false);
    expect(!taken.ok && taken.error.code).toBe("slot_taken");
    expect(!taken.ok && (taken.error.details as any).conflicts).toHaveLength(2);

    await env.DB.prepare("INSERT INTO blocked_times (id, clinic_id, doctor_id, start_ms, end_ms, source, label, created_by) VALUES (?, ?, ?, ?, ?, 'google', 'x', 'test')")
      .bind("b".repeat(32), f.clinic.id, d.id, at("10:00"), at("11:00"))
      .run();
    const blocked = await book("10:15");
    expect(!blocked.ok && blocked.error.code).toBe("blocked_time");
    expect(await countRows("appointments", "doctor_id = ?", d.id)).toBe(2);
  });

  it("sees working hours changed elsewhere at once (no invalidation message needed); the admin override still skips them", async () => {
    const { f, d, count, book } = await setup();
    expect((await book("09:00")).ok).toBe(true);
    // Another isolate (the doctors route) shortens the day to 09:00–10:00.
    await env.DB.prepare("UPDATE doctors SET working_hours = ? WHERE id = ?").bind(JSON.stringify({ 1: [["09:00", "10:00"]] }), d.id).run();
    const late = await book("14:00");
    expect(!late.ok && late.error.code).toBe("outside_working_hours");
    expect(await countRows("appointments", "doctor_id = ?", d.id)).toBe(1);
    // Refilled with the new hours: one batch again for the next booking inside them.
    expect((await book("09:30")).ok).toBe(true);
    count.trips = 0;
    const admin: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
    expect((await book("15:00", { caller: admin, allowOutsideHours: true })).ok).toBe(true);
    expect(count.trips).toBe(1);
  });

  it("uses the patient's current contact details and an inactive doctor's state, even when they changed after being remembered", async () => {
    const { f, d, book } = await setup();
    const first = await book("09:00", { patient: 1 });
    expect(first.ok).toBe(true);
    expect(await countRows("email_outbox", "appointment_id = ?", first.ok ? first.appointment.id : "")).toBe(1); // had an e-mail then
    await env.DB.prepare("UPDATE patients SET name = 'Renamed Person', email = '' WHERE id = ?").bind(f.patients[1].id).run();
    const r = await book("11:00", { patient: 1 });
    expect(r.ok && r.appointment.patientName).toBe("Renamed Person");
    // No e-mail any more: no invite queued for the second booking.
    expect(await countRows("email_outbox", "appointment_id = ?", r.ok ? r.appointment.id : "")).toBe(0);
    await env.DB.prepare("UPDATE doctors SET active = 0 WHERE id = ?").bind(d.id).run();
    const off = await book("13:00", { patient: 1 });
    expect(!off.ok && off.error.code).toBe("doctor_inactive");
  });

  it("without a cache (sync engines) keeps reading everything first", async () => {
    const { f, d } = await setup();
    const { db, count } = countingDb(env.DB);
    const r = await createAppointment({ DB: db }, systemCaller("test"), { clinicId: f.clinic.id, doctorId: d.id, patientId: f.patients[0].id, startMs: at("09:00"), endMs: at("09:30") }, { origin: "google" });
    expect(r.ok).toBe(true);
    expect(count.trips).toBe(2);
  });
});
