// A video visit's link reaches the doctor's own calendar (issue #13: "external calendars get it
// too, it is not PHI"), and turning video on later updates the event once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGoogleEmulator } from "../../fakes/google/router";
import { json } from "../../helpers";
import { at, connectDoctor, emu, PHI, settle } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

describe("video visits in Google Calendar", () => {
  it("a video-type booking's Jitsi link is the event's location; nothing else about the patient goes", async () => {
    const c = await connectDoctor();
    const res = await c.doctor.post("/api/appointments", { doctorId: c.doctorId, patientId: c.f.patients[0].id, start: at("10:00"), end: at("10:30"), type: "video", reason: PHI.reason });
    const a = (await json(res)).appointment;
    await settle(c.doctorId);
    const url = (await json(await c.doctor.get(`/api/appointments/${a.id}/engagement`))).video.joinUrl as string;
    const ev = emu.event(c.email, a.id)!;
    expect(ev.location).toBe(url);
    expect(ev.description).toContain(`Video visit: ${url}`);
    expect(JSON.stringify(ev)).not.toContain(PHI.name);
    expect(JSON.stringify(ev)).not.toContain(PHI.reason);
  });

  it("video turned on later reaches the event at once, and turned off leaves it; a plain booking has no location", async () => {
    const c = await connectDoctor();
    const res = await c.doctor.post("/api/appointments", { doctorId: c.doctorId, patientId: c.f.patients[0].id, start: at("11:00"), end: at("11:30") });
    const a = (await json(res)).appointment;
    await settle(c.doctorId);
    expect(emu.event(c.email, a.id)!.location).toBeUndefined();
    // Turning video on is not an appointment change (no new version): the event is pushed anyway.
    const on = await c.doctor.put(`/api/appointments/${a.id}/video`, { enabled: true });
    expect(on.status).toBe(200);
    const url = (await json(on)).video.joinUrl as string;
    await settle(c.doctorId);
    expect(emu.event(c.email, a.id)!.location).toBe(url);
    expect(emu.event(c.email, a.id)!.description).toContain(`Video visit: ${url}`);
    // On again: nothing changes, nothing is written to Google.
    const writes = () => emu.requestsOf(c.email).filter((r) => r.method !== "GET" && r.url.includes("/events")).length;
    const before = writes();
    expect((await c.doctor.put(`/api/appointments/${a.id}/video`, { enabled: true })).status).toBe(200);
    await settle(c.doctorId);
    expect(writes()).toBe(before);
    // Off: the link leaves the doctor's calendar too.
    expect((await c.doctor.put(`/api/appointments/${a.id}/video`, { enabled: false })).status).toBe(200);
    await settle(c.doctorId);
    expect(emu.event(c.email, a.id)!.location ?? "").not.toContain(url);
    expect(emu.event(c.email, a.id)!.description ?? "").not.toContain(url);
  });

  it("a location the doctor typed on our event is kept when ACMS moves it (only a video link taken off clears it)", async () => {
    const c = await connectDoctor();
    const res = await c.doctor.post("/api/appointments", { doctorId: c.doctorId, patientId: c.f.patients[0].id, start: at("15:00"), end: at("15:30") });
    const a = (await json(res)).appointment;
    await settle(c.doctorId);
    emu.userPatch(c.email, a.id, { location: "Room 3" });
    await settle(c.doctorId);
    const now = (await json(await c.doctor.get(`/api/appointments/${a.id}`))).appointment;
    expect((await c.doctor.patch(`/api/appointments/${a.id}`, { version: now.version, start: at("16:00"), end: at("16:30") })).status).toBe(200);
    await settle(c.doctorId);
    const ev = emu.event(c.email, a.id)!;
    expect(ev.start.dateTime).toBe(at("16:00"));
    expect(ev.location).toBe("Room 3");
  });
});
