// Outlook: what keeps sync right when push is missing or the doctor reads more than
// the default calendar: cron fallback polling, a second (non-default) busy calendar
// read by calendarView, reauthorization, and how fast webhooks answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { json } from "../../helpers";
import { runScheduled } from "../../../worker/scheduled";
import { at, blocks, connectDoctor, emu, env, settle } from "./harness";
import { dayPlus } from "../../days";

let uninstall: () => void;
beforeAll(() => (uninstall = installGraphEmulator(emu)));
afterAll(() => uninstall());

describe("Outlook: fallbacks and more calendars", () => {
  it("cron fallback: a calendar whose subscription is lost is polled within the cron tick and gets a new subscription", async () => {
    const c = await connectDoctor();
    const sub = emu.activeSubscriptions(c.email)[0];
    // Lost on our side (e.g. a failed renewal): Graph's notifications now go nowhere useful.
    await env.DB.prepare("UPDATE integration_calendars SET channel_id = NULL, channel_expires_at = NULL, last_polled_at = ? WHERE channel_id = ?").bind(Date.now() - 6 * 60_000, sub.id).run();
    emu.userCreate(c.email, { start: at("12:00"), end: at("13:00") });
    await emu.settle();
    // The notification for it was refused (unknown subscription), so nothing changed yet.
    expect(emu.deliveries.filter((d) => d.subscriptionId === sub.id).at(-1)?.status).toBe(404);
    expect(await blocks(c.doctorId)).toHaveLength(0);
    await runScheduled(env, Date.now());
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(1);
    const row = await env.DB.prepare("SELECT channel_id FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(c.integrationId, c.calendarId).first<any>();
    expect(row.channel_id).toBeTruthy();
    expect(emu.activeSubscriptions(c.email).map((s) => s.id)).toContain(row.channel_id);
  });

  it("a second busy calendar (not the default) is read by calendarView in full; removing it drops its blocks and subscription", async () => {
    const c = await connectDoctor();
    const family = emu.calendarNamed(c.email, "Family").id;
    for (let i = 0; i < 5; i++) emu.userCreate(c.email, { start: at(`1${i}:00`, dayPlus(2)), end: at(`1${i}:30`, dayPlus(2)) }, family);
    expect((await c.doctor.patch(`/api/integrations/${c.integrationId}`, { busyCalendarIds: [c.calendarId, family] })).status).toBe(200);
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(5); // paged (emulator pages hold 3)
    expect(emu.apiRequests().some((r) => r.url.includes(`/calendars/${encodeURIComponent(family)}/calendarView`))).toBe(true);
    // A deletion there is seen through its subscription + a full listing.
    emu.userDelete(emu.eventsOf(c.email, family)[0].id);
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(4);
    await c.doctor.patch(`/api/integrations/${c.integrationId}`, { busyCalendarIds: [c.calendarId] });
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(0);
    expect(emu.activeSubscriptions(c.email).filter((s) => s.calendarId === family)).toHaveLength(0);
  });

  it("reauthorizationRequired → the subscription is replaced at once; webhooks answer well within Graph's 3 s", async () => {
    const c = await connectDoctor();
    const sub = emu.activeSubscriptions(c.email)[0];
    expect(await emu.lifecycle(sub.id, "reauthorizationRequired")).toBe(202);
    await settle(c.doctorId);
    const now = emu.activeSubscriptions(c.email);
    expect(now).toHaveLength(1);
    expect(now[0].id).not.toBe(sub.id);
    const answered = emu.deliveries.filter((d) => d.kind !== "validation" || d.status === 200);
    expect(Math.max(...answered.map((d) => d.ms))).toBeLessThan(3000);
  });

  it("a subscription whose validation fails is not created and the error is visible (the 5-minute poll covers the calendar meanwhile)", async () => {
    const c = await connectDoctor({ calendars: [] });
    const sub = emu.activeSubscriptions(c.email)[0];
    // Break the echo: the next validation gets a wrong answer.
    const deliver = emu.deliver;
    emu.deliver = async (req) => (new URL(req.url).searchParams.has("validationToken") ? new Response("wrong", { headers: { "content-type": "text/plain" } }) : deliver(req));
    await env.DB.prepare("UPDATE integration_calendars SET channel_expires_at = ? WHERE channel_id = ?").bind(Date.now(), sub.id).run();
    await (await import("./harness")).hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    emu.deliver = deliver;
    expect(emu.deliveries.at(-1)).toMatchObject({ kind: "validation" });
    const i = (await json(await c.doctor.get("/api/integrations"))).integrations[0];
    expect(i.lastError).toMatch(/validation/i);
  });

  it("per-doctor option: tentative events stop blocking when the doctor says so; account kind decides Teams", async () => {
    const c = await connectDoctor({ work: false });
    emu.userCreate(c.email, { showAs: "tentative", start: at("11:00"), end: at("12:00") });
    emu.userCreate(c.email, { showAs: "busy", start: at("13:00"), end: at("14:00") });
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toHaveLength(2);
    const opts = await c.doctor.get(`/api/integrations/microsoft/${c.integrationId}/options`);
    expect((await json(opts)).options).toEqual({ blockTentative: true, accountKind: "personal", teamsAvailable: false, teamsTypes: [] });
    expect((await c.doctor.patch(`/api/integrations/microsoft/${c.integrationId}/options`, { blockTentative: "no" })).status).toBe(422);
    const res = await c.doctor.patch(`/api/integrations/microsoft/${c.integrationId}/options`, { blockTentative: false });
    expect((await json(res)).options.blockTentative).toBe(false);
    await settle(c.doctorId);
    expect((await blocks(c.doctorId)).map((b: any) => new Date(b.start_ms).toISOString())).toEqual([at("13:00")]);
    // A receptionist cannot see or change it.
    expect((await (await import("../../helpers")).authed(c.f.tokens.receptionist).get(`/api/integrations/microsoft/${c.integrationId}/options`)).status).toBe(404);
  });
});
