// The staff waitlist API: hostile input is a clear 4xx with nothing written, clinics never see
// each other's entries, settings are admin-only, entries expire after their latest date.
import { describe, expect, it } from "vitest";
import { authed, countRows, makeClinic } from "../../helpers";

async function clinic() {
  const f = await makeClinic({ patients: [{ name: "Pat One", email: "one@mail.example" }] });
  return { f, desk: authed(f.tokens.receptionist), admin: authed(f.tokens.admin) };
}
const entry = (patientId: string, extra: Record<string, unknown> = {}) => ({
  patientId, doctorId: null, type: "consultation", earliestDate: "2030-01-01", latestDate: "2030-02-01", channel: "email", ...extra,
});

describe("waitlist API", () => {
  it("refuses bad input with 4xx and writes nothing", async () => {
    const { f, desk } = await clinic();
    const p = f.patients[0].id;
    const bad: [unknown, number][] = [
      [{ ...entry(p), latestDate: "2029-12-31" }, 422],
      [{ ...entry(p), earliestDate: "2030-02-30" }, 422],
      [{ ...entry(p), channel: "fax" }, 422],
      [{ ...entry(p), channel: "sms" }, 422], // no consent, no phone
      [{ ...entry(p), preferences: [{ days: [8], from: "09:00", to: "12:00" }] }, 422],
      [{ ...entry(p), preferences: [{ from: "15:00", to: "09:00" }] }, 422],
      [{ ...entry(p), preferences: Array.from({ length: 20 }, () => ({})) }, 422],
      [{ ...entry(p), type: "x".repeat(65) }, 422],
      [{ ...entry(p), note: "a\u202Eb" }, 422],
      [{ ...entry(p), extra: 1 }, 422],
      [{ ...entry("0".repeat(32)) }, 404],
      [{ ...entry(p), doctorId: "f".repeat(32) }, 404],
    ];
    for (const [body, status] of bad) {
      const r = await desk.post("/api/waitlist", body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect((await r.json<any>()).error.code).toBeTruthy();
    }
    const raw = await desk("/api/waitlist", { method: "POST", body: "{not json" });
    expect(raw.status).toBe(400);
    expect(await countRows("waitlist_entries", "clinic_id = ?", f.clinic.id)).toBe(0);
    expect((await desk.get("/api/waitlist?state=nope")).status).toBe(422);
    expect((await desk.patch("/api/waitlist/not-an-id", { priority: 1 })).status).toBe(404);
    expect((await desk.post("/api/waitlist/offer-slot", { doctorId: f.doctors[0].doctor.id, start: "2020-01-01T09:00:00Z", end: "2020-01-01T09:30:00Z" })).status).toBe(422);
    expect((await desk.post("/api/waitlist/offer-slot", { doctorId: f.doctors[0].doctor.id, start: "2030-01-01T09:00:00Z", end: "2030-01-02T09:30:00Z" })).status).toBe(422);
  });

  it("keeps clinics apart, and only an admin changes the rules", async () => {
    const a = await clinic();
    const b = await clinic();
    const made = await a.desk.post("/api/waitlist", entry(a.f.patients[0].id));
    expect(made.status).toBe(201);
    const id = (await made.json<any>()).entry.id;
    expect((await b.desk.get("/api/waitlist")).status).toBe(200);
    expect((await (await b.desk.get("/api/waitlist?state=all")).json<any>()).entries).toEqual([]);
    expect((await b.desk.patch(`/api/waitlist/${id}`, { state: "removed" })).status).toBe(404);
    expect((await b.desk.post("/api/waitlist", entry(a.f.patients[0].id))).status).toBe(404);
    expect((await a.desk.put("/api/waitlist/settings", { rescheduleLimit: 5 })).status).toBe(403);
    const saved = await a.admin.put("/api/waitlist/settings", { rescheduleLimit: 5, waitlistMode: "sequential", sensitiveTypes: ["Counselling"] });
    expect(saved.status).toBe(200);
    expect((await saved.json<any>()).settings).toMatchObject({ rescheduleLimit: 5, waitlistMode: "sequential", sensitiveTypes: ["Counselling"], selfReschedule: true, rescheduleDays: 14 });
    expect((await a.admin.put("/api/waitlist/settings", { waitlistMode: "lottery" })).status).toBe(422);
    expect((await a.admin.put("/api/waitlist/settings", {})).status).toBe(422);
    // Removing takes the patient off; the audit says who.
    const removed = await a.desk.patch(`/api/waitlist/${id}`, { state: "removed" });
    expect((await removed.json<any>()).entry.state).toBe("removed");
    expect(await countRows("audit_log", "action = 'waitlist.remove' AND entity_id = ?", a.f.patients[0].id)).toBe(1);
  });

  it("an entry past its latest date drops off the list; one booked by staff leaves it too", async () => {
    const { f, desk } = await clinic();
    const old = await desk.post("/api/waitlist", { ...entry(f.patients[0].id), earliestDate: "2020-01-01", latestDate: "2020-01-02" });
    expect(old.status).toBe(201);
    const soon = await desk.post("/api/waitlist", { ...entry(f.patients[0].id), earliestDate: "2030-01-01", latestDate: "2030-12-31", doctorId: f.doctors[0].doctor.id });
    const list = (await (await desk.get("/api/waitlist")).json<any>()).entries;
    expect(list.map((e: any) => e.id)).toEqual([(await soon.json<any>()).entry.id]);
    // Staff book the patient a consultation with that doctor: the entry is booked in the same batch.
    const booked = await desk.post("/api/appointments", { doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, start: "2030-01-07T10:00:00Z", end: "2030-01-07T10:30:00Z", type: "consultation" });
    expect(booked.status).toBe(201);
    expect((await (await desk.get("/api/waitlist")).json<any>()).entries).toEqual([]);
    const all = (await (await desk.get(`/api/waitlist?state=all&patientId=${f.patients[0].id}`)).json<any>()).entries;
    expect(all.map((e: any) => e.state).sort()).toEqual(["booked", "expired"]);
  });
});
