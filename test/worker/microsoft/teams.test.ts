// Teams meeting links: a doctor marks appointment types as video (Teams) visits; for a work or
// school account the event is created as a Teams meeting and its join link is kept and shown;
// for a personal account (or another type) no link is made and the reason is said.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { json } from "../../helpers";
import { at, connectDoctor, emu, env, link, PHI, settle, type Connected } from "./harness";
import type { HubContext } from "../../../worker/hub/work";
import { openSessions } from "../../../worker/sync/session";
import { drainOutbox } from "../../../worker/sync/outbound";
import { calendarSyncWork } from "../../../worker/sync/work";

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

  it("a Teams type chosen while a sync run is under way is not lost: that run sends nothing with its older settings", async () => {
    const c = await connectDoctor({ work: true });
    const video = await bookType(c, "15:00", "15:30", "video");
    await settle(c.doctorId);
    expect((await link(video.id)).join_url).toBeNull();
    // A run opens its sessions (the settings as they are: no Teams types)...
    const ctx: HubContext = { env, doctorId: c.doctorId, exclusive: (fn) => fn(), publish: async () => {}, publishMany: async () => {} };
    const { all, live } = await openSessions(ctx);
    // ...then the doctor's choice commits, as PATCH …/options writes it: the setting, the link
    // made pending and a row to re-push the appointment (no hub kick here: this run is the one).
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("UPDATE calendar_integrations SET teams_types = ?, updated_at = ? WHERE id = ?").bind(JSON.stringify(["video"]), now, c.integrationId),
      env.DB.prepare("UPDATE appointment_links SET state = 'pending' WHERE appointment_id = ?").bind(video.id),
      env.DB.prepare("INSERT INTO sync_outbox (clinic_id, doctor_id, appointment_id, op, version, created_at, updated_at) VALUES (?, ?, ?, 'upsert', ?, ?, ?)").bind(
        c.f.clinic.id, c.doctorId, video.id, video.version, now, now,
      ),
    ]);
    const writes = emu.requests.length;
    // The run's drain sees the settings moved under it: it sends nothing and asks to run again at once.
    const next = await drainOutbox(ctx, all, live);
    expect(next).not.toBeNull();
    expect(next!).toBeLessThanOrEqual(Date.now());
    expect(emu.requests.slice(writes).filter((r) => r.method !== "GET")).toEqual([]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM sync_outbox WHERE appointment_id = ? AND state = 'pending'").bind(video.id).first("n")).toBe(1);
    // The next run, with the new settings, gives the appointment its Teams meeting.
    await calendarSyncWork.run(ctx);
    expect((await link(video.id)).join_url).toMatch(/^https:\/\/teams\./);
    expect(await meeting(c, video.id)).toMatchObject({ reason: null });
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
