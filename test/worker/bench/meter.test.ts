// The bench's usage meter (worker/bench-meter.ts): off by default, and with BENCH_METER=1 the app
// works exactly the same while D1 rows, Worker invocations and Durable Object requests are counted.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../worker/index";
import { meterEnv } from "../../../worker/bench-meter";
import { authed, makeClinic } from "../../helpers";

const ctx = () => ({ waitUntil() {}, passThroughOnException() {}, props: {} }) as unknown as ExecutionContext;

describe("bench meter", () => {
  it("is off without BENCH_METER: env is returned untouched and /api/__meter is not a route", async () => {
    expect(meterEnv(env)).toBe(env);
    const r = await worker.fetch(new Request("http://localhost/api/__meter"), env, ctx());
    expect(r.status).not.toBe(200);
  });

  it("with BENCH_METER=1 serves the app unchanged and counts requests, rows and DO calls", async () => {
    const f = await makeClinic();
    const d = f.doctors[0];
    const metered = { ...env, BENCH_METER: "1" };
    const call = (path: string, init: RequestInit = {}) => worker.fetch(new Request(`http://localhost${path}`, init), metered, ctx());
    await call("/api/__meter", { method: "POST" });
    const headers = { authorization: `Bearer ${d.token}`, "content-type": "application/json", origin: "http://localhost:8787" };
    const created = await call(`/api/doctors/${d.doctor.id}/feed`, { method: "POST", headers, body: "{}" });
    expect(created.status).toBe(201);
    const { feed } = await created.json<any>();
    const poll = await call(new URL(feed.url).pathname);
    expect(poll.status).toBe(200);
    expect(await poll.text()).toContain("BEGIN:VCALENDAR");
    const list = await call(`/api/appointments?doctorId=${d.doctor.id}&from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:00Z`, { headers });
    expect(list.status).toBe(200);
    const m = await (await call("/api/__meter")).json<any>();
    expect(m.workerRequests).toBe(3);
    expect(m.doRequests).toBe(1); // the feed's build in the doctor's hub; the poll needs none
    expect(m.d1RowsRead).toBeGreaterThan(0);
    expect(m.d1RowsWritten).toBeGreaterThan(0);
    // Same answers as without the meter.
    expect((await authed(d.token).get(`/api/appointments?doctorId=${d.doctor.id}&from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:00Z`)).status).toBe(200);
  });
});
