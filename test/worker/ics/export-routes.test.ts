import { icsFileName } from "../../../worker/ics/render";
import { describe, expect, it } from "vitest";
import { authed, makeClinic } from "../../helpers";
import { daysFromNow, insertAppointment, parseIcs, unfold } from "./fixtures";

describe("GET /api/appointments/:id/ical", () => {
  it("downloads one appointment as text/calendar with a file name, parsable, without notes or reason", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin", patients: [{ name: "Renée O'Brien, Jr.", email: "renee@mail.example" }] });
    const d = f.doctors[0].doctor;
    const p = f.patients[0];
    const id = await insertAppointment({ clinicId: f.clinic.id, doctorId: d.id, patientId: p.id, start: "2026-07-06T07:00:00Z", notes: "SECRET-NOTE", reason: "SECRET-REASON", status: "confirmed", version: 2 });
    const res = await authed(f.tokens.receptionist).get(`/api/appointments/${id}/ical`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="appointment-2026-07-06-${id.slice(0, 8)}.ics"`);
    const text = await res.text();
    expect(unfold(text)).not.toContain("SECRET");
    const ev = parseIcs(text).getFirstSubcomponent("vevent")!;
    expect(ev.getFirstPropertyValue("uid")).toBe(`${id}@acms.example`);
    expect(ev.getFirstPropertyValue("sequence")).toBe(1);
    expect(ev.getFirstPropertyValue("location")).toBe("1 Test Street");
    expect(String(ev.getFirstPropertyValue("summary"))).toContain("Renée O'Brien, Jr.");
    expect(text).toContain("DTSTART;TZID=Europe/Berlin:20260706T090000");
  });

  it("answers 404 for another clinic's appointment, 401 without a session", async () => {
    const a = await makeClinic();
    const b = await makeClinic();
    const id = await insertAppointment({ clinicId: a.clinic.id, doctorId: a.doctors[0].doctor.id, patientId: a.patients[0].id, start: daysFromNow(3) });
    expect((await authed(b.tokens.admin).get(`/api/appointments/${id}/ical`)).status).toBe(404);
    expect((await authed(null).get(`/api/appointments/${id}/ical`)).status).toBe(401);
    expect((await authed(a.tokens.admin).get(`/api/appointments/not-an-id/ical`)).status).toBe(404);
  });
});

describe("GET /api/appointments/export/ical", () => {
  it("exports a doctor's range with a status filter and is not shadowed by /api/appointments/:id", async () => {
    const f = await makeClinic();
    const [d1, d2] = f.doctors.map((x) => x.doctor);
    const p = f.patients[0];
    const keep = await insertAppointment({ clinicId: f.clinic.id, doctorId: d1.id, patientId: p.id, start: "2026-05-04T09:00:00Z", status: "confirmed" });
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d1.id, patientId: p.id, start: "2026-05-04T11:00:00Z", status: "cancelled" });
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d2.id, patientId: p.id, start: "2026-05-04T09:00:00Z", status: "confirmed" });
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d1.id, patientId: p.id, start: "2026-06-04T09:00:00Z", status: "confirmed" });
    const res = await authed(f.tokens.doctor).get(
      `/api/appointments/export/ical?doctorId=${d1.id}&from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z&status=scheduled,confirmed&privacy=busy`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="appointments-2026-05-01.ics"');
    const evs = parseIcs(await res.text()).getAllSubcomponents("vevent");
    expect(evs.map((e) => e.getFirstPropertyValue("uid"))).toEqual([`${keep}@acms.example`]);
    expect(evs[0].getFirstPropertyValue("summary")).toBe("Patient Appointment");
    // …and the core routes next to ours still answer: GET /api/appointments/:id is JSON.
    const core = await authed(f.tokens.doctor).get(`/api/appointments/${keep}`);
    expect(core.status).toBe(200);
    expect((await core.json<any>()).appointment.id).toBe(keep);
    expect((await authed(f.tokens.doctor).get(`/api/appointments/export`)).status).toBe(404);
  });

  it("refuses bad queries with 422 and field details", async () => {
    const f = await makeClinic();
    const api = authed(f.tokens.admin);
    const r1 = await api.get(`/api/appointments/export/ical?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z`);
    expect(r1.status).toBe(422);
    expect((await r1.json<any>()).error.details[0].path).toBe("to");
    const r2 = await api.get(`/api/appointments/export/ical?from=2026-05-01T00:00:00Z&to=2026-05-02T00:00:00Z&status=nope`);
    expect(r2.status).toBe(422);
    const r3 = await api.get(`/api/appointments/export/ical?from=2020-01-01T00:00:00Z&to=2026-05-02T00:00:00Z`);
    expect(r3.status).toBe(422);
  });
});

describe("GET /api/appointments/:id/add-links", () => {
  it("gives .ics, Google template and Outlook compose links with no patient name by default", async () => {
    const f = await makeClinic({ patients: [{ name: "Hidden Person" }] });
    const id = await insertAppointment({ clinicId: f.clinic.id, doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, start: "2026-05-04T09:00:00Z" });
    const res = await authed(f.tokens.receptionist).get(`/api/appointments/${id}/add-links`);
    expect(res.status).toBe(200);
    const { links } = await res.json<any>();
    expect(links.ics).toBe(`http://localhost:8787/api/appointments/${id}/ical?privacy=busy`);
    const g = new URL(links.google);
    expect(g.origin + g.pathname).toBe("https://calendar.google.com/calendar/render");
    expect(g.searchParams.get("action")).toBe("TEMPLATE");
    expect(g.searchParams.get("dates")).toBe("20260504T090000Z/20260504T093000Z");
    const o = new URL(links.outlook);
    expect(o.searchParams.get("startdt")).toBe("2026-05-04T09:00:00.000Z");
    expect(o.searchParams.get("rru")).toBe("addevent");
    expect(JSON.stringify(links)).not.toContain("Hidden");
    const full = await (await authed(f.tokens.receptionist).get(`/api/appointments/${id}/add-links?privacy=full`)).json<any>();
    expect(new URL(full.links.google).searchParams.get("text")).toContain("Hidden Person");
  });
});

describe("download file names", () => {
  // The date is the clinic's calendar date, not the UTC one.
  it.each([
    ["Australia/Sydney", "2026-01-04T22:00:00Z", "appointment-2026-01-05-abcdef12.ics"], // 09:00 on the 5th in Sydney
    ["America/Los_Angeles", "2026-01-05T05:00:00Z", "appointment-2026-01-04-abcdef12.ics"], // 21:00 on the 4th
    ["Europe/London", "2026-07-05T23:30:00Z", "appointment-2026-07-06-abcdef12.ics"], // 00:30 BST
    ["UTC", "2026-07-05T23:30:00Z", "appointment-2026-07-05-abcdef12.ics"],
  ])("%s, %s → %s", (zone, at, name) => {
    expect(icsFileName("appointment", Date.parse(at), "abcdef1234", zone)).toBe(name);
  });
});
