// Reconnecting CalDAV to ANOTHER server or account (review finding 1, security): the new
// account's password must never reach the old server, and sync must carry on in the new
// one. "Server A" is the real Radicale reached through a second loopback origin
// (http://127.0.0.2:<port>, proxied by a test-only fetch wrapper to 127.0.0.1), so the
// two servers have different origins; "server B" is Radicale at its own origin with
// another user. Every request the Worker makes is recorded with its Authorization.
import { sameCalDavAccount } from "../../../worker/routes/integrations-caldav";
import { describe, expect, it } from "vitest";
import { authed, json } from "../../helpers";
import { ForeignServerError, DavTransport } from "../../../worker/providers/caldav/transport";
import { CalDavClient } from "../../../worker/providers/caldav/client";
import { at, blocks, book, env, hubOf, ics, listRaw, makeDoctor, newDavUser, poll, putRaw, radicale, settle, type Connected, type DavUser } from "./harness";
import { dayPlus, icsDay } from "../../days";

interface Sent {
  url: string;
  method: string;
  auth: string | null;
}

/** Records every fetch; requests to `alias` go to `real` (Location headers mapped back). */
function installNet(alias: string | null, real: string) {
  const original = globalThis.fetch;
  const sent: Sent[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input as RequestInfo, init);
    sent.push({ url: req.url, method: req.method, auth: req.headers.get("authorization") });
    if (!alias || !req.url.startsWith(alias)) return original(req);
    const res = await original(new Request(real + req.url.slice(alias.length), req));
    const loc = res.headers.get("location");
    if (!loc?.startsWith(real)) return res;
    const headers = new Headers(res.headers);
    headers.set("location", alias + loc.slice(real.length));
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }) as typeof fetch;
  return { sent, uninstall: () => void (globalThis.fetch = original) };
}

const basicOf = (u: DavUser) => `Basic ${btoa(`${u.user}:${u.password}`)}`;
const DAY2 = dayPlus(1);
const ev = (uid: string, s: string, e: string) => ["BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20261101T000000Z", `DTSTART:${s}`, `DTEND:${e}`, "END:VEVENT"].join("\r\n");

async function connectAt(serverUrl: string, dav: DavUser, existing?: Connected): Promise<Connected> {
  const m = existing ?? (await makeDoctor());
  const doctor = existing ? existing.doctor : (m as Awaited<ReturnType<typeof makeDoctor>>).doctor;
  const res = await doctor.post("/api/integrations/caldav/connect", { kind: "other", serverUrl, username: dav.user, password: dav.password });
  if (res.status !== (existing ? 200 : 201)) throw new Error(`connect: ${res.status} ${await res.text()}`);
  const body = await json(res);
  if (existing) return { ...existing, dav, writeCal: body.integration.writeCalendarId, integrationId: body.integration.id };
  const { f, d } = m as Awaited<ReturnType<typeof makeDoctor>>;
  await settle(d.doctor.id);
  return { f, doctorId: d.doctor.id, userId: d.user.id, doctor, integrationId: body.integration.id, dav, writeCal: body.integration.writeCalendarId };
}

/** Settles until the doctor's outbox is drained (a loaded Radicale may time a write out once: it is retried now, not in 2 s). */
async function drained(doctorId: string) {
  for (let i = 0; i < 10; i++) {
    await settle(doctorId);
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM sync_outbox WHERE doctor_id = ? AND state = 'pending'").bind(doctorId).first<{ n: number }>();
    if (!left!.n) return;
    await env.DB.prepare("UPDATE sync_outbox SET next_attempt_at = 0 WHERE doctor_id = ? AND state = 'pending'").bind(doctorId).run();
    await hubOf(doctorId).kick(doctorId);
  }
}

describe("CalDAV reconnect to another server/account", () => {
  it("B's password never goes to A; the upcoming appointments land in B; A's busy blocks and links go", async () => {
    const real = radicale().url;
    const alias = `http://127.0.0.2:${new URL(real).port}`;
    const net = installNet(alias, real);
    try {
      const a = await newDavUser();
      const b = await newDavUser();
      const c = await connectAt(alias, a);
      expect(new URL(c.writeCal).origin).toBe(alias);
      const one = await book(c, "09:00", "09:30", DAY2);
      const two = await book(c, "10:00", "10:30", DAY2);
      await putRaw(a, "work", "lunch.ics", ics(ev("lunch", `${icsDay(1)}T120000Z`, `${icsDay(1)}T130000Z`)));
      await drained(c.doctorId);
      await poll(c);
      expect((await listRaw(a, "work")).map((r) => r.href.split("/").at(-1)).sort()).toEqual([`${one.id}.ics`, `${two.id}.ics`, "lunch.ics"].sort());
      expect(await blocks(c.doctorId)).toHaveLength(1);

      const mark = net.sent.length;
      const c2 = await connectAt(real, b, c);
      expect(c2.integrationId).toBe(c.integrationId);
      expect(new URL(c2.writeCal).origin).toBe(real);
      await drained(c.doctorId);
      await poll(c2);
      await drained(c.doctorId);

      // Nothing with B's credentials went to A (neither its origin nor A's collections).
      const aPath = `/${encodeURIComponent(a.user)}/`;
      const leaked = net.sent
        .slice(mark)
        .filter((r) => r.auth === basicOf(b) && (new URL(r.url).origin !== real || new URL(r.url).pathname.startsWith(aPath) || new URL(r.url).pathname.startsWith(`/${a.user}/`)));
      expect(leaked).toEqual([]);
      // The upcoming appointments are in B, synced; A's busy time is gone from ACMS.
      expect((await listRaw(b, "work")).map((r) => r.href.split("/").at(-1)).sort()).toEqual([`${one.id}.ics`, `${two.id}.ics`].sort());
      expect(await blocks(c.doctorId)).toEqual([]);
      const links = await env.DB.prepare("SELECT external_calendar_id, state FROM appointment_links WHERE integration_id = ? ORDER BY appointment_id").bind(c.integrationId).all<any>();
      expect(links.results).toEqual([
        { external_calendar_id: c2.writeCal, state: "synced" },
        { external_calendar_id: c2.writeCal, state: "synced" },
      ]);
      const rows = await env.DB.prepare("SELECT state, COUNT(*) AS n FROM sync_outbox WHERE doctor_id = ? AND state != 'done' GROUP BY state").bind(c.doctorId).all<any>();
      expect(rows.results).toEqual([]);
      const integ = await env.DB.prepare("SELECT status, last_error FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<any>();
      expect(integ).toEqual({ status: "active", last_error: null });
      const cals = await env.DB.prepare("SELECT calendar_id FROM integration_calendars WHERE integration_id = ?").bind(c.integrationId).all<any>();
      expect(cals.results.every((r: any) => new URL(r.calendar_id).origin === real)).toBe(true);
      // A's events stay there (only A's password could remove them).
      expect(await listRaw(a, "work")).toHaveLength(3);
    } finally {
      net.uninstall();
    }
  });

  it("a link into a calendar that is not the integration's is never deleted there: forgotten, and the event is written to the write calendar", async () => {
    const real = radicale().url;
    const net = installNet(null, real);
    try {
      // Both users first: Radicale re-reads its password file, which the admin endpoint rewrites.
      const other = await newDavUser();
      const c = await connectAt(real, await newDavUser());
      const moved = await book(c, "09:00", "09:30", DAY2);
      const cancelled = await book(c, "11:00", "11:30", DAY2);
      await drained(c.doctorId);
      expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM appointment_links WHERE integration_id = ? AND state = 'synced'").bind(c.integrationId).first("n")).toBe(2);
      // Both links point (as after an account change) at a calendar on the same server that is
      // not one of this integration's: another user's collection, where the event also exists.
      const foreignCal = other.calendarUrl("work");
      for (const appt of [moved, cancelled]) {
        await putRaw(other, "work", `${appt.id}.ics`, ics(ev(appt.id, `${icsDay(1)}T090000Z`, `${icsDay(1)}T093000Z`)));
        await env.DB.prepare("UPDATE appointment_links SET external_calendar_id = ?, external_id = ? WHERE appointment_id = ?")
          .bind(foreignCal, `${new URL(foreignCal).pathname}${appt.id}.ics`, appt.id)
          .run();
      }
      const mark = net.sent.length;
      const r1 = await authed(c.f.tokens.receptionist).patch(`/api/appointments/${moved.id}`, { version: moved.version, start: at("10:00", DAY2), end: at("10:30", DAY2) });
      expect(r1.status).toBe(200);
      expect((await c.doctor.post(`/api/appointments/${cancelled.id}/cancel`, { version: cancelled.version })).status).toBe(200);
      await drained(c.doctorId);

      const foreignPath = new URL(foreignCal).pathname;
      expect(net.sent.slice(mark).filter((r) => r.auth === basicOf(c.dav) && new URL(r.url).pathname.startsWith(foreignPath))).toEqual([]);
      expect((await listRaw(other, "work")).map((r) => r.href.split("/").at(-1)).sort()).toEqual([`${moved.id}.ics`, `${cancelled.id}.ics`].sort());
      const l1 = await env.DB.prepare("SELECT external_calendar_id, state FROM appointment_links WHERE appointment_id = ?").bind(moved.id).first<any>();
      expect(l1).toEqual({ external_calendar_id: c.writeCal, state: "synced" });
      const l2 = await env.DB.prepare("SELECT state FROM appointment_links WHERE appointment_id = ?").bind(cancelled.id).first<any>();
      expect(l2).toEqual({ state: "deleted" });
      const failed = await env.DB.prepare("SELECT COUNT(*) AS n FROM sync_outbox WHERE doctor_id = ? AND state != 'done'").bind(c.doctorId).first<{ n: number }>();
      expect(failed!.n).toBe(0);
    } finally {
      net.uninstall();
    }
  });

  it("the transport sends credentials only to the account's server: another origin is refused before any request", async () => {
    const real = radicale().url;
    const alias = `http://127.0.0.2:${new URL(real).port}`;
    const net = installNet(alias, real);
    try {
      const u = await newDavUser();
      const t = new DavTransport({ username: u.user, password: u.password }, env, { retry: { attempts: 1 } });
      const client = new CalDavClient(
        { serverUrl: real, username: u.user, principalUrl: `${real}/${u.user}/`, homeUrl: `${real}/${u.user}/`, addresses: [], origins: [real] },
        t,
        "Europe/London",
        async () => ({ name: "C", domain: "c.example" }),
      );
      const mark = net.sent.length;
      await expect(t.fetch(`${alias}/${u.user}/work/`, { method: "PROPFIND" })).rejects.toBeInstanceOf(ForeignServerError);
      // A delete there is "not there for this account": done, nothing sent.
      await expect(client.deleteEvent(`${alias}/${u.user}/work/`, `/${u.user}/work/x.ics`, null)).resolves.toBeUndefined();
      expect(net.sent.slice(mark)).toEqual([]);
      expect(t.requests).toBe(0);
      // Its own server still works.
      expect((await t.fetch(`${real}/${u.user}/work/`, { method: "PROPFIND", headers: { depth: "0" } })).status).toBe(207);
    } finally {
      net.uninstall();
    }
  });
});

describe("a CalDAV reconnect is to the same account when discovery finds the same account", () => {
  const acct = (username: string, principalUrl: string, homeUrl: string) => ({ username, principalUrl, homeUrl });
  const icloud = acct("dr.smith@icloud.com", "https://p42-caldav.icloud.com/1234567/principal/", "https://p42-caldav.icloud.com/1234567/calendars/");
  const fastmail = acct("dr@fastmail.example", "https://caldav.fastmail.com/dav/principals/user/dr@fastmail.example/", "https://caldav.fastmail.com/dav/calendars/user/dr@fastmail.example/");
  it.each([
    ["the same Apple ID typed with other capitals", icloud, { ...icloud, username: "Dr.Smith@iCloud.com " }, true],
    ["the same account reached from another typed address (same principal)", fastmail, { ...fastmail }, true],
    ["a trailing slash more or less", fastmail, { ...fastmail, principalUrl: fastmail.principalUrl.replace(/\/$/, "") }, true],
    ["the same home after the principal moved", icloud, { ...icloud, principalUrl: "https://p42-caldav.icloud.com/1234567/principal2/" }, true],
    ["another user on the same server", fastmail, acct("other@fastmail.example", "https://caldav.fastmail.com/dav/principals/user/other@fastmail.example/", "https://caldav.fastmail.com/dav/calendars/user/other@fastmail.example/"), false],
    ["another server", icloud, acct("dr.smith@icloud.com", "https://cloud.example.org/remote.php/dav/principals/users/dr.smith/", "https://cloud.example.org/remote.php/dav/calendars/dr.smith/"), false],
  ])("%s", (_, prev, next, same) => {
    expect(sameCalDavAccount(prev, next)).toBe(same);
  });
});
