import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FEED_TOKEN_BYTES } from "../../../worker/routes/feeds";
import { authed, countRows, makeClinic } from "../../helpers";
import { daysFromNow, insertAppointment, parseIcs, published, unfold } from "./fixtures";

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
    await published(d.doctor.id);
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

  it("sends gzip to clients that accept it, from the stored body and from a render, with the same content", async () => {
    const { f, d, feed } = await setup();
    for (let i = 0; i < 20; i++) await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[0].id, start: daysFromNow(i + 1) });
    await published(d.doctor.id);
    // The runtime's fetch decodes Content-Encoding: gzip for the caller, as HTTP clients do.
    const inflate = (res: Response) => res.text();
    const stored = await fetchFeed(feed.url, { "accept-encoding": "gzip, deflate, br" });
    expect(stored.headers.get("x-acms-feed-cache")).toBe("hit");
    expect(stored.headers.get("content-encoding")).toBe("gzip");
    const storedText = await inflate(stored);
    // No stored body (as before the first build): the request renders, the same bytes.
    await env.DB.prepare("DELETE FROM feed_bodies WHERE doctor_id = ?").bind(d.doctor.id).run();
    const cold = await fetchFeed(feed.url, { "accept-encoding": "gzip, deflate, br" });
    expect(cold.headers.get("x-acms-feed-cache")).toBe("miss");
    expect(cold.headers.get("content-encoding")).toBe("gzip");
    expect(cold.headers.get("vary")).toBe("accept-encoding");
    const coldText = await inflate(cold);
    expect(coldText).toBe(storedText);
    expect(cold.headers.get("etag")).toBe(stored.headers.get("etag"));
    await env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(d.doctor.id)).idle(); // the miss asked the hub to store it again
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
    await published(d.doctor.id);
    const text = await (await fetchFeed(feed.url)).text();
    expect(unfold(text)).not.toMatch(/Ada|Lovelace|NOTE-Y/);
    expect(parseIcs(text).getFirstSubcomponent("vevent")!.getFirstPropertyValue("summary")).toBe("A.L.B. - Vaccination");
  });

  it("answers 304 to If-None-Match and If-Modified-Since from the stored body, and serves a change once the hub rebuilt it", async () => {
    const { f, d, feed } = await setup();
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[0].id, start: daysFromNow(1) });
    await published(d.doctor.id);
    const first = await fetchFeed(feed.url);
    const etag = first.headers.get("etag")!;
    const body = await first.text();
    expect(first.headers.get("x-acms-feed-cache")).toBe("hit");

    for (const inm of [etag, etag.replace(/^W\//, ""), `"0000", ${etag}`, "*"]) {
      const notModified = await fetchFeed(feed.url, { "if-none-match": inm });
      expect(notModified.status, inm).toBe(304);
      expect(notModified.headers.get("etag")).toBe(etag);
      expect(await notModified.text()).toBe("");
    }
    const again = await fetchFeed(feed.url);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(body);
    const ims = await fetchFeed(feed.url, { "if-modified-since": again.headers.get("last-modified")! });
    expect(ims.status).toBe(304);

    // A change to the doctor's calendar goes through DoctorHub.publish, which rebuilds the stored body.
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[1].id, start: daysFromNow(5) });
    await published(d.doctor.id);
    const changed = await fetchFeed(feed.url, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(changed.headers.get("x-acms-feed-cache")).toBe("hit");
    expect(parseIcs(await changed.text()).getAllSubcomponents("vevent")).toHaveLength(2);
  });

  it("a booking through the API shows in the feed within a second, without rendering on the request", async () => {
    const { f, d, feed } = await setup();
    const before = await fetchFeed(feed.url);
    expect(parseIcs(await before.text()).getAllSubcomponents("vevent")).toHaveLength(0);
    const start = new Date(daysFromNow(3, 10));
    const res = await authed(f.tokens.receptionist).post("/api/appointments", {
      doctorId: d.doctor.id,
      patientId: f.patients[0].id,
      start: start.toISOString(),
      end: new Date(start.getTime() + 30 * 60_000).toISOString(),
    });
    expect(res.status).toBe(201);
    const t0 = Date.now();
    let events = 0;
    let cache = "";
    while (Date.now() - t0 < 1000) {
      const r = await fetchFeed(feed.url);
      cache = r.headers.get("x-acms-feed-cache") ?? "";
      events = parseIcs(await r.text()).getAllSubcomponents("vevent").length;
      if (events === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(events).toBe(1);
    expect(cache).toBe("hit");
  });

  it("never serves the stored body of another privacy; a stale shape is served once and rebuilt", async () => {
    const { f, d, feed } = await setup("minimal");
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[0].id, start: daysFromNow(1), type: "vaccination" });
    await published(d.doctor.id);
    expect(unfold(await (await fetchFeed(feed.url)).text())).toContain("SUMMARY:A.L.B. - Vaccination");
    // Privacy changed behind the hub's back (as if its rebuild had not run): no initials leak, the request renders.
    await env.DB.prepare("UPDATE doctors SET feed_privacy = 'busy' WHERE id = ?").bind(d.doctor.id).run();
    const busy = await fetchFeed(feed.url);
    expect(busy.headers.get("x-acms-feed-cache")).toBe("miss");
    const busyText = unfold(await busy.text());
    expect(busyText).not.toContain("A.L.B.");
    expect(busyText).toContain("SUMMARY:Patient Appointment");
    const hub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(d.doctor.id));
    await hub.idle();
    expect((await fetchFeed(feed.url)).headers.get("x-acms-feed-cache")).toBe("hit");

    // The clinic's address changed: the stored body is served as it is while the hub rebuilds it.
    await env.DB.prepare("UPDATE clinics SET address = '9 New Street' WHERE id = ?").bind(f.clinic.id).run();
    const stale = await fetchFeed(feed.url);
    expect(stale.headers.get("x-acms-feed-cache")).toBe("stale");
    expect(unfold(await stale.text())).not.toContain("9 New Street");
    await hub.idle();
    const fresh = await fetchFeed(feed.url);
    expect(fresh.headers.get("x-acms-feed-cache")).toBe("hit");
    expect(unfold(await fresh.text())).toContain("LOCATION:9 New Street");
  });

  it("stores one body per doctor with a feed and drops it when the feed is disabled", async () => {
    const { f, d, feed } = await setup();
    expect(await countRows("feed_bodies", "doctor_id = ?", d.doctor.id)).toBe(1);
    await published(f.doctors[1].doctor.id); // a doctor without a feed stores nothing
    expect(await countRows("feed_bodies", "doctor_id = ?", f.doctors[1].doctor.id)).toBe(0);
    expect((await authed(d.token).delete(`/api/doctors/${d.doctor.id}/feed`)).status).toBe(200);
    expect(await countRows("feed_bodies", "doctor_id = ?", d.doctor.id)).toBe(0);
    expect((await fetchFeed(feed.url)).status).toBe(404);
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
