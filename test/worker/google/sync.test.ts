// Google Calendar sync end to end, in workerd: real D1, DoctorHub, Worker routes;
// Google is the documented-behaviour emulator (test/fakes/google).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evictDurableObject } from "cloudflare:test";
import { installGoogleEmulator } from "../../fakes/google/router";
import { authed, json } from "../../helpers";
import { runScheduled } from "../../../worker/scheduled";
import { at, book, connectDoctor, DAY, emu, env, hubOf, PHI, settle, type Connected } from "./harness";
import { calendarSyncWork } from "../../../worker/sync/work";
import type { HubContext } from "../../../worker/hub/work";
import { dayPlus, icsDay } from "../../days";

let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

const link = (apptId: string) => env.DB.prepare("SELECT * FROM appointment_links WHERE appointment_id = ?").bind(apptId).first<any>();
const integration = (id: string) => env.DB.prepare("SELECT * FROM calendar_integrations WHERE id = ?").bind(id).first<any>();
const blocks = (doctorId: string) =>
  env.DB.prepare("SELECT * FROM blocked_times WHERE doctor_id = ? AND source = 'google' ORDER BY start_ms").bind(doctorId).all<any>().then((r) => r.results);
const notices = (userId: string, kind: string) =>
  env.DB.prepare("SELECT * FROM notices WHERE user_id = ? AND kind = ?").bind(userId, kind).all<any>().then((r) => r.results);

async function liveClient(token: string, doctorId: string) {
  const res = await (await import("../../fakes/google/router")).worker.fetch(
    new Request("http://localhost/api/live", { headers: { upgrade: "websocket", authorization: `Bearer ${token}` } }),
  );
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const inbox: any[] = [];
  ws.addEventListener("message", (e) => inbox.push(JSON.parse(e.data as string)));
  ws.accept();
  ws.send(JSON.stringify({ type: "subscribe", doctorIds: [doctorId] }));
  const next = async (pred: (m: any) => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = inbox.findIndex(pred);
      if (i >= 0) return inbox.splice(i, 1)[0];
      if (Date.now() > deadline) throw new Error(`no matching live message; inbox: ${JSON.stringify(inbox)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await next((m) => m.type === "subscribed");
  return { next, close: () => ws.close(1000, "done") };
}

describe("Google Calendar sync, end to end", () => {
  it("connect: PKCE + offline consent, tokens sealed and never returned, calendars listed, push channels opened", async () => {
    const c = await connectDoctor();
    const authReq = emu.requests.filter((r) => r.url.endsWith("/token")).at(-1)!;
    expect(authReq.body).toContain("code_verifier=");
    const row = await integration(c.integrationId);
    expect(row.status).toBe("active");
    expect(row.account_email).toBe(c.email);
    expect(row.sealed_tokens).toMatch(/^v1\.k2\./);
    expect(row.sealed_tokens).not.toContain("ya29.");
    const res = await c.doctor.get("/api/integrations");
    const body = await res.text();
    expect(body).not.toContain("ya29.");
    expect(body).not.toContain("1//");
    expect(body).not.toContain(row.sealed_tokens);
    const { integrations } = JSON.parse(body);
    expect(integrations[0]).toMatchObject({ provider: "google", status: "active", accountEmail: c.email, writeCalendarId: c.email, busyCalendarIds: [c.email] });
    expect(integrations[0].calendars.find((x: any) => x.id === c.email).push).toBe(true);
    expect(emu.activeChannels().filter((ch) => ch.account === c.email)).toHaveLength(1);
    // The `sync` handshake reached us and was accepted.
    expect(emu.deliveries.some((d) => d.state === "sync" && d.status === 204)).toBe(true);
  });

  it("the appointment's details show where its calendar sync stands (state only, no ids or tokens)", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    const res = await c.doctor.get(`/api/appointments/${appt.id}`);
    expect(res.status).toBe(200);
    const { appointment } = await json(res);
    expect(appointment.sync).toEqual([{ provider: "google", state: "synced", lastError: null, lastSyncedAt: expect.any(String) }]);
    // A change not yet pushed reads as pending, not as the old "synced".
    await env.DB.prepare("UPDATE appointments SET version = version + 1 WHERE id = ?").bind(appt.id).run();
    const again = await json(await c.doctor.get(`/api/appointments/${appt.id}`));
    expect(again.appointment.sync[0].state).toBe("pending");
    expect(JSON.stringify(again)).not.toMatch(/sealed|ya29\.|1\/\//);
  });

  it("doctor books → event in Google within one sync, with NO PHI in any request Google received", async () => {
    const since = emu.requests.length;
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    const ev = emu.event(c.email, appt.id)!;
    expect(ev).toMatchObject({ id: appt.id, summary: "Patient Appointment", status: "confirmed" });
    expect(ev.start.dateTime).toBe(at("09:00"));
    expect(ev.description).toBe(`${env.APP_URL}/appointments/${appt.id}`);
    expect((await link(appt.id)).state).toBe("synced");
    const all = JSON.stringify(emu.requests.slice(since)).toLowerCase();
    for (const secret of Object.values(PHI)) expect(all).not.toContain(secret.toLowerCase());
    expect(all).not.toContain("900123");
  });

  it("receptionist reschedules → the same Google event is patched (If-Match), never deleted and re-created", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    const since = emu.requests.length;
    const rec = authed(c.f.tokens.receptionist);
    const res = await rec.patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("11:00"), end: at("11:30") });
    expect(res.status).toBe(200);
    await settle(c.doctorId);
    expect(emu.event(c.email, appt.id)!.start.dateTime).toBe(at("11:00"));
    expect(emu.events(c.email).filter((e) => e.id === appt.id)).toHaveLength(1);
    const writes = emu.requests.slice(since).filter((r) => r.method !== "GET");
    expect(writes.map((w) => `${w.method} ${new URL(w.url).pathname.split("/").at(-1)}`)).toEqual([`PATCH ${appt.id}`]);
    expect(writes[0].headers["if-match"]).toBeTruthy();
  });

  it("cancel in ACMS → deleted in Google; a lifecycle costs 3 provider writes", async () => {
    const c = await connectDoctor();
    const since = emu.requests.length;
    const appt = await book(c, "13:00", "13:30");
    await settle(c.doctorId);
    const moved = await json(await c.doctor.patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("14:00"), end: at("14:30") }));
    await settle(c.doctorId);
    expect((await c.doctor.post(`/api/appointments/${appt.id}/cancel`, { version: moved.appointment.version })).status).toBe(200);
    await settle(c.doctorId);
    expect(emu.event(c.email, appt.id)!.status).toBe("cancelled");
    const writes = emu.requests.slice(since).filter((r) => r.method !== "GET" && new URL(r.url).pathname.includes("/events"));
    expect(writes.map((w) => w.method)).toEqual(["POST", "PATCH", "DELETE"]);
    expect(await blocks(c.doctorId)).toEqual([]); // our own event never becomes a busy block
  });

  it("doctor blocks time in Google → webhook → slot unavailable in availability, live message on the WebSocket", async () => {
    const c = await connectDoctor();
    const live = await liveClient(c.f.tokens.receptionist, c.doctorId);
    const before = await json(await c.doctor.get(`/api/availability?doctorId=${c.doctorId}&from=${DAY}&to=${DAY}`));
    expect(before.slots.map((s: any) => s.start)).toContain(at("15:00"));
    const deliveries = emu.deliveries.length;
    emu.userInsert(c.email, { summary: "School run with Mia", start: { dateTime: at("15:00") }, end: { dateTime: at("16:00") } });
    const msg = await live.next((m) => m.type === "change" && m.change.kind === "blocked");
    expect(msg.change).toMatchObject({ op: "created", doctorId: c.doctorId, record: { start: at("15:00"), end: at("16:00"), source: "google", label: "" } });
    expect(emu.deliveries.slice(deliveries).some((d) => d.state === "exists" && d.status === 204)).toBe(true);
    await settle(c.doctorId);
    const after = await json(await c.doctor.get(`/api/availability?doctorId=${c.doctorId}&from=${DAY}&to=${DAY}`));
    expect(after.slots.map((s: any) => s.start)).not.toContain(at("15:00"));
    expect(after.slots.map((s: any) => s.start)).toContain(at("16:00"));
    const [b] = await blocks(c.doctorId);
    expect(JSON.stringify(b)).not.toContain("School run");
    live.close();
  });

  it("free, declined, all-day and recurring events: only busy time blocks; cancelling frees it", async () => {
    const c = await connectDoctor();
    emu.userInsert(c.email, { summary: "free", transparency: "transparent", start: { dateTime: at("09:00") }, end: { dateTime: at("10:00") } });
    emu.userInsert(c.email, { summary: "declined", attendees: [{ email: c.email, self: true, responseStatus: "declined" }], start: { dateTime: at("10:00") }, end: { dateTime: at("11:00") } });
    const allDay = emu.userInsert(c.email, { summary: "conference", start: { date: dayPlus(1) }, end: { date: dayPlus(3) } });
    const gym = emu.userInsert(c.email, { summary: "gym", start: { dateTime: at("07:00") }, end: { dateTime: at("08:00") }, recurrence: ["RRULE:FREQ=DAILY;COUNT=3"] });
    await settle(c.doctorId);
    const got = (await blocks(c.doctorId)).map((b: any) => [new Date(b.start_ms).toISOString(), new Date(b.end_ms).toISOString(), !!b.all_day]);
    expect(got).toEqual([
      [at("07:00"), at("08:00"), false],
      [`${dayPlus(1)}T00:00:00.000Z`, `${dayPlus(3)}T00:00:00.000Z`, true],
      [at("07:00", dayPlus(1)), at("08:00", dayPlus(1)), false],
      [at("07:00", dayPlus(2)), at("08:00", dayPlus(2)), false],
    ]);
    // One occurrence moved (an exception): its block moves, the others stay.
    emu.userPatch(c.email, `${gym.id}_${icsDay(2)}T070000Z`, { start: { dateTime: at("18:00", dayPlus(2)) }, end: { dateTime: at("19:00", dayPlus(2)) } });
    await settle(c.doctorId);
    expect((await blocks(c.doctorId)).map((b: any) => new Date(b.start_ms).toISOString())).toContain(at("18:00", dayPlus(2)));
    expect((await blocks(c.doctorId)).map((b: any) => new Date(b.start_ms).toISOString())).not.toContain(at("07:00", dayPlus(2)));
    emu.userDelete(c.email, allDay.id);
    await settle(c.doctorId);
    expect((await blocks(c.doctorId)).filter((b: any) => b.all_day)).toHaveLength(0);
    emu.userDelete(c.email, gym.id); // the whole series
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(0);
  });

  /**
   * Two sync runs of the doctor: the first (which lists at Google) asks for another at once, for
   * what its writes queued after the hub's shared batch read what was due; the second lists
   * nothing and asks for a later time.
   */
  async function expectOneMoreRunAtOnce(c: Connected) {
    const ctx: HubContext = { env, doctorId: c.doctorId, exclusive: (fn) => fn(), publish: async () => {}, publishMany: async () => {} };
    const listings = (since: number) => emu.requests.slice(since).filter((r) => r.method === "GET" && /\/events$/.test(new URL(r.url).pathname));
    const before = emu.requests.length;
    const next = await calendarSyncWork.run(ctx);
    expect(listings(before).length).toBeGreaterThan(0);
    expect(next).not.toBeNull();
    expect(next!).toBeLessThanOrEqual(Date.now());
    const mid = emu.requests.length;
    const after = await calendarSyncWork.run(ctx);
    expect(listings(mid)).toHaveLength(0);
    expect(after).toBeGreaterThan(Date.now());
  }

  it("a run that pulled asks for one more at once (for what the pull queued); that run calls Google for nothing", async () => {
    const c = await connectDoctor();
    // The hub's shared batch read what invites, reminders and offers were due before this pull
    // wrote anything: the pull must not leave what it queued to the next poll.
    await env.DB.prepare("UPDATE integration_calendars SET last_notification_at = ? WHERE integration_id = ?").bind(Date.now(), c.integrationId).run();
    await expectOneMoreRunAtOnce(c);
  });

  it("a run whose daily reconcile ran asks for one more at once too (reconcile writes like a pull); that run calls Google for nothing", async () => {
    const c = await connectDoctor();
    await settle(c.doctorId);
    // Reconcile due, nothing to pull: it may adopt or move appointments, queueing invites,
    // reminders and waitlist offers after the shared batch read what was due.
    await env.DB.prepare("UPDATE calendar_integrations SET reconciled_at = ? WHERE id = ?").bind(Date.now() - 25 * 3600_000, c.integrationId).run();
    await expectOneMoreRunAtOnce(c);
  });

  it("time moved in Google (newer) → appointment moves in ACMS; medical fields untouched", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    emu.userPatch(c.email, appt.id, { start: { dateTime: at("09:30") }, end: { dateTime: at("10:00") }, summary: "renamed by doctor" });
    await settle(c.doctorId);
    const cur = (await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment;
    expect(cur).toMatchObject({ start: at("09:30"), end: at("10:00"), reason: PHI.reason, notes: PHI.notes, status: appt.status });
    expect(await notices(c.userId, "sync_conflict")).toHaveLength(0);
  });

  it("both sides edit, Google later → Google timing wins and the doctor is notified (notice, audit, live)", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    const live = await liveClient(c.f.doctors[0].token, c.doctorId);
    // Google is unreachable while ACMS reschedules, so the ACMS edit is not synced yet...
    emu.injectFault({ status: 503, reason: "backendError", match: (r) => r.method === "PATCH" }, 3);
    await c.doctor.patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("11:00"), end: at("11:30") });
    await settle(c.doctorId);
    expect((await env.DB.prepare("SELECT state, attempts FROM sync_outbox WHERE appointment_id = ? ORDER BY id DESC").bind(appt.id).first<any>())).toMatchObject({ state: "pending", attempts: 1 });
    // ...then the doctor moves it in Google, later.
    emu.clockOffsetMs = 60_000;
    emu.userPatch(c.email, appt.id, { start: { dateTime: at("14:00") }, end: { dateTime: at("14:30") } });
    emu.clockOffsetMs = 0;
    await settle(c.doctorId);
    const cur = (await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment;
    expect(cur).toMatchObject({ start: at("14:00"), end: at("14:30") });
    const [n] = await notices(c.userId, "sync_conflict");
    expect(n.message).toContain("later edit (in Google Calendar) wins");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'sync.conflict'").bind(appt.id).first<any>()).toEqual({ n: 1 });
    await live.next((m) => m.type === "change" && m.change.kind === "notice");
    expect(emu.event(c.email, appt.id)!.start.dateTime).toBe(at("14:00"));
    live.close();
  });

  it("both sides edit, ACMS later → ACMS timing is written back to Google and the doctor is notified", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    // The doctor moves it in Google; our incremental read of that change is slow...
    let release!: () => void;
    emu.hold = new Promise((r) => (release = r));
    emu.userPatch(c.email, appt.id, { start: { dateTime: at("14:00") }, end: { dateTime: at("14:30") } });
    await emu.settle();
    // ...and meanwhile, later, the receptionist reschedules it in ACMS.
    const res = await authed(c.f.tokens.receptionist).patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("11:00"), end: at("11:30") });
    expect(res.status).toBe(200);
    emu.hold = null;
    release();
    await settle(c.doctorId);
    expect((await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment).toMatchObject({ start: at("11:00") });
    expect(emu.event(c.email, appt.id)!.start.dateTime).toBe(at("11:00"));
    const [n] = await notices(c.userId, "sync_conflict");
    expect(n.message).toContain("later edit (in ACMS) wins");
  });

  it("our event deleted in Google → re-created with the same id, doctor told; appointment stays", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "15:00", "15:30");
    await settle(c.doctorId);
    emu.userDelete(c.email, appt.id);
    await settle(c.doctorId);
    expect(emu.event(c.email, appt.id)).toMatchObject({ status: "confirmed", start: { dateTime: at("15:00") } });
    expect(emu.events(c.email).filter((e) => e.id === appt.id)).toHaveLength(1);
    expect((await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment.status).not.toBe("cancelled");
    expect(await notices(c.userId, "sync_recreated")).toHaveLength(1);
  });

  it("refresh token revoked → needs_reconnect once, doctor told, no retry loop, nothing lost; reconnect catches up", async () => {
    const c = await connectDoctor();
    emu.revokeAll(c.email);
    emu.expireAccessTokens();
    const appt = await book(c, "16:00", "16:30");
    await settle(c.doctorId);
    expect((await integration(c.integrationId)).status).toBe("needs_reconnect");
    expect(await notices(c.userId, "integration_reconnect")).toHaveLength(1);
    expect((await env.DB.prepare("SELECT state FROM sync_outbox WHERE appointment_id = ?").bind(appt.id).first<any>()).state).toBe("pending");
    const tokenCalls = emu.requests.filter((r) => r.url.endsWith("/token")).length;
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    expect(emu.requests.filter((r) => r.url.endsWith("/token")).length).toBe(tokenCalls); // stopped retrying
    // Reconnect: the pending change goes out.
    const { authorizeUrl } = await json(await c.doctor.post("/api/integrations/google/connect", {}));
    const back = await emu.consent(authorizeUrl, c.email);
    expect((await c.doctor(back.pathname + back.search, { method: "GET", redirect: "manual" })).status).toBe(302);
    await settle(c.doctorId);
    expect((await integration(c.integrationId)).status).toBe("active");
    expect(emu.event(c.email, appt.id)?.start.dateTime).toBe(at("16:00"));
  });

  it("duplicate and out-of-order notifications create no duplicates", async () => {
    const c = await connectDoctor();
    emu.userInsert(c.email, { summary: "x", start: { dateTime: at("12:00") }, end: { dateTime: at("13:00") } });
    await settle(c.doctorId);
    const ch = emu.activeChannels().find((x) => x.account === c.email)!;
    await Promise.all([emu.renotify(ch.id, "exists", 2), emu.renotify(ch.id, "exists", 2), emu.renotify(ch.id, "exists", 1), emu.renotify(ch.id, "exists", 7)]);
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(1);
  });

  it("410 Gone → full resync of the window: no duplicates, removed events dropped, appointments intact", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    const a = emu.userInsert(c.email, { summary: "a", start: { dateTime: at("12:00") }, end: { dateTime: at("13:00") } });
    emu.userInsert(c.email, { summary: "b", start: { dateTime: at("16:00") }, end: { dateTime: at("17:00") } });
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(2);
    emu.invalidateSyncTokens(c.email);
    emu.userDelete(c.email, a.id);
    emu.userInsert(c.email, { summary: "c", start: { dateTime: at("07:00") }, end: { dateTime: at("08:00") } });
    await settle(c.doctorId);
    const got = (await blocks(c.doctorId)).map((b: any) => new Date(b.start_ms).toISOString());
    expect(got).toEqual([at("07:00"), at("16:00")]);
    expect(emu.requests.some((r) => r.url.includes("timeMin=") && r.url.includes(encodeURIComponent(c.email)))).toBe(true);
    expect((await link(appt.id)).state).toBe("synced");
    expect((await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment.status).toBe("scheduled");
  });

  it("sync cut short mid-paging, DO evicted → the next run resumes from the saved cursor, exactly once", async () => {
    const c = await connectDoctor();
    const cursorBefore = (await env.DB.prepare("SELECT sync_cursor FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(c.integrationId, c.email).first<any>()).sync_cursor;
    // Page 2 of the incremental listing keeps failing: the run dies half way (pages of 3).
    emu.injectFault({ status: 503, reason: "backendError", match: (r) => r.url.includes("pageToken=") }, 100);
    for (let h = 9; h < 16; h++) emu.userInsert(c.email, { summary: `e${h}`, start: { dateTime: at(`${h}:00`.padStart(5, "0")) }, end: { dateTime: at(`${h}:30`.padStart(5, "0")) } });
    await settle(c.doctorId);
    expect((await env.DB.prepare("SELECT sync_cursor FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(c.integrationId, c.email).first<any>()).sync_cursor).toBe(cursorBefore);
    expect(await blocks(c.doctorId)).toHaveLength(0); // nothing half-applied
    await evictDurableObject(hubOf(c.doctorId));
    emu.clearFaults();
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(7);
    const cal = await env.DB.prepare("SELECT sync_cursor FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(c.integrationId, c.email).first<any>();
    expect(cal.sync_cursor).not.toBe(cursorBefore);
  });

  it("the window is listed in full once a day, so its far end keeps up as time moves", async () => {
    const c = await connectDoctor();
    const q = "SELECT sync_cursor FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?";
    const cur = (await env.DB.prepare(q).bind(c.integrationId, c.email).first<any>()).sync_cursor as string;
    expect(cur).toMatch(/^\d+~s\d+$/);
    // Pretend the last full listing was 25 hours ago.
    const old = `${Date.now() - 25 * 3600_000}~${cur.split("~")[1]}`;
    await env.DB.prepare("UPDATE integration_calendars SET sync_cursor = ? WHERE integration_id = ? AND calendar_id = ?").bind(old, c.integrationId, c.email).run();
    const since = emu.requests.length;
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    const lists = emu.requests.slice(since).filter((r) => r.method === "GET" && r.url.includes("/events?"));
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((r) => r.url.includes("timeMin="))).toBe(true);
    const after = (await env.DB.prepare(q).bind(c.integrationId, c.email).first<any>()).sync_cursor as string;
    expect(Number(after.split("~")[0])).toBeGreaterThan(Date.now() - 60_000);
  });

  it("webhook with a wrong token, resource or unknown channel is refused and changes nothing", async () => {
    const c = await connectDoctor();
    const ch = emu.activeChannels().find((x) => x.account === c.email)!;
    const { worker } = await import("../../fakes/google/router");
    const post = (h: Record<string, string>) =>
      worker.fetch(new Request("https://acms.test/api/webhooks/google", { method: "POST", headers: { "x-goog-resource-state": "exists", "x-goog-message-number": "9", ...h } }));
    const before = await env.DB.prepare("SELECT last_notification_at FROM integration_calendars WHERE channel_id = ?").bind(ch.id).first<any>();
    expect((await post({ "x-goog-channel-id": ch.id, "x-goog-channel-token": "forged", "x-goog-resource-id": ch.resourceId })).status).toBe(401);
    expect((await post({ "x-goog-channel-id": ch.id, "x-goog-channel-token": ch.token!, "x-goog-resource-id": "other" })).status).toBe(401);
    expect((await post({ "x-goog-channel-id": "nope", "x-goog-channel-token": ch.token!, "x-goog-resource-id": ch.resourceId })).status).toBe(404);
    expect(await env.DB.prepare("SELECT last_notification_at FROM integration_calendars WHERE channel_id = ?").bind(ch.id).first<any>()).toEqual(before);
  });

  it("cron fallback: a calendar without a channel is polled, and gets a new channel", async () => {
    const c = await connectDoctor();
    const ch = emu.activeChannels().find((x) => x.account === c.email)!;
    // The channel is lost on our side (e.g. renewal failed); Google's notifications now go nowhere.
    await env.DB.prepare("UPDATE integration_calendars SET channel_id = NULL, channel_expires_at = NULL WHERE channel_id = ?").bind(ch.id).run();
    emu.userInsert(c.email, { summary: "missed", start: { dateTime: at("12:00") }, end: { dateTime: at("13:00") } });
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(0);
    await runScheduled(env, Date.now());
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(1);
    const row = await env.DB.prepare("SELECT channel_id FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(c.integrationId, c.email).first<any>();
    expect(row.channel_id).toBeTruthy();
  });

  it("roles: receptionists see status only, admins health + metrics, nobody sees tokens; only the doctor connects", async () => {
    const c = await connectDoctor();
    await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    const rec = authed(c.f.tokens.receptionist);
    const recList = await json(await rec.get("/api/integrations"));
    expect(recList.integrations).toEqual([{ id: c.integrationId, doctorId: c.doctorId, provider: "google", status: "active", healthy: true, lastSyncAt: expect.any(String) }]);
    expect((await rec.post("/api/integrations/google/connect", {})).status).toBe(403);
    expect((await rec.get("/api/admin/integrations")).status).toBe(403);
    const adm = await json(await authed(c.f.tokens.admin).get("/api/admin/integrations"));
    expect(adm.integrations[0].metrics).toMatchObject({ successRate: 1, queueDepth: 0 });
    expect(adm.integrations[0].metrics.ok).toBeGreaterThan(0);
    expect(JSON.stringify(adm)).not.toMatch(/ya29\.|1\/\/|sealed|v1\.k/);
    expect((await authed(c.f.doctors[1].token).patch(`/api/integrations/${c.integrationId}`, { busyCalendarIds: [] })).status).toBe(404);
  });

  it("selective sync: adding a calendar imports its busy time, removing it drops it", async () => {
    const c = await connectDoctor();
    const family = (await json(await c.doctor.get("/api/integrations"))).integrations[0].calendars.find((x: any) => x.summary === "Family").id;
    emu.userInsert(c.email, { summary: "kids", start: { dateTime: at("12:00") }, end: { dateTime: at("13:00") } }, family);
    const res = await c.doctor.patch(`/api/integrations/${c.integrationId}`, { busyCalendarIds: [c.email, family] });
    expect(res.status).toBe(200);
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(1);
    expect((await c.doctor.patch(`/api/integrations/${c.integrationId}`, { busyCalendarIds: ["unknown@x"] })).status).toBe(422);
    await c.doctor.patch(`/api/integrations/${c.integrationId}`, { busyCalendarIds: [c.email] });
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(0);
    expect(emu.activeChannels().filter((x) => x.calendarId === family)).toHaveLength(0);
  });

  it("appointments booked before connecting are backfilled; choosing another write calendar moves them", async () => {
    const c = await connectDoctor();
    // Disconnect, book while disconnected, reconnect: the booking reaches Google.
    await c.doctor.delete(`/api/integrations/${c.integrationId}`);
    const appt = await book(c, "13:00", "13:30");
    await settle(c.doctorId);
    expect(emu.event(c.email, appt.id)).toBeUndefined();
    const { authorizeUrl } = await json(await c.doctor.post("/api/integrations/google/connect", {}));
    const back = await emu.consent(authorizeUrl, c.email);
    expect((await c.doctor(back.pathname + back.search, { method: "GET", redirect: "manual" })).status).toBe(302);
    await settle(c.doctorId);
    expect(emu.event(c.email, appt.id)).toMatchObject({ status: "confirmed", start: { dateTime: at("13:00") } });
    const [integ] = (await json(await c.doctor.get("/api/integrations"))).integrations;
    const family = integ.calendars.find((x: any) => x.summary === "Family").id;
    expect((await c.doctor.patch(`/api/integrations/${integ.id}`, { writeCalendarId: family })).status).toBe(200);
    await settle(c.doctorId);
    expect(emu.event(c.email, appt.id)!.status).toBe("cancelled");
    expect(emu.event(c.email, appt.id, family)).toMatchObject({ status: "confirmed", start: { dateTime: at("13:00") } });
  });

  it("disconnect: removes our events, stops channels, revokes, deletes tokens and sync state, audits", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    emu.userInsert(c.email, { summary: "x", start: { dateTime: at("12:00") }, end: { dateTime: at("13:00") } });
    await settle(c.doctorId);
    const res = await c.doctor.delete(`/api/integrations/${c.integrationId}?removeEvents=true`);
    expect(await json(res)).toMatchObject({ disconnected: true, removedEvents: 1 });
    expect(emu.event(c.email, appt.id)!.status).toBe("cancelled");
    expect(emu.activeChannels().filter((x) => x.account === c.email)).toHaveLength(0);
    expect(await integration(c.integrationId)).toBeNull();
    expect(await blocks(c.doctorId)).toHaveLength(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM appointment_links WHERE integration_id = ?").bind(c.integrationId).first<any>()).toEqual({ n: 0 });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'integration.disconnect'").bind(c.integrationId).first<any>()).toEqual({ n: 1 });
    // The grant is revoked at Google: the old refresh token no longer works.
    const lastRefresh = emu.requests.filter((r) => r.url.includes("/revoke")).length;
    expect(lastRefresh).toBeGreaterThan(0);
  });
});
