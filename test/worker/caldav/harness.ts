// Shared set-up for the CalDAV tests against a REAL Radicale (started by the
// globalSetup test/fakes/caldav/radicale-global.ts, reached from workerd over
// loopback http, allowed by CALDAV_ALLOW_HTTP_LOOPBACK=1 in vitest.config.ts).
// Each test gets its own Radicale user (via the tiny admin endpoint), so test
// files never see each other's calendars.
import { env as cfEnv } from "cloudflare:workers";
import { inject } from "vitest";
import type { Env } from "../../../worker/env";
import { authed, json, makeClinic, type ClinicFixture } from "../../helpers";
import { DAY } from "../../days";

export const env = cfEnv as unknown as Env;

export function radicale() {
  const r = inject("radicale");
  // Never a silent skip: without Radicale every CalDAV test fails with how to install it.
  if (!r || r.error || !r.url) throw new Error(r?.error || "Radicale was not started by test/fakes/caldav/radicale-global.ts (globalSetup missing?)");
  return r;
}

let n = 0;
export interface DavUser {
  user: string;
  password: string;
  base: string;
  /** Raw requests as another CalDAV client would make them (not through our code). */
  req(method: string, path: string, init?: { body?: string; headers?: Record<string, string> }): Promise<Response>;
  calendarUrl(name: string): string;
}

export async function setPassword(user: string, password: string) {
  const r = await fetch(`${radicale().adminUrl}/users`, { method: "POST", body: JSON.stringify({ user, password }) });
  if (r.status !== 204) throw new Error(`radicale admin: ${r.status} ${await r.text()}`);
}

export async function newDavUser(calendars: { name: string; display: string; comps?: string[] }[] = [{ name: "work", display: "Work" }]): Promise<DavUser> {
  const { url } = radicale();
  // An e-mail-like user name, as an Apple ID is (Radicale's hrefs then carry "%40").
  const user = `dr${Date.now().toString(36)}${n++}${Math.random().toString(36).slice(2, 6)}@mail.test`;
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  await setPassword(user, password);
  const auth = `Basic ${btoa(`${user}:${password}`)}`;
  const u: DavUser = {
    user,
    password,
    base: url,
    req: (method, path, init = {}) => fetch(new URL(path, url), { method, body: init.body, headers: { authorization: auth, ...init.headers } }),
    calendarUrl: (name) => `${url}/${user}/${name}/`,
  };
  // The principal collection first (Radicale creates it on first authenticated access).
  await (await u.req("PROPFIND", `/${user}/`, { headers: { depth: "0" } })).text();
  for (const c of calendars) {
    const comps = (c.comps ?? ["VEVENT"]).map((x) => `<C:comp name="${x}"/>`).join("");
    // Extended MKCOL (RFC 5689): workerd's fetch has no MKCALENDAR method.
    const r = await u.req("MKCOL", `/${user}/${c.name}/`, {
      headers: { "content-type": "application/xml" },
      body: `<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>${c.display}</D:displayname><C:supported-calendar-component-set>${comps}</C:supported-calendar-component-set></D:prop></D:set></D:mkcol>`,
    });
    if (r.status !== 201) throw new Error(`MKCOL ${c.name}: ${r.status} ${await r.text()}`);
  }
  return u;
}

/** Resource paths and ETags in a calendar, read raw (PROPFIND Depth 1). */
export async function listRaw(u: DavUser, cal: string): Promise<{ href: string; etag: string }[]> {
  const r = await u.req("PROPFIND", `/${u.user}/${cal}/`, {
    headers: { depth: "1", "content-type": "application/xml" },
    body: `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>`,
  });
  const xml = await r.text();
  const out: { href: string; etag: string }[] = [];
  for (const m of xml.matchAll(/<(?:\w+:)?response>([\s\S]*?)<\/(?:\w+:)?response>/g)) {
    const href = /<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/.exec(m[1])?.[1] ?? "";
    const etag = /<(?:\w+:)?getetag>([^<]+)<\/(?:\w+:)?getetag>/.exec(m[1])?.[1] ?? "";
    if (href.endsWith(".ics")) out.push({ href, etag: etag.replace(/&quot;/g, '"') });
  }
  return out;
}

export const hubOf = (doctorId: string) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId));
export async function settle(doctorId: string, rounds = 3) {
  for (let i = 0; i < rounds; i++) await hubOf(doctorId).idle();
}

export const PHI = {
  name: "Zebedee Quartermaine",
  phone: "+44 7700 900123",
  email: "zebedee.q@mail.example",
  reason: "Recurring chest pain",
  notes: "Allergic to penicillin",
};

export interface Connected {
  f: ClinicFixture;
  doctorId: string;
  userId: string;
  doctor: ReturnType<typeof authed>;
  integrationId: string;
  dav: DavUser;
  writeCal: string;
}

export async function makeDoctor() {
  const f = await makeClinic({ timeZone: "Europe/London", patients: [{ name: PHI.name, phone: PHI.phone, email: PHI.email }, {}] });
  const d = f.doctors[0];
  return { f, d, doctor: authed(d.token) };
}

export async function connectDoctor(calendars?: Parameters<typeof newDavUser>[0]): Promise<Connected> {
  const dav = await newDavUser(calendars);
  const { f, d, doctor } = await makeDoctor();
  const res = await doctor.post("/api/integrations/caldav/connect", { kind: "other", serverUrl: dav.base, username: dav.user, password: dav.password });
  if (res.status !== 201) throw new Error(`connect: ${res.status} ${await res.text()}`);
  const body = await json(res);
  await settle(d.doctor.id);
  return { f, doctorId: d.doctor.id, userId: d.user.id, doctor, integrationId: body.integration.id, dav, writeCal: body.integration.writeCalendarId };
}

/** A Monday in the future, in winter (London = UTC): working hours 09–12, 13–17. */
export { DAY };
export const at = (hhmm: string, day = DAY) => `${day}T${hhmm}:00.000Z`;

export async function book(c: Connected, startHhmm: string, endHhmm: string, day = DAY) {
  const res = await c.doctor.post("/api/appointments", {
    doctorId: c.doctorId,
    patientId: c.f.patients[0].id,
    start: at(startHhmm, day),
    end: at(endHhmm, day),
    reason: PHI.reason,
    notes: PHI.notes,
  });
  if (res.status !== 201) throw new Error(`book: ${res.status} ${await res.text()}`);
  return (await json(res)).appointment as { id: string; version: number; start: string; end: string; status: string };
}

export const ics = (...events: string[]) =>
  ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Other client//EN", ...events, "END:VCALENDAR", ""].join("\r\n");

/** PUT a resource as another CalDAV client would; returns the new ETag. */
export async function putRaw(u: DavUser, cal: string, name: string, text: string, ifMatch?: string) {
  const r = await u.req("PUT", `/${u.user}/${cal}/${name}`, { body: text, headers: { "content-type": "text/calendar; charset=utf-8", ...(ifMatch ? { "if-match": ifMatch } : {}) } });
  if (r.status !== 201 && r.status !== 204) throw new Error(`PUT ${name}: ${r.status} ${await r.text()}`);
  return r.headers.get("etag");
}

/** Make every synced calendar of the integration due now and run the doctor's hub (what the 5-minute cron does). */
export async function poll(c: { integrationId: string; doctorId: string }) {
  await env.DB.prepare("UPDATE integration_calendars SET last_polled_at = 0 WHERE integration_id = ?").bind(c.integrationId).run();
  await hubOf(c.doctorId).kick(c.doctorId);
  await settle(c.doctorId);
}

export const blocks = (doctorId: string) =>
  env.DB.prepare("SELECT * FROM blocked_times WHERE doctor_id = ? AND source = 'caldav' ORDER BY start_ms").bind(doctorId).all<any>().then((r) => r.results);
export const spans = async (doctorId: string) =>
  (await blocks(doctorId)).map((b: any) => [new Date(b.start_ms).toISOString(), new Date(b.end_ms).toISOString(), !!b.all_day]);
export const notices = (userId: string, kind: string) =>
  env.DB.prepare("SELECT * FROM notices WHERE user_id = ? AND kind = ?").bind(userId, kind).all<any>().then((r) => r.results);
export const metrics = (integrationId: string) =>
  env.DB.prepare("SELECT metrics FROM calendar_integrations WHERE id = ?").bind(integrationId).first<{ metrics: string }>().then((r) => JSON.parse(r!.metrics) as { ok: number; failed: number });
