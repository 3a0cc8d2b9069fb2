// The small API pieces the admin and patient screens needed (issue 12): appointment types per
// doctor, doctor changes pushed live, patient notes and history, clinic zone and reminders.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authed, countRows, makeClinic } from "../helpers";

const at = (day: string, hhmm: string) => `${day}T${hhmm}:00.000Z`;

describe("doctors: appointment types", () => {
  it("every doctor has types with durations; an admin replaces them, a doctor may not", async () => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    const d = f.doctors[0].doctor;
    const admin = authed(f.tokens.admin);
    const before = await (await admin.get(`/api/doctors/${d.id}`)).json<any>();
    expect(before.doctor.appointmentTypes.length).toBeGreaterThan(0);
    expect(before.doctor.appointmentTypes[0]).toEqual({ name: "consultation", minutes: 30 });
    const types = [
      { name: "New patient", minutes: 45 },
      { name: "Review", minutes: 15 },
    ];
    const res = await admin.patch(`/api/doctors/${d.id}`, { appointmentTypes: types });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).doctor.appointmentTypes).toEqual(types);
    const list = await (await authed(f.tokens.receptionist).get("/api/doctors")).json<any>();
    expect(list.doctors[0].appointmentTypes).toEqual(types);
    expect((await authed(f.doctors[0].token).patch(`/api/doctors/${d.id}`, { appointmentTypes: [] })).status).toBe(403);
  });

  it.each([
    ["a duplicate name", [{ name: "A", minutes: 15 }, { name: "a", minutes: 30 }]],
    ["an odd duration", [{ name: "A", minutes: 17 }]],
    ["no name", [{ name: " ", minutes: 15 }]],
    ["a zero duration", [{ name: "A", minutes: 0 }]],
  ])("refuses %s with 422 and changes nothing", async (_, appointmentTypes) => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    const d = f.doctors[0].doctor;
    const res = await authed(f.tokens.admin).patch(`/api/doctors/${d.id}`, { appointmentTypes });
    expect(res.status).toBe(422);
    expect((await (await authed(f.tokens.admin).get(`/api/doctors/${d.id}`)).json<any>()).doctor.appointmentTypes[0].name).toBe("consultation");
  });
});

describe("doctors: live", () => {
  it("a doctor's own hours edit reaches a calendar subscribed to that doctor as a live 'doctor' change", async () => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    const d = f.doctors[0];
    const res = await exports.default.fetch("http://localhost/api/live", { headers: { upgrade: "websocket", authorization: `Bearer ${f.tokens.receptionist}` } });
    const ws = res.webSocket!;
    const inbox: any[] = [];
    ws.addEventListener("message", (e) => inbox.push(JSON.parse(e.data as string)));
    ws.accept();
    ws.send(JSON.stringify({ type: "subscribe", doctorIds: [d.doctor.id] }));
    await expect.poll(() => inbox.some((m) => m.type === "subscribed")).toBe(true);
    const hours = { "1": [["08:00", "12:00"], ["12:45", "16:00"]] };
    expect((await authed(d.token).patch(`/api/doctors/${d.doctor.id}`, { workingHours: hours, slotMinutes: 15 })).status).toBe(200);
    await expect.poll(() => inbox.find((m) => m.type === "change")?.change).toMatchObject({
      kind: "doctor",
      op: "updated",
      doctorId: d.doctor.id,
      record: { id: d.doctor.id, workingHours: hours, slotMinutes: 15 },
    });
    ws.close(1000, "bye");
  });
});

describe("patients: notes and history", () => {
  it("notes are saved and shown on the patient, not in search results; the audit says they changed, not what they say", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const api = authed(f.tokens.receptionist);
    const created = await (await api.post("/api/patients", { name: "Nora Notes", phone: "+44 1", notes: "Allergic to latex" })).json<any>();
    expect(created.patient.notes).toBe("Allergic to latex");
    const got = await (await api.get(`/api/patients/${created.patient.id}`)).json<any>();
    expect(got.patient.notes).toBe("Allergic to latex");
    const found = await (await api.get("/api/patients?q=nora")).json<any>();
    expect(found.patients[0]).not.toHaveProperty("notes");
    const patched = await (await api.patch(`/api/patients/${created.patient.id}`, { notes: "Latex allergy; wheelchair user" })).json<any>();
    expect(patched.patient.notes).toBe("Latex allergy; wheelchair user");
    const audit = await authed(f.tokens.admin).get(`/api/audit?entityType=patient&entityId=${created.patient.id}`);
    const text = JSON.stringify(await audit.json());
    expect(text).toContain("notesChanged");
    expect(text).not.toContain("wheelchair");
    expect((await api.patch(`/api/patients/${created.patient.id}`, { notes: "x".repeat(5001) })).status).toBe(422);
  });

  it("history lists the patient's appointments newest first, every status, only from the caller's clinic", async () => {
    const f = await makeClinic({ doctors: 1, patients: 2 });
    const api = authed(f.tokens.receptionist);
    const [p, other] = f.patients;
    const d = f.doctors[0].doctor;
    const a1 = await (await api.post("/api/appointments", { doctorId: d.id, patientId: p.id, start: at("2026-01-05", "09:00"), end: at("2026-01-05", "09:30") })).json<any>();
    const a2 = await (await api.post("/api/appointments", { doctorId: d.id, patientId: p.id, start: at("2026-01-06", "10:00"), end: at("2026-01-06", "10:30") })).json<any>();
    await api.post("/api/appointments", { doctorId: d.id, patientId: other.id, start: at("2026-01-07", "09:00"), end: at("2026-01-07", "09:30") });
    expect((await api.post(`/api/appointments/${a1.appointment.id}/cancel`, { version: a1.appointment.version })).status).toBe(200);
    const res = await api.get(`/api/patients/${p.id}/appointments`);
    expect(res.status).toBe(200);
    const h = await res.json<any>();
    expect(h.appointments.map((a: any) => [a.id, a.status])).toEqual([
      [a2.appointment.id, "scheduled"],
      [a1.appointment.id, "cancelled"],
    ]);
    expect(h.more).toBe(false);
    const older = await (await api.get(`/api/patients/${p.id}/appointments?before=${encodeURIComponent(at("2026-01-06", "00:00"))}`)).json<any>();
    expect(older.appointments.map((a: any) => a.id)).toEqual([a1.appointment.id]);
    const stranger = await makeClinic({ doctors: 0, patients: 0 });
    expect((await authed(stranger.tokens.receptionist).get(`/api/patients/${p.id}/appointments`)).status).toBe(404);
    expect((await api.get(`/api/patients/${p.id}/appointments?before=yesterday`)).status).toBe(422);
  });
});

describe("clinic: zone and reminder defaults", () => {
  it("an admin changes the time zone and the reminders; bad values are refused with nothing written", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const admin = authed(f.tokens.admin);
    const res = await admin.patch("/api/clinic", { timeZone: "America/New_York", reminderMinutes: [60, 1440] });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).clinic).toMatchObject({ timeZone: "America/New_York", reminderMinutes: [1440, 60] });
    const audits = await countRows("audit_log", "entity_id = ? AND action = 'clinic.update'", f.clinic.id);
    expect((await admin.patch("/api/clinic", { timeZone: "Nowhere/Land" })).status).toBe(422);
    expect((await admin.patch("/api/clinic", { reminderMinutes: [60, 60] })).status).toBe(422);
    expect((await admin.patch("/api/clinic", { reminderMinutes: [-5] })).status).toBe(422);
    expect((await authed(f.tokens.receptionist).patch("/api/clinic", { timeZone: "UTC" })).status).toBe(403);
    expect(await countRows("audit_log", "entity_id = ? AND action = 'clinic.update'", f.clinic.id)).toBe(audits);
    expect((await (await admin.get("/api/clinic")).json<any>()).clinic.timeZone).toBe("America/New_York");
  });
});
