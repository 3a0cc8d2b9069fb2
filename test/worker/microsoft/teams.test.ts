// Teams meeting links: a doctor marks appointment types as video (Teams) visits; for a work or
// school account the event is created as a Teams meeting and its join link is kept and shown;
// for a personal account (or another type) no link is made and the reason is said.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { json } from "../../helpers";
import { at, connectDoctor, emu, env, link, PHI, settle, type Connected } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGraphEmulator(emu)));
afterAll(() => uninstall());

async function bookType(c: Connected, start: string, end: string, type: string) {
  const res = await c.doctor.post("/api/appointments", { doctorId: c.doctorId, patientId: c.f.patients[0].id, start: at(start), end: at(end), type, reason: PHI.reason });
  expect(res.status).toBe(201);
  return (await json(res)).appointment as { id: string; version: number };
}
const meeting = async (c: Connected, id: string) => (await json(await c.doctor.get(`/api/integrations/microsoft/appointments/${id}/meeting`))).meeting;

describe("Teams meeting links (Outlook)", () => {
  it("work account + a video type → Teams meeting, join link stored and shown; other types say why not", async () => {
    const c = await connectDoctor({ work: true });
    const opts = await c.doctor.patch(`/api/integrations/microsoft/${c.integrationId}/options`, { teamsTypes: ["video"] });
    expect((await json(opts)).options).toMatchObject({ teamsAvailable: true, teamsTypes: ["video"] });
    const video = await bookType(c, "10:00", "10:30", "video");
    const visit = await bookType(c, "11:00", "11:30", "consultation");
    await settle(c.doctorId);
    const l = await link(video.id);
    const ev = emu.event(l.external_id)!;
    expect(ev.data).toMatchObject({ isOnlineMeeting: true, onlineMeetingProvider: "teamsForBusiness" });
    expect(l.join_url).toBe(ev.data.onlineMeeting.joinUrl);
    expect(await meeting(c, video.id)).toEqual({ joinUrl: ev.data.onlineMeeting.joinUrl, reason: null });
    // The Teams link is the appointment's video link (reminders, patient page, .ics), replacing the Jitsi room
    // the clinic's "video" type gave it at booking.
    const v = await c.doctor.get(`/api/appointments/${video.id}/engagement`);
    expect((await json(v)).video).toEqual({ provider: "teams", joinUrl: ev.data.onlineMeeting.joinUrl });
    // The patient's invite went out at booking without it: it goes again as an update, once.
    const invites = await env.DB.prepare("SELECT method, sequence FROM email_outbox WHERE appointment_id = ? ORDER BY id").bind(video.id).all<{ method: string; sequence: number }>();
    expect(invites.results).toEqual([{ method: "REQUEST", sequence: 0 }, { method: "REQUEST", sequence: 0 }]);
    expect(emu.event((await link(visit.id)).external_id)!.data.isOnlineMeeting).toBeUndefined();
    expect((await meeting(c, visit.id)).reason).toMatch(/not marked as a video/);
    // Still no PHI in the Teams create.
    const post = emu.requests.filter((r) => r.method === "POST" && r.url.includes("/events")).map((r) => r.body).join("\n");
    expect(post).not.toContain(PHI.reason);
  });

  it("choosing a type later gives upcoming appointments of that type their Teams link", async () => {
    const c = await connectDoctor({ work: true });
    const video = await bookType(c, "13:00", "13:30", "video");
    await settle(c.doctorId);
    expect((await link(video.id)).join_url).toBeNull();
    await c.doctor.patch(`/api/integrations/microsoft/${c.integrationId}/options`, { teamsTypes: ["video"] });
    await settle(c.doctorId);
    const l = await link(video.id);
    expect(l.join_url).toMatch(/^https:\/\/teams\./);
    expect(l.state).toBe("synced");
    expect(emu.eventsOf(c.email)).toHaveLength(1); // patched, not a second event
  });

  it("personal account → no Teams meeting, and the panel says Microsoft only makes them for work/school accounts", async () => {
    const c = await connectDoctor({ work: false });
    await c.doctor.patch(`/api/integrations/microsoft/${c.integrationId}/options`, { teamsTypes: ["video"] });
    const video = await bookType(c, "14:00", "14:30", "video");
    await settle(c.doctorId);
    const ev = emu.event((await link(video.id)).external_id)!;
    expect(ev.data.isOnlineMeeting).toBeUndefined();
    expect((await link(video.id)).join_url).toBeNull();
    expect((await meeting(c, video.id)).reason).toMatch(/personal Microsoft account/);
    const row = await env.DB.prepare("SELECT account_kind FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<any>();
    expect(row.account_kind).toBe("personal");
  });
});
