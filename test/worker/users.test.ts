// Staff accounts: an admin creates and disables them; disabling cuts access at once.
import { describe, expect, it } from "vitest";
import { authed, countRows, env, login, makeClinic } from "../helpers";

describe("users (admin)", () => {
  it("creates a receptionist who can then log in; the password hash never leaves the server", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const api = authed(f.tokens.admin);
    const email = `New.Staff-${crypto.randomUUID().slice(0, 6)}@Test.Example`;
    const res = await api.post("/api/users", { email, name: "New Staff", role: "receptionist", password: "a long enough password" });
    expect(res.status).toBe(201);
    const body = await res.json<any>();
    expect(body.user).toMatchObject({ email: email.toLowerCase(), name: "New Staff", role: "receptionist", disabled: false, doctorId: null });
    expect(JSON.stringify(body)).not.toMatch(/pbkdf2|password/i);
    const l = await login(email, "a long enough password");
    expect(l.res.status).toBe(200);
    expect(l.body.user).toMatchObject({ userId: body.user.id, clinicId: f.clinic.id, role: "receptionist" });
    expect(await countRows("audit_log", "entity_id = ? AND action = 'user.create'", body.user.id)).toBe(1);

    const list = await (await api.get("/api/users")).json<any>();
    expect(list.users.map((u: any) => u.id).sort()).toEqual([f.admin.user.id, f.receptionist.user.id, body.user.id].sort());
    expect(JSON.stringify(list)).not.toMatch(/pbkdf2|passwordHash/i);
  });

  it("creates a doctor account together with its doctor record", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const res = await authed(f.tokens.admin).post("/api/users", {
      email: `doc-${crypto.randomUUID().slice(0, 6)}@test.example`,
      name: "Dr New",
      role: "doctor",
      password: "a long enough password",
      doctor: { specialty: "Dermatology", slotMinutes: 20, workingHours: { "2": [["10:00", "14:00"]] } },
    });
    expect(res.status).toBe(201);
    const body = await res.json<any>();
    expect(body.doctor).toMatchObject({ name: "Dr New", specialty: "Dermatology", slotMinutes: 20, workingHours: { "2": [["10:00", "14:00"]] }, userId: body.user.id });
    expect(body.user.doctorId).toBe(body.doctor.id);
    const l = await login(body.user.email, "a long enough password");
    expect(l.body.user.doctorId).toBe(body.doctor.id);
    const docs = await (await authed(f.tokens.receptionist).get("/api/doctors")).json<any>();
    expect(docs.doctors.map((d: any) => d.id)).toEqual([body.doctor.id]);
  });

  it("refuses a duplicate e-mail (409 email_taken) and writes nothing", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const other = await makeClinic({ doctors: 0, patients: 0 });
    const before = await countRows("users");
    const res = await authed(f.tokens.admin).post("/api/users", { email: other.admin.user.email.toUpperCase(), name: "Dup", role: "admin", password: "a long enough password" });
    expect(res.status).toBe(409);
    expect((await res.json<any>()).error.code).toBe("email_taken");
    expect(await countRows("users")).toBe(before);
  });

  it("disabling a user cuts their session at once and refuses their log-in; re-enabling allows a new log-in", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const api = authed(f.tokens.admin);
    const staff = authed(f.tokens.receptionist);
    expect((await staff.get("/api/patients")).status).toBe(200);
    const res = await api.patch(`/api/users/${f.receptionist.user.id}`, { disabled: true });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).user.disabled).toBe(true);
    const after = await staff.get("/api/patients");
    expect(after.status).toBe(401);
    expect((await after.json<any>()).error.code).toBe("unauthorized");
    expect((await login(f.receptionist.user.email)).res.status).toBe(401);
    expect(await countRows("audit_log", "entity_id = ? AND action = 'user.disable'", f.receptionist.user.id)).toBe(1);

    // Re-enabling lets them log in again; the sessions that disabling ended stay ended (issue #8).
    expect((await api.patch(`/api/users/${f.receptionist.user.id}`, { disabled: false })).status).toBe(200);
    expect((await staff.get("/api/patients")).status).toBe(401);
    const again = await login(f.receptionist.user.email);
    expect((await authed(again.token).get("/api/patients")).status).toBe(200);
  });

  it("an admin cannot disable themself (409)", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const res = await authed(f.tokens.admin).patch(`/api/users/${f.admin.user.id}`, { disabled: true });
    expect(res.status).toBe(409);
    expect((await res.json<any>()).error.code).toBe("cannot_disable_self");
  });

  it("resets a password: the old one stops working, the new one works", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const res = await authed(f.tokens.admin).patch(`/api/users/${f.receptionist.user.id}`, { password: "brand new password 1" });
    expect(res.status).toBe(200);
    expect((await login(f.receptionist.user.email)).res.status).toBe(401);
    expect((await login(f.receptionist.user.email, "brand new password 1")).res.status).toBe(200);
    const a = await env.DB.prepare("SELECT summary FROM audit_log WHERE entity_id = ? AND action = 'user.update'").bind(f.receptionist.user.id).first<{ summary: string }>();
    expect(JSON.parse(a!.summary)).toMatchObject({ passwordReset: true });
    expect(a!.summary).not.toMatch(/pbkdf2|brand new/);
  });

  it("another clinic's user is a 404 and stays enabled", async () => {
    const a = await makeClinic({ doctors: 0, patients: 0 });
    const b = await makeClinic({ doctors: 0, patients: 0 });
    const res = await authed(a.tokens.admin).patch(`/api/users/${b.receptionist.user.id}`, { disabled: true });
    expect(res.status).toBe(404);
    expect((await authed(b.tokens.receptionist).get("/api/patients")).status).toBe(200);
  });
});

describe("clinic and audit", () => {
  it("GET /api/clinic returns the caller's clinic", async () => {
    const f = await makeClinic({ timeZone: "America/New_York", doctors: 0, patients: 0 });
    const res = await authed(f.tokens.receptionist).get("/api/clinic");
    expect(await res.json()).toEqual({ clinic: { id: f.clinic.id, name: f.clinic.name, timeZone: "America/New_York", address: f.clinic.address, domain: "acms.example", reminderMinutes: [1440, 60] } });
  });

  it("an admin edits the clinic's name and address; the change is audited", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const api = authed(f.tokens.admin);
    const res = await api.patch("/api/clinic", { address: "2 New Road" });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).clinic.address).toBe("2 New Road");
    const audit = await (await api.get(`/api/audit?entityType=clinic&entityId=${f.clinic.id}`)).json<any>();
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({
      action: "clinic.update",
      actorUserId: f.admin.user.id,
      actorLabel: f.admin.user.email,
      summary: { before: { address: f.clinic.address }, after: { address: "2 New Road" } },
    });
    expect(audit.entries[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("lists the clinic's audit entries newest first, paged, never another clinic's", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const other = await makeClinic({ doctors: 0, patients: 0 });
    const api = authed(f.tokens.admin);
    for (const name of ["P1", "P2", "P3"]) expect((await api.post("/api/patients", { name })).status).toBe(201);
    await authed(other.tokens.admin).post("/api/patients", { name: "Other" });
    const page1 = await (await api.get("/api/audit?limit=2")).json<any>();
    expect(page1.entries.map((e: any) => e.summary.after.name)).toEqual(["P3", "P2"]);
    const page2 = await (await api.get(`/api/audit?limit=2&before=${page1.nextBefore}`)).json<any>();
    expect(page2.entries.map((e: any) => e.summary.after.name)).toEqual(["P1"]);
    expect(page2.nextBefore).toBeNull();
    const byType = await (await api.get("/api/audit?entityType=patient")).json<any>();
    expect(byType.entries).toHaveLength(3);
  });

  it("an appointment's history (book, reschedule, cancel) is readable by an admin, in order, with who did it", async () => {
    const f = await makeClinic({ doctors: 1, patients: 1 });
    const rec = authed(f.tokens.receptionist);
    const slot = (h: string) => `2027-01-05T${h}:00.000Z`; // a Tuesday in working hours (London = UTC in winter)
    const created = await rec.post("/api/appointments", { doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, start: slot("09:00"), end: slot("09:30") });
    expect(created.status).toBe(201);
    const appt = (await created.json<any>()).appointment;
    const moved = await rec.patch(`/api/appointments/${appt.id}`, { version: 1, start: slot("10:00"), end: slot("10:30") });
    expect(moved.status).toBe(200);
    expect((await rec.post(`/api/appointments/${appt.id}/cancel`, { version: 2 })).status).toBe(200);

    const res = await authed(f.tokens.admin).get(`/api/audit?entityType=appointment&entityId=${appt.id}`);
    expect(res.status).toBe(200);
    const { entries } = await res.json<any>();
    expect(entries.map((e: any) => e.action)).toEqual(["appointment.cancel", "appointment.update", "appointment.create"]);
    for (const e of entries) expect(e).toMatchObject({ actorUserId: f.receptionist.user.id, actorLabel: f.receptionist.user.email, entityType: "appointment" });
    // A receptionist may not read the audit log, and another clinic's admin sees nothing of it.
    expect((await rec.get(`/api/audit?entityType=appointment&entityId=${appt.id}`)).status).toBe(403);
    const other = await makeClinic({ doctors: 0, patients: 0 });
    const foreign = await (await authed(other.tokens.admin).get(`/api/audit?entityType=appointment&entityId=${appt.id}`)).json<any>();
    expect(foreign.entries).toEqual([]);
  });
});
