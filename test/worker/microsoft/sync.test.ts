// Outlook (Microsoft Graph) sync end to end, in workerd: real D1, DoctorHub, Worker
// routes; Graph and the identity platform are the documented-behaviour emulator
// (test/fakes/microsoft). The scenarios mirror test/worker/google/sync.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { authed, json } from "../../helpers";
import { PROP_APPOINTMENT } from "../../../worker/providers/microsoft/mapping";
import { at, blocks, book, connectDoctor, DAY, emu, env, hubOf, integration, link, notices, PHI, settle } from "./harness";
import { dayPlus } from "../../days";

let uninstall: () => void;
beforeAll(() => (uninstall = installGraphEmulator(emu)));
afterAll(() => uninstall());

const utc = (e: { startMs: number }) => new Date(e.startMs).toISOString();

describe("Outlook sync, end to end", () => {
  it("connect: PKCE, only the three scopes, tokens sealed, /me address, default calendar chosen, subscription validated", async () => {
    const c = await connectDoctor();
    const tokenReq = emu.requests.filter((r) => r.url.endsWith("/oauth2/v2.0/token")).at(-1)!;
    expect(tokenReq.body).toContain("code_verifier=");
    expect(new URL(tokenReq.url).pathname).toBe("/common/oauth2/v2.0/token");
    expect(emu.scopesSeen.at(-1)).toBe("offline_access Calendars.ReadWrite User.Read");
    const row = await integration(c.integrationId);
    expect(row).toMatchObject({ status: "active", provider: "microsoft", account_email: c.email, write_calendar_id: c.calendarId });
    expect(JSON.parse(row.busy_calendar_ids)).toEqual([c.calendarId]);
    expect(row.sealed_tokens).toMatch(/^v1\.k2\./);
    expect(row.sealed_tokens).not.toContain("M.R3_");
    const body = await (await c.doctor.get("/api/integrations")).text();
    expect(body).not.toMatch(/M\.R3_|EwB/);
    expect(JSON.parse(body).integrations[0]).toMatchObject({ provider: "microsoft", status: "active", accountEmail: c.email, healthy: true });
    const subs = emu.activeSubscriptions(c.email);
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ calendarId: c.calendarId, notificationUrl: "https://acms.test/api/webhooks/microsoft", lifecycleUrl: "https://acms.test/api/webhooks/microsoft/lifecycle" });
    // Lifetime within Graph's maximum for event subscriptions (10,080 minutes).
    expect(subs[0].expiration - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(subs[0].expiration - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    // The stored secret is a hash, not the clientState.
    const cal = await env.DB.prepare("SELECT channel_token_hash FROM integration_calendars WHERE channel_id = ?").bind(subs[0].id).first<any>();
    expect(cal.channel_token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(cal.channel_token_hash).not.toBe(subs[0].clientState);
    // Every Graph request asked for immutable ids.
    for (const r of emu.apiRequests()) expect(r.headers.prefer).toContain('IdType="ImmutableId"');
  });

  it("book 20 → 20 events, once each; no PHI in any request; private, busy, no attendees, our id in our property", async () => {
    const since = emu.requests.length;
    const c = await connectDoctor();
    const appts = [];
    for (let i = 0; i < 20; i++) {
      const day = dayPlus(Math.floor(i / 5));
      const h = [9, 10, 11, 13, 14][i % 5];
      appts.push(await book(c, `${String(h).padStart(2, "0")}:00`, `${String(h).padStart(2, "0")}:30`, day));
    }
    await settle(c.doctorId);
    const evs = emu.eventsOf(c.email);
    expect(evs).toHaveLength(20);
    const posts = emu.requests.slice(since).filter((r) => r.method === "POST" && r.url.includes("/events"));
    expect(posts).toHaveLength(20);
    for (const a of appts) {
      const l = await link(a.id);
      expect(l.state).toBe("synced");
      const e = emu.event(l.external_id)!;
      expect(e.props.get(PROP_APPOINTMENT.toLowerCase())).toBe(a.id);
      expect(utc(e)).toBe(a.start);
      expect(e.data).toMatchObject({ subject: "Patient Appointment", showAs: "busy", sensitivity: "private" });
      expect(e.data.attendees).toBeUndefined();
      expect(e.transactionId).toBe(`acms-${a.id}-v${a.version}`);
    }
    const post = JSON.parse(posts[0].body);
    expect(post.start.timeZone).toBe("Europe/London");
    const all = JSON.stringify(emu.requests.slice(since)).toLowerCase();
    for (const secret of Object.values(PHI)) expect(all).not.toContain(secret.toLowerCase());
    expect(all).not.toContain("900123");
  });

  it("a create whose answer is lost is retried with the same transactionId → one event", async () => {
    const c = await connectDoctor();
    emu.loseResponse((r) => r.method === "POST" && r.url.includes("/events"));
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    const mine = emu.eventsOf(c.email).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()) === appt.id);
    expect(mine).toHaveLength(1);
    expect((await link(appt.id)).external_id).toBe(mine[0].id);
  });

  it("reschedule → the same event is patched with If-Match; cancel → deleted; 3 writes per lifecycle", async () => {
    const c = await connectDoctor();
    const since = emu.requests.length;
    const appt = await book(c, "13:00", "13:30");
    await settle(c.doctorId);
    const id = (await link(appt.id)).external_id;
    const res = await authed(c.f.tokens.receptionist).patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("14:00"), end: at("14:30") });
    expect(res.status).toBe(200);
    await settle(c.doctorId);
    expect((await link(appt.id)).external_id).toBe(id);
    expect(utc(emu.event(id)!)).toBe(at("14:00"));
    const moved = (await json(res)).appointment;
    expect((await c.doctor.post(`/api/appointments/${appt.id}/cancel`, { version: moved.version })).status).toBe(200);
    await settle(c.doctorId);
    expect(emu.event(id)).toBeUndefined();
    const writes = emu.requests.slice(since).filter((r) => r.method !== "GET" && r.url.includes("/events"));
    expect(writes.map((w) => w.method)).toEqual(["POST", "PATCH", "DELETE"]);
    expect(writes[1].headers["if-match"]).toMatch(/^W\/"/);
    expect(writes[2].headers["if-match"]).toMatch(/^W\/"/);
    expect(await blocks(c.doctorId)).toEqual([]); // our own event never becomes a busy block
  });

  it("Outlook busy/free/declined/tentative/all-day/series with a deleted and a moved occurrence → availability exactly right", async () => {
    const c = await connectDoctor();
    emu.userCreate(c.email, { subject: "free", showAs: "free", start: at("09:00"), end: at("10:00") });
    emu.userCreate(c.email, { subject: "declined", response: "declined", start: at("10:00"), end: at("11:00") });
    emu.userCreate(c.email, { subject: "maybe", showAs: "tentative", start: at("11:00"), end: at("11:30") });
    emu.userCreate(c.email, { subject: "lunch", showAs: "busy", start: at("12:00"), end: at("13:00") });
    emu.userCreate(c.email, { subject: "cancelled", isCancelled: true, start: at("15:00"), end: at("16:00") });
    const conf = emu.userCreate(c.email, { subject: "conference", isAllDay: true, start: dayPlus(1), end: dayPlus(3) });
    const gym = emu.userCreateSeries(c.email, at("07:00"), at("08:00"), 3);
    await settle(c.doctorId);
    const got = async () => (await blocks(c.doctorId)).map((b: any) => [new Date(b.start_ms).toISOString(), new Date(b.end_ms).toISOString(), !!b.all_day]);
    expect(await got()).toEqual([
      [at("07:00"), at("08:00"), false],
      [at("11:00"), at("11:30"), false],
      [at("12:00"), at("13:00"), false],
      [`${dayPlus(1)}T00:00:00.000Z`, `${dayPlus(3)}T00:00:00.000Z`, true],
      [at("07:00", dayPlus(1)), at("08:00", dayPlus(1)), false],
      [at("07:00", dayPlus(2)), at("08:00", dayPlus(2)), false],
    ]);
    const avail = await json(await c.doctor.get(`/api/availability?doctorId=${c.doctorId}&from=${DAY}&to=${DAY}`));
    const starts = avail.slots.map((s: any) => s.start);
    expect(starts).toEqual(expect.arrayContaining([at("09:00"), at("10:00"), at("15:00")]));
    expect(starts).not.toContain(at("11:00"));
    expect(starts).not.toContain(at("12:00"));
    // One occurrence moved (exception), one deleted; the all-day event deleted.
    emu.userPatch(gym[1].id, { start: at("18:00", dayPlus(1)), end: at("19:00", dayPlus(1)) });
    emu.userDelete(gym[2].id);
    emu.userDelete(conf.id);
    await settle(c.doctorId);
    expect(await got()).toEqual([
      [at("07:00"), at("08:00"), false],
      [at("11:00"), at("11:30"), false],
      [at("12:00"), at("13:00"), false],
      [at("18:00", dayPlus(1)), at("19:00", dayPlus(1)), false],
    ]);
    // No label was stored (the doctor did not allow titles).
    expect(JSON.stringify(await blocks(c.doctorId))).not.toContain("lunch");
  });

  it("time moved in Outlook (newer) → appointment moves in ACMS; medical fields untouched", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    emu.userPatch((await link(appt.id)).external_id, { start: at("09:30"), end: at("10:00"), subject: "renamed by doctor" });
    await settle(c.doctorId);
    const cur = (await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment;
    expect(cur).toMatchObject({ start: at("09:30"), end: at("10:00"), reason: PHI.reason, notes: PHI.notes });
  });

  it("both sides edit, Outlook later → Outlook timing wins; the doctor is told", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    const id = (await link(appt.id)).external_id;
    emu.injectFault({ status: 503, code: "ServiceUnavailable", match: (r) => r.method === "PATCH" }, 3);
    await c.doctor.patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("11:00"), end: at("11:30") });
    await settle(c.doctorId);
    emu.clockOffsetMs = 60_000;
    emu.userPatch(id, { start: at("14:00"), end: at("14:30") });
    await settle(c.doctorId);
    const cur = (await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment;
    expect(cur).toMatchObject({ start: at("14:00"), end: at("14:30") });
    const [n] = await notices(c.userId, "sync_conflict");
    expect(n.message).toContain("later edit (in Outlook) wins");
    expect(utc(emu.event(id)!)).toBe(at("14:00"));
  });

  it("our event deleted in Outlook → re-created (new id, new transactionId), doctor told; appointment stays", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "15:00", "15:30");
    await settle(c.doctorId);
    const old = (await link(appt.id)).external_id;
    emu.userDelete(old);
    await settle(c.doctorId);
    const mine = emu.eventsOf(c.email).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()) === appt.id);
    expect(mine).toHaveLength(1);
    expect(mine[0].id).not.toBe(old);
    expect(utc(mine[0])).toBe(at("15:00"));
    expect((await link(appt.id)).external_id).toBe(mine[0].id);
    expect(await notices(c.userId, "sync_recreated")).toHaveLength(1);
  });

  it("an event the doctor moves to another calendar keeps its immutable id", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "16:00", "16:30");
    await settle(c.doctorId);
    const id = (await link(appt.id)).external_id;
    emu.userMove(id, emu.calendarNamed(c.email, "Family").id);
    expect(emu.event(id)).toBeDefined();
  });

  it("forged or wrong-clientState notifications → 4xx and nothing done; validation handshake echoes", async () => {
    const c = await connectDoctor();
    const sub = emu.activeSubscriptions(c.email)[0];
    const before = await env.DB.prepare("SELECT last_notification_at FROM integration_calendars WHERE channel_id = ?").bind(sub.id).first<any>();
    const url = "https://acms.test/api/webhooks/microsoft";
    expect(await emu.rawNotify(url, { value: [{ subscriptionId: sub.id, clientState: "guess", changeType: "updated" }] })).toBe(401);
    expect(await emu.rawNotify(url, { value: [{ subscriptionId: "00000000-0000-0000-0000-000000000000", clientState: sub.clientState }] })).toBe(404);
    expect(await emu.rawNotify(url, { nope: 1 })).toBe(400);
    expect(await emu.rawNotify(url, { value: [{ clientState: sub.clientState }] })).toBe(400);
    // A flood of made-up subscription ids is answered (bounded), not a crash.
    const flood = Array.from({ length: 500 }, (_, i) => ({ subscriptionId: `fake-${i}`, clientState: "x" }));
    expect(await emu.rawNotify(url, { value: flood })).toBe(404);
    expect(await emu.rawNotify(url + "/lifecycle", { value: [{ subscriptionId: sub.id, clientState: "x", lifecycleEvent: "subscriptionRemoved" }] })).toBe(401);
    const after = await env.DB.prepare("SELECT last_notification_at, channel_id FROM integration_calendars WHERE channel_id = ?").bind(sub.id).first<any>();
    expect(after).toMatchObject({ last_notification_at: before.last_notification_at, channel_id: sub.id });
    const hs = await (await import("../../fakes/microsoft/router")).worker.fetch(new Request(`${url}?validationToken=${encodeURIComponent("Validation: abc <&>")}`, { method: "POST" }));
    expect(hs.status).toBe(200);
    expect(hs.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await hs.text()).toBe("Validation: abc <&>");
  });

  it("duplicated and replayed notifications → no duplicate blocks; answers are 202", async () => {
    const c = await connectDoctor();
    emu.duplicateNotifications = true;
    emu.userCreate(c.email, { start: at("12:00"), end: at("13:00") });
    await settle(c.doctorId);
    emu.duplicateNotifications = false;
    const sub = emu.activeSubscriptions(c.email)[0];
    await Promise.all([emu.renotify(sub.id), emu.renotify(sub.id), emu.renotify(sub.id)]);
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(1);
    expect(emu.deliveries.filter((d) => d.kind === "change" && d.subscriptionId === sub.id).every((d) => d.status === 202)).toBe(true);
  });

  it("410 SyncStateNotFound → full resync of the window: no duplicates, removed events dropped, appointments intact", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    const keep = emu.userCreate(c.email, { start: at("12:00"), end: at("13:00") });
    const gone = emu.userCreate(c.email, { start: at("15:00"), end: at("16:00") });
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(2);
    emu.invalidateDeltaTokens(c.email);
    emu.userDelete(gone.id);
    await settle(c.doctorId);
    const b = await blocks(c.doctorId);
    expect(b.map((x: any) => x.external_id)).toEqual([`${c.calendarId}::${keep.id}`]);
    expect((await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment.status).toBe("scheduled");
    expect(emu.eventsOf(c.email).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()) === appt.id)).toHaveLength(1);
  });

  it("revoked consent → needs_reconnect once, doctor told, no retry storm, outbox kept; reconnect catches up", async () => {
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
    expect(emu.requests.filter((r) => r.url.endsWith("/token")).length).toBe(tokenCalls);
    const { authorizeUrl } = await json(await c.doctor.post("/api/integrations/microsoft/connect", {}));
    const back = await emu.consent(authorizeUrl, c.email);
    expect((await c.doctor(back.pathname + back.search, { method: "GET", redirect: "manual" })).status).toBe(302);
    await settle(c.doctorId);
    expect((await integration(c.integrationId)).status).toBe("active");
    expect(utc(emu.event((await link(appt.id)).external_id)!)).toBe(at("16:00"));
  });

  it("refresh tokens rotate: every refresh stores the new one (the old one is dead at the emulator)", async () => {
    const c = await connectDoctor();
    for (let i = 0; i < 3; i++) {
      emu.expireAccessTokens();
      emu.userCreate(c.email, { start: at(`0${7 + i}:00`, dayPlus(7)), end: at(`0${7 + i}:30`, dayPlus(7)) });
      await settle(c.doctorId);
    }
    expect((await integration(c.integrationId)).status).toBe("active");
    expect(await blocks(c.doctorId)).toHaveLength(3);
  });

  it("subscription renewal when the clock nears expiry: extended in place (PATCH, Graph's documented renewal); lifecycle events handled", async () => {
    const c = await connectDoctor();
    const old = emu.activeSubscriptions(c.email)[0];
    const oldExpiry = old.expiration;
    // Six days later, the subscription expires within a day.
    await env.DB.prepare("UPDATE integration_calendars SET channel_expires_at = ? WHERE channel_id = ?").bind(Date.now() + 12 * 3600_000, old.id).run();
    emu.clockOffsetMs = 60_000; // a minute later at Graph, so the new expiry is visibly later
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    emu.clockOffsetMs = 0;
    const now = emu.activeSubscriptions(c.email);
    expect(now).toHaveLength(1);
    expect(now[0].id).toBe(old.id);
    expect(now[0].expiration).toBeGreaterThan(oldExpiry);
    expect(emu.apiRequests().filter((r) => r.method === "PATCH" && r.url.includes(`/subscriptions/${old.id}`))).toHaveLength(1);
    // subscriptionRemoved → recreated.
    expect(await emu.lifecycle(now[0].id, "subscriptionRemoved")).toBe(202);
    await settle(c.doctorId);
    const again = emu.activeSubscriptions(c.email);
    expect(again).toHaveLength(1);
    expect(again[0].id).not.toBe(now[0].id);
    // missed → a delta run picks up what the lost notifications were about.
    const ev = emu.userCreate(c.email, { start: at("16:00"), end: at("17:00") });
    await settle(c.doctorId);
    const polls = emu.apiRequests().filter((r) => r.url.includes("/calendarView/delta")).length;
    expect(await emu.lifecycle(again[0].id, "missed")).toBe(202);
    await settle(c.doctorId);
    expect(emu.apiRequests().filter((r) => r.url.includes("/calendarView/delta")).length).toBeGreaterThan(polls);
    expect((await blocks(c.doctorId)).map((b: any) => b.external_id)).toContain(`${c.calendarId}::${ev.id}`);
  });

  it("429 with Retry-After is honoured and the change goes out once", async () => {
    const c = await connectDoctor();
    emu.injectFault({ status: 429, code: "ApplicationThrottled", retryAfter: "1", match: (r) => r.method === "POST" && r.url.includes("/events") });
    const appt = await book(c, "11:00", "11:30");
    await settle(c.doctorId);
    expect(emu.eventsOf(c.email).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()) === appt.id)).toHaveLength(1);
    expect((await link(appt.id)).state).toBe("synced");
  });

  it("idle with a healthy subscription → no Graph requests", async () => {
    const c = await connectDoctor();
    const since = emu.apiRequests().length;
    for (let i = 0; i < 3; i++) {
      await hubOf(c.doctorId).kick(c.doctorId);
      await settle(c.doctorId);
    }
    expect(emu.apiRequests().length).toBe(since);
  });

  it("disconnect → subscriptions deleted at Graph, tokens, sync state and imported blocks gone, audited", async () => {
    const c = await connectDoctor();
    emu.userCreate(c.email, { start: at("12:00"), end: at("13:00") });
    const appt = await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    expect(emu.activeSubscriptions(c.email)).toHaveLength(1);
    const res = await c.doctor.delete(`/api/integrations/${c.integrationId}?removeEvents=true`);
    expect(res.status).toBe(200);
    expect(emu.activeSubscriptions(c.email)).toHaveLength(0);
    expect(await integration(c.integrationId)).toBeNull();
    expect(await blocks(c.doctorId)).toHaveLength(0);
    expect(emu.eventsOf(c.email).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()) === appt.id)).toHaveLength(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'integration.disconnect'").bind(c.integrationId).first<any>()).toEqual({ n: 1 });
  });
});
