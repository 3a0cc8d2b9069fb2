import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authed, makeClinic } from "../helpers";

const everyDay = (ranges: [string, string][]) => Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, ranges]));

describe("GET /api/availability", () => {
  it("gives free slots in the clinic's zone across the spring DST change, minus appointments and blocked time", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin", doctors: [{ workingHours: everyDay([["09:00", "12:00"]]), slotMinutes: 30 }] });
    const d = f.doctors[0].doctor;
    const api = authed(f.tokens.receptionist);
    const q = `/api/availability?doctorId=${d.id}&from=2026-03-28&to=2026-03-30`;
    const before = await (await api.get(q)).json<any>();
    expect(before.timeZone).toBe("Europe/Berlin");
    expect(before.slotMinutes).toBe(30);
    const starts = before.slots.map((s: any) => s.start);
    // 6 slots a day; 09:00 local is 08:00Z in CET (Sat) and 07:00Z in CEST (Sun, Mon).
    expect(starts).toHaveLength(18);
    expect(starts.filter((s: string) => s.startsWith("2026-03-28"))[0]).toBe("2026-03-28T08:00:00.000Z");
    expect(starts.filter((s: string) => s.startsWith("2026-03-29"))[0]).toBe("2026-03-29T07:00:00.000Z");
    expect(starts.filter((s: string) => s.startsWith("2026-03-29")).at(-1)).toBe("2026-03-29T09:30:00.000Z");
    expect(starts.filter((s: string) => s.startsWith("2026-03-30"))[0]).toBe("2026-03-30T07:00:00.000Z");

    // Book Sunday 10:00–10:30 CEST; block Monday 09:00–10:00 CEST; a cancelled booking frees its slot again.
    const b1 = await api.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: "2026-03-29T08:00:00Z", end: "2026-03-29T08:30:00Z" });
    expect(b1.status).toBe(201);
    const b2 = await api.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: "2026-03-28T10:00:00Z", end: "2026-03-28T10:30:00Z" });
    const a2 = (await b2.json<any>()).appointment;
    expect((await api.post(`/api/appointments/${a2.id}/cancel`, { version: 1 })).status).toBe(200);
    const bl = await api.post("/api/blocked-times", { doctorId: d.id, start: "2026-03-30T07:00:00Z", end: "2026-03-30T08:00:00Z", label: "Team meeting" });
    expect(bl.status).toBe(201);

    const after = await (await api.get(q)).json<any>();
    const afterStarts = after.slots.map((s: any) => s.start);
    expect(afterStarts).toHaveLength(15);
    expect(afterStarts).not.toContain("2026-03-29T08:00:00.000Z");
    expect(afterStarts).not.toContain("2026-03-30T07:00:00.000Z");
    expect(afterStarts).not.toContain("2026-03-30T07:30:00.000Z");
    expect(afterStarts).toContain("2026-03-28T10:00:00.000Z");
    expect(new Set(afterStarts)).toEqual(new Set(starts.filter((s: string) => !["2026-03-29T08:00:00.000Z", "2026-03-30T07:00:00.000Z", "2026-03-30T07:30:00.000Z"].includes(s))));
  });

  it("handles the autumn change in New York and a slot length override", async () => {
    const f = await makeClinic({ timeZone: "America/New_York", doctors: [{ workingHours: everyDay([["08:00", "10:00"]]), slotMinutes: 60 }] });
    const d = f.doctors[0].doctor;
    const r = await (await authed(f.tokens.admin).get(`/api/availability?doctorId=${d.id}&from=2026-10-31&to=2026-11-01`)).json<any>();
    expect(r.slots).toEqual([
      { start: "2026-10-31T12:00:00.000Z", end: "2026-10-31T13:00:00.000Z" }, // EDT
      { start: "2026-10-31T13:00:00.000Z", end: "2026-10-31T14:00:00.000Z" },
      { start: "2026-11-01T13:00:00.000Z", end: "2026-11-01T14:00:00.000Z" }, // EST
      { start: "2026-11-01T14:00:00.000Z", end: "2026-11-01T15:00:00.000Z" },
    ]);
    const r2 = await (await authed(f.tokens.admin).get(`/api/availability?doctorId=${d.id}&from=2026-11-01&to=2026-11-01&slotMinutes=45`)).json<any>();
    expect(r2.slotMinutes).toBe(45);
    expect(r2.slots.map((s: any) => s.start)).toEqual(["2026-11-01T13:00:00.000Z", "2026-11-01T13:45:00.000Z"]);
  });

  it("answers 404 for another clinic's doctor and 422 for bad ranges", async () => {
    const f = await makeClinic();
    const other = await makeClinic();
    const api = authed(f.tokens.receptionist);
    expect((await api.get(`/api/availability?doctorId=${other.doctors[0].doctor.id}&from=2026-01-05&to=2026-01-06`)).status).toBe(404);
    const d = f.doctors[0].doctor.id;
    for (const qs of ["from=2026-01-06&to=2026-01-05", "from=2026-02-30&to=2026-03-01", "from=2026-01-01&to=2026-06-01", "from=2026-01-01", `from=2026-01-01&to=2026-01-02&x=1`]) {
      expect([qs, (await api.get(`/api/availability?doctorId=${d}&${qs}`)).status]).toEqual([qs, 422]);
    }
    expect((await authed(null).get(`/api/availability?doctorId=${d}&from=2026-01-05&to=2026-01-06`)).status).toBe(401);
  });
});

describe("blocked times", () => {
  it("creates, lists and deletes manual blocks; blocks booking; doctors only their own; external ones can't be deleted", async () => {
    const f = await makeClinic();
    const [d1, d2] = f.doctors;
    const doc1 = authed(d1.token);
    const res = await doc1.post("/api/blocked-times", { doctorId: d1.doctor.id, start: "2026-01-05T09:00:00Z", end: "2026-01-05T10:00:00Z", label: "Admin time" });
    expect(res.status).toBe(201);
    const bt = (await res.json<any>()).blockedTime;
    expect(bt).toMatchObject({ doctorId: d1.doctor.id, source: "manual", label: "Admin time", allDay: false, start: "2026-01-05T09:00:00.000Z" });
    expect((await doc1.post("/api/blocked-times", { doctorId: d2.doctor.id, start: "2026-01-05T09:00:00Z", end: "2026-01-05T10:00:00Z" })).status).toBe(403);
    expect((await doc1.post("/api/blocked-times", { doctorId: d1.doctor.id, start: "2026-01-05T09:00:00Z", end: "2026-01-05T08:00:00Z" })).status).toBe(422);

    const rec = authed(f.tokens.receptionist);
    const booking = await rec.post("/api/appointments", { doctorId: d1.doctor.id, patientId: f.patients[0].id, start: "2026-01-05T09:30:00Z", end: "2026-01-05T10:00:00Z" });
    expect(booking.status).toBe(409);
    expect((await booking.json<any>()).error.code).toBe("blocked_time");

    const list = await (await rec.get(`/api/blocked-times?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z`)).json<any>();
    expect(list.blockedTimes).toEqual([bt]);
    const other = await makeClinic();
    expect(await (await authed(other.tokens.admin).get(`/api/blocked-times?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z`)).json()).toEqual({ blockedTimes: [] });
    expect((await authed(other.tokens.admin).delete(`/api/blocked-times/${bt.id}`)).status).toBe(404);
    expect((await authed(d2.token).delete(`/api/blocked-times/${bt.id}`)).status).toBe(403);
    expect((await rec.delete(`/api/blocked-times/${bt.id}`)).status).toBe(200);
    expect((await rec.post("/api/appointments", { doctorId: d1.doctor.id, patientId: f.patients[0].id, start: "2026-01-05T09:30:00Z", end: "2026-01-05T10:00:00Z" })).status).toBe(201);

    // Busy time imported from Google is listed, blocks booking, and is not deletable here.
    const extId = "e".repeat(31) + "1";
    await env.DB.prepare(
      "INSERT INTO blocked_times (id, clinic_id, doctor_id, start_ms, end_ms, source, label, created_by) VALUES (?, ?, ?, ?, ?, 'google', 'Busy', 'system:google-sync')",
    )
      .bind(extId, f.clinic.id, d1.doctor.id, Date.parse("2026-01-06T09:00:00Z"), Date.parse("2026-01-06T17:00:00Z"))
      .run();
    const del = await authed(f.tokens.admin).delete(`/api/blocked-times/${extId}`);
    expect(del.status).toBe(409);
    expect((await del.json<any>()).error.code).toBe("external_blocked_time");
    const slots = await (await rec.get(`/api/availability?doctorId=${d1.doctor.id}&from=2026-01-06&to=2026-01-06`)).json<any>();
    expect(slots.slots).toEqual([]);
  });
});
