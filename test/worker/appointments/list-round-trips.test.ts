// The calendar's week and day reads (GET /api/appointments, GET /api/blocked-times) and the
// booking dialog's free times (GET /api/availability) are its hottest paths: the session check rides in the same D1 batch as the range read, so a read is one
// D1 round trip (issue #18), and an ended session still gets its 401 with nothing read released.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../../worker/app";
import { countingDb } from "../d1-counter";
import { authed, makeClinic, ORIGIN } from "../../helpers";

const get = (path: string, token: string, db: D1Database) =>
  app.request(`http://localhost${path}`, { headers: { authorization: `Bearer ${token}`, origin: ORIGIN } }, { ...env, DB: db });

describe("the calendar range reads", () => {
  it("each is one D1 round trip, session check included; once logged out a 401, also for a bad query", async () => {
    const f = await makeClinic({ doctors: 1, patients: 1 });
    const token = f.tokens.receptionist;
    const week = `/api/appointments?from=2027-01-04T00:00:00Z&to=2027-01-11T00:00:00Z&doctorId=${f.doctors[0].doctor.id}`;
    const day = "/api/appointments?from=2027-01-04T00:00:00Z&to=2027-01-05T00:00:00Z";
    const blocked = "/api/blocked-times?from=2027-01-04T00:00:00Z&to=2027-01-11T00:00:00Z";
    const free = `/api/availability?doctorId=${f.doctors[0].doctor.id}&from=2027-01-04&to=2027-01-05`;
    for (const path of [week, day, blocked]) {
      const { db, count } = countingDb(env.DB);
      const res = await get(path, token, db);
      expect(res.status, path).toBe(200);
      expect(Object.values(await res.json<Record<string, unknown[]>>())[0], path).toEqual([]);
      expect(count.trips, path).toBe(1);
    }
    const counted = countingDb(env.DB);
    const slots = await get(free, token, counted.db);
    expect(slots.status).toBe(200);
    expect((await slots.json<{ slots: unknown[] }>()).slots.length).toBeGreaterThan(0); // a Monday of working hours
    expect(counted.count.trips).toBe(1);
    const bads = ["/api/appointments?from=nonsense", "/api/blocked-times?from=nonsense", "/api/availability?doctorId=nonsense"];
    for (const bad of bads) expect((await get(bad, token, env.DB)).status, bad).toBe(422);
    expect((await get(`/api/availability?doctorId=${"0".repeat(32)}&from=2027-01-04&to=2027-01-05`, token, env.DB)).status).toBe(404);

    expect((await authed(token).post("/api/auth/logout", {})).status).toBe(200);
    for (const path of [week, blocked, free, ...bads]) expect((await get(path, token, env.DB)).status, path).toBe(401);
  });
});
