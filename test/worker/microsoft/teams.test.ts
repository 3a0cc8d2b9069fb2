// Teams meeting links: a doctor marks appointment types as video (Teams) visits; for a work or
// school account the event is created as a Teams meeting and its join link is kept and shown;
// for a personal account (or another type) no link is made and the reason is said.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { authed, json } from "../../helpers";
import { at, connectDoctor, emu, env, hubOf, link, notices, PHI, settle, type Connected } from "./harness";
import { PROP_APPOINTMENT } from "../../../worker/providers/microsoft/mapping";
import { bindingSender, setEmailSenderOverride, type OutgoingEmail } from "../../../worker/email/sender";
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

/** A raw MIME message with every base64 part decoded in place (the invites' text, HTML and .ics are base64). */
function decoded(raw: string): string {
  return raw.replace(/Content-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)/g, (_, b64: string) =>
    new TextDecoder().decode(Uint8Array.from(atob(b64.replace(/\s+/g, "")), (ch) => ch.charCodeAt(0))),
  );
}

// A change of patient: the old patient has the Teams link (invite, reminders), and Outlook keeps an
// event's meeting for the event's life. The event is replaced by a new one with a new meeting; the
// old link is never stored, shown or sent again.
describe("Teams meeting after a change of patient", () => {
  let sent: OutgoingEmail[] = [];
  beforeEach(() => {
    sent = [];
    setEmailSenderOverride((e) => {
      const real = bindingSender(e.EMAIL!);
      return { async send(m) { await real.send(m); sent.push(m); } };
    });
  });
  afterEach(() => {
    setEmailSenderOverride(null);
    emu.clearFaults();
  });

  async function teamsVisit(start: string, end: string) {
    const c = await connectDoctor({ work: true });
    await c.doctor.patch(`/api/integrations/microsoft/${c.integrationId}/options`, { teamsTypes: ["video"] });
    const appt = await bookType(c, start, end, "video");
    await settle(c.doctorId);
    const l = await link(appt.id);
    const oldUrl = emu.event(l.external_id)!.data.onlineMeeting.joinUrl as string;
    expect(l.join_url).toBe(oldUrl);
    return { c, appt, oldId: l.external_id as string, oldUrl };
  }
  const ours = (c: Connected, id: string) => emu.eventsOf(c.email).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()) === id);
  const swap = async (c: Connected, a: { id: string; version: number }) => {
    const res = await authed(c.f.tokens.receptionist).patch(`/api/appointments/${a.id}`, { version: a.version, patientId: c.f.patients[1].id });
    expect(res.status).toBe(200);
  };
  const video = async (c: Connected, id: string) => (await json(await c.doctor.get(`/api/appointments/${id}/engagement`))).video;
  /** Everything mailed to the new patient: base64 parts decoded (text, HTML, .ics), without white space (folded lines). */
  const toNewPatient = (c: Connected) => sent.filter((m) => m.to === c.f.patients[1].email.toLowerCase()).map((m) => decoded(m.raw).replace(/\s+/g, ""));

  /** The outbox's retry now (its backoff cut short), and the hub's work done. */
  const retryNow = async (c: Connected, id: string) => {
    await env.DB.prepare("UPDATE sync_outbox SET next_attempt_at = 0 WHERE appointment_id = ? AND state = 'pending'").bind(id).run();
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
  };
  /** One event of ours, not the old one, with a new meeting that is the visit's link; the old link never mailed; no "put back". */
  const expectReplaced = async (c: Connected, id: string, oldId: string, oldUrl: string) => {
    const mine = ours(c, id);
    expect(mine).toHaveLength(1);
    expect(mine[0].id).not.toBe(oldId);
    const newUrl = mine[0].data.onlineMeeting.joinUrl as string;
    expect(newUrl).not.toBe(oldUrl);
    expect(await link(id)).toMatchObject({ external_id: mine[0].id, state: "synced", join_url: newUrl });
    expect(await video(c, id)).toEqual({ provider: "teams", joinUrl: newUrl });
    for (const m of toNewPatient(c)) expect(m).not.toContain(oldUrl);
    expect(await notices(c.userId, "sync_recreated")).toEqual([]);
    return mine[0];
  };

  it("staff cannot turn a Teams visit's video off (Outlook would make a new meeting): 409 with what to change instead", async () => {
    const { c, appt, oldUrl } = await teamsVisit("16:00", "16:30");
    const res = await authed(c.f.tokens.receptionist).put(`/api/appointments/${appt.id}/video`, { enabled: false });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("teams_meeting");
    await settle(c.doctorId);
    expect(await video(c, appt.id)).toEqual({ provider: "teams", joinUrl: oldUrl });
    expect(ours(c, appt.id).map((e) => e.data.onlineMeeting.joinUrl)).toEqual([oldUrl]);
  });

  it("the Outlook event is replaced: one event, a new Teams meeting, and that is the link the new patient gets", async () => {
    const { c, appt, oldId, oldUrl } = await teamsVisit("09:00", "09:30");
    await swap(c, appt);
    await settle(c.doctorId);
    const mine = ours(c, appt.id);
    expect(mine).toHaveLength(1);
    expect(mine[0].id).not.toBe(oldId);
    expect(emu.event(oldId)).toBeUndefined();
    const newUrl = mine[0].data.onlineMeeting.joinUrl as string;
    expect(newUrl).toMatch(/^https:\/\/teams\./);
    expect(newUrl).not.toBe(oldUrl);
    const l = await link(appt.id);
    expect(l).toMatchObject({ external_id: mine[0].id, state: "synced", join_url: newUrl });
    expect(await video(c, appt.id)).toEqual({ provider: "teams", joinUrl: newUrl });
    expect(await meeting(c, appt.id)).toEqual({ joinUrl: newUrl, reason: null });
    // The new patient's invite (and its update with the new meeting) never carries the old link.
    const mails = toNewPatient(c);
    expect(mails.length).toBeGreaterThan(0);
    for (const m of mails) expect(m).not.toContain(oldUrl);
    expect(mails.some((m) => m.includes(newUrl))).toBe(true);
    // Our own delete and create are not the doctor deleting the appointment in Outlook.
    expect(await notices(c.userId, "sync_recreated")).toEqual([]);
    // Later updates keep the new event and its meeting (a plain PATCH, no further re-creation).
    const cur = (await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment;
    expect((await c.doctor.patch(`/api/appointments/${appt.id}`, { version: cur.version, start: at("10:00"), end: at("10:30") })).status).toBe(200);
    await settle(c.doctorId);
    expect(ours(c, appt.id).map((e) => e.id)).toEqual([mine[0].id]);
    expect((await link(appt.id)).join_url).toBe(newUrl);
  });

  it("the old event's DELETE fails once: retried, never two events, and the old link is not shown or sent meanwhile", async () => {
    const { c, appt, oldId, oldUrl } = await teamsVisit("11:00", "11:30");
    emu.injectFault({ status: 503, code: "ServiceUnavailable", match: (r) => r.method === "DELETE" && r.url.includes("/events/") }, 3); // 3 tries: one failed write
    await swap(c, appt);
    await settle(c.doctorId);
    // Failed: the old event is still there, alone; the visit's link is the new Jitsi room, not the old meeting.
    expect(ours(c, appt.id).map((e) => e.id)).toEqual([oldId]);
    const meanwhile = await video(c, appt.id);
    expect(meanwhile.provider).toBe("jitsi");
    expect(meanwhile.joinUrl).not.toBe(oldUrl);
    expect((await meeting(c, appt.id)).joinUrl).toBeNull();
    expect(await env.DB.prepare("SELECT attempts FROM sync_outbox WHERE appointment_id = ? AND state = 'pending'").bind(appt.id).first("attempts")).toBe(1);
    // The retry (its backoff cut short).
    await retryNow(c, appt.id);
    await expectReplaced(c, appt.id, oldId, oldUrl);
  });

  it("the doctor moved the event in Outlook before the replacing DELETE went through: the move is judged, not lost", async () => {
    const { c, appt, oldId, oldUrl } = await teamsVisit("15:00", "15:30");
    emu.injectFault({ status: 503, code: "ServiceUnavailable", match: (r) => r.method === "DELETE" && r.url.includes("/events/") }, 3);
    await swap(c, appt);
    await settle(c.doctorId);
    expect(ours(c, appt.id).map((e) => e.id)).toEqual([oldId]);
    // Meanwhile the doctor drags the event to 16:00 in Outlook: the later edit of the two.
    emu.userPatch(oldId, { start: at("16:00"), end: at("16:30") });
    await settle(c.doctorId);
    // The retry's DELETE carries the etag last read: 412, then the policy takes the doctor's move.
    await retryNow(c, appt.id);
    const now = (await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment;
    expect([now.start, now.end, now.patientId]).toEqual([at("16:00"), at("16:30"), c.f.patients[1].id]);
    // Still one event, replaced at the moved time with a new meeting.
    const mine = await expectReplaced(c, appt.id, oldId, oldUrl);
    expect([mine.startMs, mine.endMs]).toEqual([Date.parse(at("16:00")), Date.parse(at("16:30"))]);
  });

  it("the new event's create fails after the old one is deleted: the delete's notification is no 'put back', the retry makes one event", async () => {
    const { c, appt, oldId, oldUrl } = await teamsVisit("13:00", "13:30");
    emu.injectFault({ status: 503, code: "ServiceUnavailable", match: (r) => r.method === "POST" && r.url.includes("/events") }, 3);
    await swap(c, appt);
    await settle(c.doctorId);
    // Between the two: no event (the inbound read of the old one's deletion ran) and no notice.
    expect(ours(c, appt.id)).toEqual([]);
    expect(await notices(c.userId, "sync_recreated")).toEqual([]);
    expect((await video(c, appt.id)).joinUrl).not.toBe(oldUrl);
    await retryNow(c, appt.id);
    await expectReplaced(c, appt.id, oldId, oldUrl);
  });
});
