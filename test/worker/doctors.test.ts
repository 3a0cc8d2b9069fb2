// Doctors: listed for every staff member; working hours and slot length edited
// by an admin or by the doctor themself.
import { describe, expect, it } from "vitest";
import { DEFAULT_APPOINTMENT_TYPES } from "../../worker/doctors/fields";
import { authed, countRows, DEFAULT_WORKING_HOURS, env, makeClinic, makeUser } from "../helpers";

describe("doctors", () => {
  it("lists the clinic's active doctors in the contract shape, for every role", async () => {
    const f = await makeClinic({ doctors: [{ name: "Dr Beta", slotMinutes: 20 }, { name: "Dr Alpha" }] });
    await makeClinic({ doctors: [{ name: "Dr Elsewhere" }] });
    for (const token of [f.tokens.admin, f.tokens.receptionist, f.tokens.doctor]) {
      const res = await authed(token).get("/api/doctors");
      expect(res.status).toBe(200);
      const { doctors } = await res.json<any>();
      expect(doctors.map((d: any) => d.name)).toEqual(["Dr Alpha", "Dr Beta"]);
      expect(doctors[1]).toEqual({
        id: f.doctors[0].doctor.id,
        name: "Dr Beta",
        specialty: "General practice",
        color: "#3b82f6",
        slotMinutes: 20,
        workingHours: DEFAULT_WORKING_HOURS,
        userId: f.doctors[0].user.id,
        active: true,
        appointmentTypes: DEFAULT_APPOINTMENT_TYPES,
      });
    }
  });

  it("an admin creates a doctor (default hours), optionally linked to a doctor-role user", async () => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    const api = authed(f.tokens.admin);
    const plain = await api.post("/api/doctors", { name: "Dr Locum" });
    expect(plain.status).toBe(201);
    expect((await plain.json<any>()).doctor).toMatchObject({ name: "Dr Locum", slotMinutes: 30, userId: null, workingHours: { "1": [["09:00", "12:00"], ["13:00", "17:00"]] } });

    const docUser = await makeUser(f.clinic.id, "doctor");
    const linked = await api.post("/api/doctors", { name: "Dr Linked", userId: docUser.user.id, color: "#ff0000" });
    expect(linked.status).toBe(201);
    const d = (await linked.json<any>()).doctor;
    expect(d).toMatchObject({ userId: docUser.user.id, color: "#ff0000" });
    expect(await countRows("audit_log", "entity_id = ? AND action = 'doctor.create'", d.id)).toBe(1);
    // The same user cannot be linked twice.
    const again = await api.post("/api/doctors", { name: "Dr Twice", userId: docUser.user.id });
    expect(again.status).toBe(409);
    expect((await again.json<any>()).error.code).toBe("user_already_linked");
    // A receptionist account cannot be a doctor's log-in; another clinic's user is not found.
    const rec = await api.post("/api/doctors", { name: "Dr Rec", userId: f.receptionist.user.id });
    expect(rec.status).toBe(422);
    const foreign = await makeClinic({ doctors: 1, patients: 0 });
    const other = await makeUser(foreign.clinic.id, "doctor");
    expect((await api.post("/api/doctors", { name: "Dr Foreign", userId: other.user.id })).status).toBe(404);
  });

  it("a doctor edits their own working hours and slot length; the change is stored and audited", async () => {
    const f = await makeClinic({ doctors: 2 });
    const me = f.doctors[0];
    const hours = { "1": [["08:00", "12:00"]], "3": [["14:00", "18:30"]] };
    const res = await authed(me.token).patch(`/api/doctors/${me.doctor.id}`, { workingHours: hours, slotMinutes: 15 });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).doctor).toMatchObject({ workingHours: hours, slotMinutes: 15 });
    const row = await env.DB.prepare("SELECT working_hours, slot_minutes FROM doctors WHERE id = ?").bind(me.doctor.id).first<any>();
    expect(JSON.parse(row.working_hours)).toEqual(hours);
    expect(row.slot_minutes).toBe(15);
    const audit = await env.DB.prepare("SELECT actor_user_id, summary FROM audit_log WHERE entity_id = ? AND action = 'doctor.update'").bind(me.doctor.id).first<any>();
    expect(audit.actor_user_id).toBe(me.user.id);
    expect(JSON.parse(audit.summary)).toEqual({ before: { slotMinutes: 30, workingHours: DEFAULT_WORKING_HOURS }, after: { slotMinutes: 15, workingHours: hours } });
  });

  it("a doctor may not edit another doctor, nor their own name or active flag; a receptionist edits no doctor", async () => {
    const f = await makeClinic({ doctors: 2 });
    const [me, colleague] = f.doctors;
    const before = await countRows("audit_log", "entity_type = 'doctor'");
    expect((await authed(me.token).patch(`/api/doctors/${colleague.doctor.id}`, { slotMinutes: 15 })).status).toBe(403);
    expect((await authed(me.token).patch(`/api/doctors/${me.doctor.id}`, { name: "Dr Renamed" })).status).toBe(403);
    expect((await authed(me.token).patch(`/api/doctors/${me.doctor.id}`, { active: false })).status).toBe(403);
    expect((await authed(f.tokens.receptionist).patch(`/api/doctors/${me.doctor.id}`, { slotMinutes: 15 })).status).toBe(403);
    expect(await countRows("audit_log", "entity_type = 'doctor'")).toBe(before);
    const row = await env.DB.prepare("SELECT name, slot_minutes, active FROM doctors WHERE id = ?").bind(me.doctor.id).first<any>();
    expect(row).toEqual({ name: me.doctor.name, slot_minutes: 30, active: 1 });
  });

  it("refuses invalid working hours and slot lengths with 422 details", async () => {
    const f = await makeClinic({ doctors: 1 });
    const api = authed(f.tokens.admin);
    const id = f.doctors[0].doctor.id;
    const bad = [
      { workingHours: { "1": [["12:00", "09:00"]] } },
      { workingHours: { "1": [["09:00", "12:00"], ["11:00", "13:00"]] } },
      { workingHours: { "8": [["09:00", "12:00"]] } },
      { workingHours: { "1": [["9:00", "12:00"]] } },
      { workingHours: { "1": [["09:00", "25:00"]] } },
      { slotMinutes: 7 },
      { slotMinutes: 0 },
      { slotMinutes: 600 },
      { slotMinutes: "30" },
      { color: "blue" },
      {},
    ];
    for (const body of bad) {
      const res = await api.patch(`/api/doctors/${id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const err = (await res.json<any>()).error;
      expect(err.code).toBe("validation_failed");
      expect(Array.isArray(err.details)).toBe(true);
    }
    const row = await env.DB.prepare("SELECT working_hours, slot_minutes FROM doctors WHERE id = ?").bind(id).first<any>();
    expect(JSON.parse(row.working_hours)).toEqual(DEFAULT_WORKING_HOURS);
    expect(row.slot_minutes).toBe(30);
  });

  it("an admin deactivates a doctor: hidden from the list unless includeInactive", async () => {
    const f = await makeClinic({ doctors: 2 });
    const api = authed(f.tokens.admin);
    expect((await api.patch(`/api/doctors/${f.doctors[1].doctor.id}`, { active: false })).status).toBe(200);
    expect((await (await api.get("/api/doctors")).json<any>()).doctors.map((d: any) => d.id)).toEqual([f.doctors[0].doctor.id]);
    expect((await (await api.get("/api/doctors?includeInactive=true")).json<any>()).doctors).toHaveLength(2);
  });

  it("another clinic's doctor is a 404 for every role", async () => {
    const a = await makeClinic({ doctors: 1 });
    const b = await makeClinic({ doctors: 1 });
    const target = b.doctors[0].doctor.id;
    for (const token of [a.tokens.admin, a.tokens.receptionist, a.tokens.doctor]) {
      expect((await authed(token).get(`/api/doctors/${target}`)).status).toBe(404);
      expect((await authed(token).patch(`/api/doctors/${target}`, { slotMinutes: 15 })).status).toBe(404);
    }
  });
});
