// A booking checks that its session is still live inside its own write batch (issue #18: no
// round trip before it). An ended session must still be refused with 401 and write nothing,
// whatever else would have been said about the booking, and even when the doctor's hub has
// everything it needs cached from an earlier booking of the same session.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { anon, authed, countRows, login, makeClinic } from "../../helpers";

const at = (hhmm: string) => `2026-01-05T${hhmm}:00.000Z`; // a Monday; hours 09–12, 13–17

async function setup() {
  const f = await makeClinic();
  const s = await login(f.receptionist.user.email);
  const api = authed(s.token);
  const d = f.doctors[0].doctor;
  // Warm the hub: settings and patient remembered, so the next booking is one batch.
  const first = await api.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") });
  expect(first.status).toBe(201);
  return { f, s, api, d };
}

const bookings = (doctorId: string) => countRows("appointments", "doctor_id = ?", doctorId);

describe("booking with an ended session", () => {
  it("after log-out: 401 'ended', nothing written (the warm hub's one-batch path)", async () => {
    const { s, api, d } = await setup();
    expect((await anon.post("/api/auth/logout", {}, { cookie: s.cookie! })).status).toBe(200);
    const r = await api.post("/api/appointments", { doctorId: d.id, patientId: (await firstPatient(d.id))!, start: at("10:00"), end: at("10:30") });
    expect(r.status).toBe(401);
    expect((await r.json<any>()).error).toMatchObject({ code: "unauthorized", message: expect.stringMatching(/ended/) });
    expect(await bookings(d.id)).toBe(1);
  });

  it("a disabled user gets 401 'disabled'; a role changed behind the token gets 401; nothing written", async () => {
    const { f, api, d } = await setup();
    const patientId = (await firstPatient(d.id))!;
    await env.DB.prepare("UPDATE users SET disabled = 1 WHERE id = ?").bind(f.receptionist.user.id).run();
    const r = await api.post("/api/appointments", { doctorId: d.id, patientId, start: at("10:00"), end: at("10:30") });
    expect(r.status).toBe(401);
    expect((await r.json<any>()).error.message).toMatch(/disabled/);
    await env.DB.prepare("UPDATE users SET disabled = 0, role = 'doctor' WHERE id = ?").bind(f.receptionist.user.id).run();
    expect((await api.post("/api/appointments", { doctorId: d.id, patientId, start: at("10:00"), end: at("10:30") })).status).toBe(401);
    expect(await bookings(d.id)).toBe(1);
  });

  it("says 401, not the booking's own refusal (outside hours, slot taken, unknown patient), once the session ended", async () => {
    const { s, api, d } = await setup();
    const patientId = (await firstPatient(d.id))!;
    // While live, the refusals are the booking's own.
    expect((await api.post("/api/appointments", { doctorId: d.id, patientId, start: at("09:00"), end: at("09:30") })).status).toBe(409);
    expect((await api.post("/api/appointments", { doctorId: d.id, patientId, start: at("12:00"), end: at("12:30") })).status).toBe(422);
    await anon.post("/api/auth/logout", {}, { cookie: s.cookie! });
    for (const b of [
      { doctorId: d.id, patientId, start: at("09:00"), end: at("09:30") },
      { doctorId: d.id, patientId, start: at("12:00"), end: at("12:30") },
      { doctorId: d.id, patientId: "f".repeat(32), start: at("10:00"), end: at("10:30") },
    ])
      expect((await api.post("/api/appointments", b)).status).toBe(401);
    expect(await bookings(d.id)).toBe(1);
  });
});

async function firstPatient(doctorId: string) {
  return (await env.DB.prepare("SELECT patient_id FROM appointments WHERE doctor_id = ? LIMIT 1").bind(doctorId).first<{ patient_id: string }>())?.patient_id;
}
