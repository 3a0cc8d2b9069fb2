import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FEED_TOKEN_BYTES } from "../../../worker/routes/feeds";
import { authed, countRows, makeClinic } from "../../helpers";
import { daysFromNow, insertAppointment, parseIcs, unfold } from "./fixtures";

const fetchFeed = (url: string, headers?: HeadersInit) => exports.default.fetch(url.replace("http://localhost:8787", "http://localhost"), { headers });

async function setup(privacy?: "busy" | "minimal") {
  const f = await makeClinic({ patients: [{ name: "Ada Lovelace-Byron" }, { name: "Émile Zola" }] });
  const d = f.doctors[0];
  const res = await authed(d.token).post(`/api/doctors/${d.doctor.id}/feed`, privacy ? { privacy } : {});
  expect(res.status).toBe(201);
  const { feed } = await res.json<any>();
  return { f, d, feed };
}

describe("feed management", () => {
  it("creates a feed with a ≥128-bit token shown once as https and webcal URLs; only its hash is stored", async () => {
    const { d, feed } = await setup();
    expect(feed.privacy).toBe("busy");
    const token = /\/feeds\/([A-Za-z0-9_-]+)\.ics$/.exec(feed.url)![1];
    expect(token.length).toBeGreaterThanOrEqual(Math.ceil((16 * 8) / 6));
    expect(FEED_TOKEN_BYTES).toBeGreaterThanOrEqual(16);
    expect(feed.webcalUrl).toBe(feed.url.replace("http://", "webcal://"));
    const row = await env.DB.prepare("SELECT feed_token_hash, feed_enabled FROM doctors WHERE id = ?").bind(d.doctor.id).first<any>();
    expect(row.feed_enabled).toBe(1);
    expect(row.feed_token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.feed_token_hash).not.toContain(token);
    const status = await (await authed(d.token).get(`/api/doctors/${d.doctor.id}/feed`)).json<any>();
    expect(status).toEqual({ feed: { enabled: true, privacy: "busy" } });
    expect(await countRows("audit_log", "entity_id = ? AND action = 'feed.create'", d.doctor.id)).toBe(1);
  });

  it("lets only the doctor themself or an admin manage it", async () => {
    const { f, d } = await setup();
    const other = f.doctors[1];
    expect((await authed(other.token).post(`/api/doctors/${d.doctor.id}/feed`, {})).status).toBe(403);
    expect((await authed(f.tokens.receptionist).delete(`/api/doctors/${d.doctor.id}/feed`)).status).toBe(403);
    expect((await authed(f.tokens.admin).patch(`/api/doctors/${d.doctor.id}/feed`, { privacy: "minimal" })).status).toBe(200);
    expect((await authed(f.tokens.admin).patch(`/api/doctors/${d.doctor.id}/feed`, { privacy: "full" })).status).toBe(422);
    const b = await makeClinic();
    expect((await authed(b.tokens.admin).post(`/api/doctors/${d.doctor.id}/feed`, {})).status).toBe(404);
  });
});

describe("GET /feeds/:token.ics", () => {
  it("serves busy-only events in the window with calendar name, refresh interval and cancelled kept", async () => {
    const { f, d, feed } = await setup();
    const [p1, p2] = f.patients;
    const inWindow = await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: p1.id, start: daysFromNow(2), notes: "NOTE-X", reason: "REASON-X" });
    const cancelled = await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: p2.id, start: daysFromNow(-3), status: "cancelled" });
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: p1.id, start: daysFromNow(-40) });
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: p1.id, start: daysFromNow(400) });
    await insertAppointment({ clinicId: f.clinic.id, doctorId: f.doctors[1].doctor.id, patientId: p1.id, start: daysFromNow(2) });
    const res = await fetchFeed(feed.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(res.headers.get("etag")).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(res.headers.get("last-modified")).toMatch(/GMT$/);
    const text = await res.text();
    const u = unfold(text);
    for (const secret of ["Ada", "Lovelace", "Émile", "Zola", "NOTE-X", "REASON-X", "@mail.example"]) expect(u).not.toContain(secret);
    expect(text).toMatch(/\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n/);
    expect(text).toMatch(/\r\nX-PUBLISHED-TTL:PT15M\r\n/);
    expect(u).toContain(`X-WR-CALNAME:${d.doctor.name} - ${f.clinic.name}`);
    expect(u).toContain(`\r\nNAME:${d.doctor.name} - ${f.clinic.name}`);
    const evs = parseIcs(text).getAllSubcomponents("vevent");
    const byUid = new Map(evs.map((e) => [e.getFirstPropertyValue("uid"), e]));
    expect([...byUid.keys()].sort()).toEqual([`${inWindow}@acms.example`, `${cancelled}@acms.example`].sort());
    expect(byUid.get(`${cancelled}@acms.example`)!.getFirstPropertyValue("status")).toBe("CANCELLED");
    for (const e of evs) expect(e.getFirstPropertyValue("summary")).toBe("Patient Appointment");
    // Feeds are compact: no alarms or descriptions (subscribed clients ignore/strip alarms).
    for (const e of evs) expect(e.getAllSubcomponents("valarm")).toHaveLength(0);
    expect(text).not.toContain("DESCRIPTION");
  });

  it("sends gzip to clients that accept it, from the render and from the cache, with the same content", async () => {
    const { f, d, feed } = await setup();
    for (let i = 0; i < 20; i++) await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[0].id, start: daysFromNow(i + 1) });
    // The runtime's fetch decodes Content-Encoding: gzip for the caller, as HTTP clients do.
    const inflate = (res: Response) => res.text();
    const cold = await fetchFeed(feed.url, { "accept-encoding": "gzip, deflate, br" });
    expect(cold.headers.get("x-acms-feed-cache")).toBe("miss");
    expect(cold.headers.get("content-encoding")).toBe("gzip");
    expect(cold.headers.get("vary")).toBe("accept-encoding");
    const coldText = await inflate(cold);
    const warm = await fetchFeed(feed.url, { "accept-encoding": "gzip" });
    expect(warm.headers.get("x-acms-feed-cache")).toBe("hit");
    expect(warm.headers.get("content-encoding")).toBe("gzip");
    expect(await inflate(warm)).toBe(coldText);
    const plain = await fetchFeed(feed.url, { "accept-encoding": "identity" });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(coldText);
    expect(parseIcs(coldText).getAllSubcomponents("vevent")).toHaveLength(20);
  });

  it("minimal privacy shows initials and type only", async () => {
    const { f, d, feed } = await setup("minimal");
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[0].id, start: daysFromNow(1), type: "vaccination", notes: "NOTE-Y" });
    const text = await (await fetchFeed(feed.url)).text();
    expect(unfold(text)).not.toMatch(/Ada|Lovelace|NOTE-Y/);
    expect(parseIcs(text).getFirstSubcomponent("vevent")!.getFirstPropertyValue("summary")).toBe("A.L.B. - Vaccination");
  });

  it("answers 304 to If-None-Match and If-Modified-Since, serves the cache when warm, and re-renders after a change", async () => {
    const { f, d, feed } = await setup();
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[0].id, start: daysFromNow(1) });
    const first = await fetchFeed(feed.url);
    const etag = first.headers.get("etag")!;
    const body = await first.text();
    expect(first.headers.get("x-acms-feed-cache")).toBe("miss");

    const notModified = await fetchFeed(feed.url, { "if-none-match": etag });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe("");

    const warm = await fetchFeed(feed.url);
    expect(warm.status).toBe(200);
    expect(warm.headers.get("x-acms-feed-cache")).toBe("hit");
    expect(await warm.text()).toBe(body);
    const ims = await fetchFeed(feed.url, { "if-modified-since": warm.headers.get("last-modified")! });
    expect(ims.status).toBe(304);

    // A change to the doctor's calendar goes through DoctorHub.publish, which bumps the version.
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[1].id, start: daysFromNow(5) });
    const hub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(d.doctor.id));
    await hub.publish(d.doctor.id, { kind: "appointment", op: "created", doctorId: d.doctor.id, record: {} });
    const stale = await fetchFeed(feed.url, { "if-none-match": etag });
    expect(stale.status).toBe(200);
    expect(stale.headers.get("etag")).not.toBe(etag);
    expect(stale.headers.get("x-acms-feed-cache")).toBe("miss");
    expect(parseIcs(await stale.text()).getAllSubcomponents("vevent")).toHaveLength(2);
  });

  it("answers HEAD like GET without a body", async () => {
    const { feed } = await setup();
    const get = await fetchFeed(feed.url);
    const head = await exports.default.fetch(feed.url.replace("http://localhost:8787", "http://localhost"), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(get.headers.get("etag"));
    expect(await head.text()).toBe("");
  });

  it("rotation kills the old URL at once; disabling kills the new one; wrong tokens are 404", async () => {
    const { d, feed } = await setup();
    expect((await fetchFeed(feed.url)).status).toBe(200);
    const rotated = (await (await authed(d.token).post(`/api/doctors/${d.doctor.id}/feed`, {})).json<any>()).feed;
    expect(rotated.url).not.toBe(feed.url);
    expect((await fetchFeed(feed.url)).status).toBe(404);
    expect((await fetchFeed(rotated.url)).status).toBe(200);
    expect((await authed(d.token).delete(`/api/doctors/${d.doctor.id}/feed`)).status).toBe(200);
    expect((await fetchFeed(rotated.url)).status).toBe(404);
    expect((await exports.default.fetch("http://localhost/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics")).status).toBe(404);
    expect((await exports.default.fetch("http://localhost/feeds/short.ics")).status).toBe(404);
    expect((await exports.default.fetch("http://localhost/feeds/nothing")).status).toBe(404);
  });
});

describe("feed window configuration", () => {
  it("reads FEED_DAYS_BACK / FEED_DAYS_AHEAD, falling back to 30 / 365 on bad values", async () => {
    const { feedDays, feedWindow } = await import("../../../worker/ics/feed");
    expect(feedDays({})).toEqual({ back: 30, ahead: 365 });
    expect(feedDays({ FEED_DAYS_BACK: "7", FEED_DAYS_AHEAD: "90" })).toEqual({ back: 7, ahead: 90 });
    expect(feedDays({ FEED_DAYS_BACK: "-1", FEED_DAYS_AHEAD: "lots" })).toEqual({ back: 30, ahead: 365 });
    const now = Date.parse("2026-06-15T13:00:00Z");
    expect(feedWindow(now, { back: 7, ahead: 90 })).toEqual({ fromMs: Date.parse("2026-06-08T00:00:00Z"), toMs: Date.parse("2026-09-14T00:00:00Z") });
  });
});
