// Sync KPIs kept per clinic, provider and day: every change that reaches the doctor's Google
// calendar (or fails for good) is counted with its latency, change saved → provider
// acknowledged, in fixed buckets; GET /api/analytics/kpis shows success rate and p50/p95.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGoogleEmulator } from "../../fakes/google/router";
import { authed, json, makeClinic } from "../../helpers";
import { at, book, connectDoctor, emu, env, settle } from "../google/harness";
import { newId } from "../../../worker/ids";

let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

const isInsert = (r: Request) => r.method === "POST" && new URL(r.url).pathname.endsWith("/events");
const today = () => new Date().toISOString().slice(0, 10);
const month = () => today().slice(0, 7);
const rowOf = (clinicId: string) =>
  env.DB.prepare("SELECT ok, failed, hist FROM sync_metrics_daily WHERE clinic_id = ? AND provider = 'google' AND direction = 'out' AND day = ?").bind(clinicId, today()).first<any>();

describe("sync metrics", () => {
  it("a synced change and a failed one are counted for the day, with the latency in its bucket", async () => {
    const c = await connectDoctor();
    await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    let row = await rowOf(c.f.clinic.id);
    expect(row).toMatchObject({ ok: 1, failed: 0 });
    expect(JSON.parse(row.hist).reduce((a: number, b: number) => a + b, 0)).toBe(1);

    emu.injectFault({ status: 403, reason: "forbidden", match: isInsert });
    await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    row = await rowOf(c.f.clinic.id);
    expect(row).toMatchObject({ ok: 1, failed: 1 });

    const k = await json<any>(await authed(c.f.tokens.admin).get(`/api/analytics/kpis?from=${month()}&to=${month()}`));
    const g = k.sync.providers.find((p: any) => p.provider === "google" && p.direction === "out");
    expect(g).toMatchObject({ ok: 1, failed: 1, successRate: 0.5 });
    expect(g.p50Ms).toBeLessThanOrEqual(5000); // the emulator answers at once
    expect(k.sync.daily.filter((d: any) => d.direction === "out")).toEqual([expect.objectContaining({ day: today(), provider: "google", ok: 1, failed: 1 })]);
    expect(k.sync.targetMs).toBe(5000);
    // Adoption: the one doctor of two with a Google calendar — unhealthy now (the 403 is its last error).
    expect(k.adoption).toMatchObject({ doctors: 2, healthy: 0 });
    expect(k.adoption.perProvider).toEqual([{ provider: "google", connected: 1, healthy: 0, rate: 0 }]);
  });

  it("a move made in Google counts inbound: its notification → the change in ACMS", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "09:00", "09:30");
    await settle(c.doctorId);
    const inbound = () =>
      env.DB.prepare("SELECT ok, hist FROM sync_metrics_daily WHERE clinic_id = ? AND provider = 'google' AND direction = 'in'").bind(c.f.clinic.id).first<any>();
    expect(await inbound()).toBeNull(); // our own write coming back is no inbound change
    emu.userPatch(c.email, appt.id, { start: { dateTime: at("09:30") }, end: { dateTime: at("10:00") } });
    await settle(c.doctorId);
    const row = await inbound();
    expect(row.ok).toBe(1);
    expect(JSON.parse(row.hist).reduce((a: number, b: number) => a + b, 0)).toBe(1);
    const k = await json<any>(await authed(c.f.tokens.admin).get(`/api/analytics/kpis?from=${month()}&to=${month()}`));
    expect(k.sync.providers.find((p: any) => p.direction === "in")).toMatchObject({ provider: "google", ok: 1, failed: 0 });
  });

  it("buckets are exact: 1.2 s lands in ≤ 2 s, 7 s in ≤ 10 s; doctors without a calendar count nothing", async () => {
    const f = await makeClinic({ doctors: 2 });
    const d = f.doctors[0].doctor.id;
    await env.DB.prepare("INSERT INTO calendar_integrations (id, clinic_id, user_id, doctor_id, provider, status) VALUES (?, ?, ?, ?, 'microsoft', 'active')")
      .bind(newId(), f.clinic.id, f.doctors[0].user.id, d)
      .run();
    const t = Date.parse(`${today()}T12:00:00Z`);
    const outbox = async (doctorId: string, ms: number, state: string) => {
      const r = await env.DB.prepare("INSERT INTO sync_outbox (clinic_id, doctor_id, appointment_id, op, version, created_at, updated_at) VALUES (?, ?, ?, 'upsert', 1, ?, ?) RETURNING id")
        .bind(f.clinic.id, doctorId, newId(), t, t)
        .first<{ id: number }>();
      await env.DB.prepare("UPDATE sync_outbox SET state = ?, updated_at = ? WHERE id = ?").bind(state, t + ms, r!.id).run();
    };
    await outbox(d, 1200, "done");
    await outbox(d, 7000, "done");
    await outbox(d, 100, "failed");
    await outbox(f.doctors[1].doctor.id, 100, "done"); // no integration: not a sync
    const row = await env.DB.prepare("SELECT provider, ok, failed, hist FROM sync_metrics_daily WHERE clinic_id = ?").bind(f.clinic.id).all<any>();
    expect(row.results).toEqual([{ provider: "microsoft", ok: 2, failed: 1, hist: "[0,0,0,1,0,0,1,0,0,0,0,0]" }]);
    const k = await json<any>(await authed(f.tokens.admin).get(`/api/analytics/kpis?from=${month()}&to=${month()}`));
    expect(k.sync.providers).toEqual([{ provider: "microsoft", direction: "out", ok: 2, failed: 1, successRate: 2 / 3, p50Ms: 2000, p95Ms: 10000 }]);
  });
});
