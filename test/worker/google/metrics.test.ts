// Integration health the settings page and admins read (issue 5): last successful sync,
// success rate, last latency and queue depth — the same numbers in GET /api/integrations
// (doctor, own) and GET /api/admin/integrations (admin, all of the clinic).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGoogleEmulator } from "../../fakes/google/router";
import { authed, json } from "../../helpers";
import { book, connectDoctor, emu, env, hubOf, settle, type Connected } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

const isInsert = (r: Request) => r.method === "POST" && new URL(r.url).pathname.endsWith("/events");

async function views(c: Connected) {
  const own = (await json(await c.doctor.get("/api/integrations"))).integrations;
  const adm = (await json(await authed(c.f.tokens.admin).get("/api/admin/integrations"))).integrations;
  expect(own).toHaveLength(1);
  return { own: own[0], admin: adm.find((i: any) => i.id === c.integrationId) };
}

describe("integration metrics and last successful sync", () => {
  it("healthy: last sync just now, success rate 1, a latency, empty queue — for the doctor and the admin alike", async () => {
    const c = await connectDoctor();
    const t0 = Date.now();
    await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    const { own, admin } = await views(c);
    expect(admin).toEqual(own);
    expect(Date.parse(own.lastSyncAt)).toBeGreaterThanOrEqual(t0);
    expect(own.metrics).toMatchObject({ failed: 0, successRate: 1, queueDepth: 0 });
    expect(own.metrics.ok).toBeGreaterThan(0);
    expect(own.metrics.lastLatencyMs).toEqual(expect.any(Number));
    expect(own.metrics.lastLatencyMs).toBeGreaterThanOrEqual(0);
    expect(own.healthy).toBe(true);
  });

  it("Google rate-limiting: the change waits in the queue, the success rate drops, last sync stays at the last success; then it recovers", async () => {
    const c = await connectDoctor();
    await settle(c.doctorId);
    const prior = (await views(c)).own;
    emu.injectFault({ status: 429, reason: "rateLimitExceeded", retryAfter: "120", match: isInsert });
    const before = Date.now();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    const { own: waiting, admin } = await views(c);
    expect(admin).toEqual(waiting);
    expect(waiting.metrics.queueDepth).toBe(1);
    expect(waiting.metrics.failed).toBeGreaterThan(0);
    expect(waiting.metrics.successRate).toBeLessThan(1);
    expect(waiting.metrics.successRate).toBeCloseTo(waiting.metrics.ok / (waiting.metrics.ok + waiting.metrics.failed), 10);
    expect(waiting.lastSyncAt).toBe(prior.lastSyncAt);
    // Retry-After has passed (the hub's alarm would fire): the change goes out.
    await env.DB.prepare("UPDATE sync_outbox SET next_attempt_at = 0 WHERE appointment_id = ?").bind(appt.id).run();
    // ...and so has the account's backoff (issue 9: one backoff per account, persisted).
    expect((await env.DB.prepare("SELECT backoff_until FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<any>()).backoff_until).toBeGreaterThanOrEqual(before + 119_000);
    await env.DB.prepare("UPDATE calendar_integrations SET backoff_until = 0 WHERE id = ?").bind(c.integrationId).run();
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    const { own: after } = await views(c);
    expect(after.metrics.queueDepth).toBe(0);
    expect(after.metrics.ok).toBeGreaterThan(waiting.metrics.ok);
    expect(Date.parse(after.lastSyncAt)).toBeGreaterThan(Date.parse(prior.lastSyncAt));
    // Healthy again: the old rate-limit error is cleared, not shown for ever (issue 9).
    expect(after).toMatchObject({ healthy: true, lastError: null });
  });

  it("receptionists get status and last sync only — no metrics, calendars or errors", async () => {
    const c = await connectDoctor();
    const [rec] = (await json(await authed(c.f.tokens.receptionist).get("/api/integrations"))).integrations.filter((i: any) => i.id === c.integrationId);
    expect(Object.keys(rec).sort()).toEqual(["doctorId", "healthy", "id", "lastSyncAt", "provider", "status"]);
    expect(rec.lastSyncAt).toEqual(expect.any(String));
  });
});
