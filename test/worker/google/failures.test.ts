// Outbound failures stay visible and nothing is dropped; channels are renewed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGoogleEmulator } from "../../fakes/google/router";
import { json } from "../../helpers";
import { runScheduled } from "../../../worker/scheduled";
import { book, connectDoctor, emu, env, hubOf, settle } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

const outboxOf = (apptId: string) =>
  env.DB.prepare("SELECT state, attempts, next_attempt_at, last_error FROM sync_outbox WHERE appointment_id = ? ORDER BY id DESC").bind(apptId).first<any>();
const isInsert = (r: Request) => r.method === "POST" && new URL(r.url).pathname.endsWith("/events");

describe("Google sync failures and upkeep", () => {
  it("a permanent error (403 forbidden) is visible on the outbox row, the appointment link and the integration", async () => {
    const c = await connectDoctor();
    emu.injectFault({ status: 403, reason: "forbidden", match: isInsert });
    const appt = await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    expect(await outboxOf(appt.id)).toMatchObject({ state: "failed", last_error: expect.stringContaining("forbidden") });
    const link = await env.DB.prepare("SELECT state, last_error FROM appointment_links WHERE appointment_id = ?").bind(appt.id).first<any>();
    expect(link).toMatchObject({ state: "error", last_error: expect.stringContaining("forbidden") });
    const [integ] = (await json(await c.doctor.get("/api/integrations"))).integrations;
    expect(integ).toMatchObject({ healthy: false, lastError: expect.stringContaining("forbidden") });
    expect(emu.event(c.email, appt.id)).toBeUndefined();
  });

  it("a long Retry-After schedules the retry instead of blocking; the change goes out later, once", async () => {
    const c = await connectDoctor();
    emu.injectFault({ status: 429, reason: "rateLimitExceeded", retryAfter: "120", match: isInsert });
    const appt = await book(c, "10:00", "10:30");
    const before = Date.now();
    await settle(c.doctorId);
    const row = await outboxOf(appt.id);
    expect(row).toMatchObject({ state: "pending", attempts: 1 });
    expect(row.next_attempt_at).toBeGreaterThanOrEqual(before + 119_000);
    expect(emu.event(c.email, appt.id)).toBeUndefined();
    // Time passes (the hub's alarm would fire): the retry succeeds.
    await env.DB.prepare("UPDATE sync_outbox SET next_attempt_at = 0 WHERE appointment_id = ?").bind(appt.id).run();
    // ...and so has the account's backoff (issue 9: one backoff per account, persisted).
    expect((await env.DB.prepare("SELECT backoff_until FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<any>()).backoff_until).toBeGreaterThanOrEqual(before + 119_000);
    await env.DB.prepare("UPDATE calendar_integrations SET backoff_until = 0 WHERE id = ?").bind(c.integrationId).run();
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    expect(await outboxOf(appt.id)).toMatchObject({ state: "done" });
    expect(emu.events(c.email).filter((e) => e.id === appt.id)).toHaveLength(1);
  });

  it("an expired access token is refreshed once and the call retried", async () => {
    const c = await connectDoctor();
    emu.expireAccessTokens();
    const tokenCalls = emu.requests.filter((r) => r.url.endsWith("/token")).length;
    const appt = await book(c, "11:00", "11:30");
    await settle(c.doctorId);
    expect(emu.event(c.email, appt.id)).toBeTruthy();
    expect(emu.requests.filter((r) => r.url.endsWith("/token")).length).toBe(tokenCalls + 1);
  });

  it("cron renews a channel close to expiry: new channel first, old one stopped", async () => {
    const c = await connectDoctor();
    const old = emu.activeChannels().find((x) => x.account === c.email)!;
    await env.DB.prepare("UPDATE integration_calendars SET channel_expires_at = ? WHERE channel_id = ?").bind(Date.now() + 3600_000, old.id).run();
    await runScheduled(env, Date.now());
    await settle(c.doctorId);
    expect(emu.channel(old.id)!.stopped).toBe(true);
    const active = emu.activeChannels().filter((x) => x.account === c.email);
    expect(active).toHaveLength(1);
    const row = await env.DB.prepare("SELECT channel_id FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(c.integrationId, c.email).first<any>();
    expect(row.channel_id).toBe(active[0].id);
  });
});
