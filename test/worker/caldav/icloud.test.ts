// The iCloud path, where Radicale behaves differently: an in-process iCloud-like fake
// (test/fakes/caldav/icloud-fake.ts) reached through the fixed https://caldav.icloud.com.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authed, json } from "../../helpers";
import { ICloudFake, installICloudFake } from "../../fakes/caldav/icloud-fake";
import { at, env, makeDoctor, notices, PHI, settle, hubOf } from "./harness";
import { icsDay } from "../../days";

let fake: ICloudFake;
let uninstall: () => void;
beforeAll(() => {
  fake = new ICloudFake();
  uninstall = installICloudFake(fake);
});
afterAll(() => uninstall());

async function connect() {
  const { f, d, doctor } = await makeDoctor();
  const res = await doctor.post("/api/integrations/caldav/connect", { kind: "icloud", username: fake.appleId, password: fake.password });
  const body = await res.text();
  if (res.status !== 201) throw new Error(`connect ${res.status} ${body}`);
  await settle(d.doctor.id);
  return { f, d, doctor, integration: JSON.parse(body).integration };
}

async function book(c: Awaited<ReturnType<typeof connect>>, start: string, end: string) {
  const res = await c.doctor.post("/api/appointments", { doctorId: c.d.doctor.id, patientId: c.f.patients[0].id, start: at(start), end: at(end), reason: PHI.reason, notes: PHI.notes });
  expect(res.status).toBe(201);
  return (await json(res)).appointment;
}

async function poll(integrationId: string, doctorId: string) {
  await env.DB.prepare("UPDATE integration_calendars SET last_polled_at = 0 WHERE integration_id = ?").bind(integrationId).run();
  await hubOf(doctorId).kick(doctorId);
  await settle(doctorId);
}

describe("iCloud (in-process fake of iCloud's differences)", () => {
  it("wrong app-specific password → 422 with the how-to, nothing stored", async () => {
    const { d, doctor } = await makeDoctor();
    const res = await doctor.post("/api/integrations/caldav/connect", { kind: "icloud", username: fake.appleId, password: "my-real-apple-id-password" });
    expect(res.status).toBe(422);
    const b = await json(res);
    expect(b.error.code).toBe("caldav_auth_failed");
    expect(b.error.message).toContain("appleid.apple.com");
    expect(b.error.message).toContain("App-Specific Passwords");
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM calendar_integrations WHERE doctor_id = ?").bind(d.doctor.id).first()).toEqual({ n: 0 });
  });

  it("discovery: well-known redirect, home on the partition host; only event calendars offered", async () => {
    fake.requests = [];
    const c = await connect();
    expect(c.integration.calendars.map((x: any) => x.summary)).toEqual(["Home", "Work"]);
    expect(c.integration.hiddenCalendars).toEqual([{ summary: "Reminders", reason: expect.stringContaining("VTODO") }]);
    expect(c.integration.writeCalendarId).toBe(fake.calendarUrl("home"));
    const hosts = fake.requests.map((r) => `${r.method} ${new URL(r.url).host}${new URL(r.url).pathname}`);
    expect(hosts.slice(0, 3)).toEqual(["PROPFIND caldav.icloud.com/.well-known/caldav", "PROPFIND caldav.icloud.com/", `PROPFIND caldav.icloud.com/${fake.dsid}/principal/`]);
    expect(hosts).toContain(`PROPFIND ${fake.partition}/${fake.dsid}/calendars/`);
  });

  it("a redirect to another domain during discovery is refused (422), and that host is never called", async () => {
    fake.principalRedirect = "https://evil.example/steal";
    try {
      const { doctor } = await makeDoctor();
      fake.requests = [];
      const res = await doctor.post("/api/integrations/caldav/connect", { kind: "icloud", username: fake.appleId, password: fake.password });
      expect(res.status).toBe(422);
      expect((await json(res)).error.code).toBe("unsafe_server_url");
      expect(fake.requests.some((r) => r.url.includes("evil.example"))).toBe(false);
    } finally {
      fake.principalRedirect = null;
    }
  });

  it("PUT answered without an ETag (iCloud rewrote it): the stored ETag is read back; no PHI stored", async () => {
    const c = await connect();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.d.doctor.id);
    const stored = fake.calendars.get("home")!.items.get(`${appt.id}.ics`)!;
    expect(stored.data).toContain("X-APPLE-TRAVEL-ADVISORY-BEHAVIOR"); // rewritten by the server
    for (const secret of Object.values(PHI)) expect(stored.data).not.toContain(secret);
    const link = await env.DB.prepare("SELECT etag FROM appointment_links WHERE appointment_id = ?").bind(appt.id).first<{ etag: string }>();
    expect(link!.etag).toBe(stored.etag);
  });

  it("a server-side rewrite changes the ETag only: no change in ACMS, no notice; the next reschedule writes without a conflict", async () => {
    const c = await connect();
    const appt = await book(c, "11:00", "11:30");
    await settle(c.d.doctor.id);
    fake.rewriteAll("home");
    await poll(c.integration.id, c.d.doctor.id);
    const cur = (await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment;
    expect(cur.version).toBe(appt.version);
    expect(await notices(c.d.user.id, "sync_conflict")).toHaveLength(0);
    const stored = fake.calendars.get("home")!.items.get(`${appt.id}.ics`)!;
    const link = await env.DB.prepare("SELECT etag FROM appointment_links WHERE appointment_id = ?").bind(appt.id).first<{ etag: string }>();
    expect(link!.etag).toBe(stored.etag); // learned the new ETag
    fake.requests = [];
    const res = await authed(c.f.tokens.receptionist).patch(`/api/appointments/${appt.id}`, { version: appt.version, start: at("13:00"), end: at("13:30") });
    expect(res.status).toBe(200);
    await settle(c.d.doctor.id);
    const puts = fake.requests.filter((r) => r.method === "PUT");
    expect(puts).toHaveLength(1);
    expect(puts[0].headers["if-match"]).toBe(stored.etag);
    expect(fake.calendars.get("home")!.items.get(`${appt.id}.ics`)!.data).toContain(`DTSTART;TZID=Europe/London:${icsDay(0)}T130000`);
    expect(await notices(c.d.user.id, "sync_conflict")).toHaveLength(0);
  });

  it("a throttled poll (503 Retry-After) backs the account off (hub and cron) and catches up afterwards", async () => {
    // Earlier tests' appointments are still in this shared fake account; each test's doctor is in
    // a clinic of its own, so to this one they are another clinic's events: busy time.
    fake.calendars.get("home")!.items.clear();
    const c = await connect();
    fake.put("home", "dentist.ics", ["BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:dentist", "DTSTAMP:20261101T000000Z", `DTSTART:${icsDay(0)}T150000Z`, `DTEND:${icsDay(0)}T160000Z`, "SUMMARY:Dentist", "END:VEVENT", "END:VCALENDAR", ""].join("\r\n"));
    fake.throttle = { count: 100, retryAfter: "120" };
    await poll(c.integration.id, c.d.doctor.id);
    const row = await env.DB.prepare("SELECT last_error, backoff_until FROM calendar_integrations WHERE id = ?").bind(c.integration.id).first<any>();
    expect(row.last_error).toMatch(/iCloud asked us to wait \(.*503.*\); no calls to this account until/);
    expect(fake.throttle!.count).toBe(99); // one request: a 120 s Retry-After is not waited out inline
    expect(row.backoff_until).toBeGreaterThan(Date.now() + 100_000);
    // Until then neither the hub nor the cron polls this account.
    fake.throttle = null;
    fake.requests = [];
    await poll(c.integration.id, c.d.doctor.id);
    const { doctorsNeedingSync } = await import("../../../worker/sync/cron");
    expect(await doctorsNeedingSync(env, Date.now())).not.toContain(c.d.doctor.id);
    expect(fake.requests).toHaveLength(0);
    // Two minutes later (the backoff expired): the poll catches up.
    await env.DB.prepare("UPDATE calendar_integrations SET backoff_until = ? WHERE id = ?").bind(Date.now() - 1, c.integration.id).run();
    await poll(c.integration.id, c.d.doctor.id);
    const b = await env.DB.prepare("SELECT start_ms, end_ms FROM blocked_times WHERE doctor_id = ?").bind(c.d.doctor.id).all<any>();
    expect(b.results.map((x) => [new Date(x.start_ms).toISOString(), new Date(x.end_ms).toISOString()])).toEqual([[at("15:00"), at("16:00")]]);
  });

  it("a server without sync-collection: getctag decides, a change lists the window (calendar-query); idle stays one request", async () => {
    fake.syncCollection = false;
    fake.calendars.get("home")!.items.clear(); // earlier tests' events (the same fake account)
    try {
      const c = await connect();
      const ev = (uid: string, start: string, end: string) =>
        ["BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20261101T000000Z", `DTSTART:${start}`, `DTEND:${end}`, "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");
      const spans = async () =>
        (await env.DB.prepare("SELECT start_ms FROM blocked_times WHERE doctor_id = ? ORDER BY start_ms").bind(c.d.doctor.id).all<any>()).results.map((x) => new Date(x.start_ms).toISOString());
      fake.put("home", "a.ics", ev("a", `${icsDay(0)}T090000Z`, `${icsDay(0)}T100000Z`));
      fake.put("home", "b.ics", ev("b", `${icsDay(0)}T140000Z`, `${icsDay(0)}T150000Z`));
      await poll(c.integration.id, c.d.doctor.id);
      expect(await spans()).toEqual([at("09:00"), at("14:00")]);
      fake.calendars.get("home")!.items.get("a.ics")!.deleted = true;
      fake.calendars.get("home")!.items.get("a.ics")!.rev = ++fake.rev;
      fake.requests = [];
      await poll(c.integration.id, c.d.doctor.id);
      expect(await spans()).toEqual([at("14:00")]);
      expect(fake.requests.some((r) => r.body.includes("calendar-query"))).toBe(true);
      expect(fake.requests.some((r) => r.body.includes("sync-collection"))).toBe(false);
      fake.requests = [];
      await poll(c.integration.id, c.d.doctor.id);
      expect(fake.requests.map((r) => r.method)).toEqual(["PROPFIND"]); // unchanged ctag: one request
    } finally {
      fake.syncCollection = true;
    }
  });

  it("a truncated sync report (507 on the collection) is followed to the end within one poll", async () => {
    fake.calendars.get("home")!.items.clear();
    const c = await connect();
    fake.syncPageSize = 2;
    try {
      for (let i = 0; i < 5; i++)
        fake.put("home", `t${i}.ics`, ["BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", `UID:t${i}`, "DTSTAMP:20261101T000000Z", `DTSTART:${icsDay(1)}T0${i}0000Z`, `DTEND:${icsDay(1)}T0${i}3000Z`, "END:VEVENT", "END:VCALENDAR", ""].join("\r\n"));
      fake.requests = [];
      await poll(c.integration.id, c.d.doctor.id);
      expect(fake.requests.filter((r) => r.body.includes("sync-collection"))).toHaveLength(3);
      expect(fake.requests.filter((r) => r.body.includes("calendar-multiget"))).toHaveLength(1);
      const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM blocked_times WHERE doctor_id = ?").bind(c.d.doctor.id).first<{ n: number }>();
      expect(n!.n).toBe(5);
    } finally {
      fake.syncPageSize = 0;
    }
  });
});
