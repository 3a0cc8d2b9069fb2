// The one OAuth connect flow (worker/routes/integrations-oauth.ts), run for every OAuth provider
// against its emulator: what a doctor relies on when connecting, and that hostile or failed
// callbacks answer a clear 4xx/5xx with nothing written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env as cfEnv } from "cloudflare:workers";
import type { Env } from "../../worker/env";
import { GoogleEmulator } from "../fakes/google/emulator";
import { installGoogleEmulator } from "../fakes/google/router";
import { GraphEmulator } from "../fakes/microsoft/emulator";
import { installGraphEmulator } from "../fakes/microsoft/router";
import { authed, json, makeClinic } from "../helpers";
import { chooseWriteCalendar } from "../../worker/providers/oauth-connector";
import type { ExternalCalendar } from "../../worker/providers/provider";

const env = cfEnv as unknown as Env;
const google = new GoogleEmulator({ clientId: env.GOOGLE_CLIENT_ID!, clientSecret: env.GOOGLE_CLIENT_SECRET! });
const graph = new GraphEmulator({ clientId: env.MICROSOFT_CLIENT_ID!, clientSecret: env.MICROSOFT_CLIENT_SECRET! });
const uninstall: (() => void)[] = [];
beforeAll(() => {
  uninstall.push(installGoogleEmulator(google), installGraphEmulator(graph));
});
afterAll(() => {
  for (const u of uninstall.reverse()) u();
});

interface Provider {
  name: "google" | "microsoft";
  /** A new account at the provider; returns its address. */
  addAccount(): string;
  consent(authorizeUrl: string, email: string): Promise<URL>;
  /** The next calendar-list read is refused (403, not retried). */
  failCalendarList(): void;
  product: string;
}

let n = 0;
const providers: Provider[] = [
  {
    name: "google",
    product: "Google Calendar",
    addAccount() {
      const email = `oc${Date.now().toString(36)}${n++}@gmail.test`;
      google.addAccount(email);
      return email;
    },
    consent: (url, email) => google.consent(url, email),
    failCalendarList: () => google.injectFault({ status: 403, reason: "forbidden", match: (r) => new URL(r.url).pathname.endsWith("/calendarList") }),
  },
  {
    name: "microsoft",
    product: "Outlook",
    addAccount() {
      const email = `oc${Date.now().toString(36)}${n++}@contoso.test`;
      graph.addAccount(email, { work: true });
      return email;
    },
    consent: async (url, email) => graph.consent(url, email),
    failCalendarList: () => graph.injectFault({ status: 403, code: "ErrorAccessDenied", match: (r) => new URL(r.url).pathname.endsWith("/calendars") }),
  },
];

async function doctorOf() {
  const f = await makeClinic({ doctors: 1, patients: 0 });
  return { f, doctor: authed(f.doctors[0].token), doctorId: f.doctors[0].doctor.id, userId: f.doctors[0].user.id };
}

/** connect → consent at the emulator: the callback URL the provider sends the browser to. */
async function consentUrl(p: Provider, doctor: ReturnType<typeof authed>, email: string): Promise<URL> {
  const start = await doctor.post(`/api/integrations/${p.name}/connect`, {});
  expect(start.status).toBe(200);
  return p.consent((await json(start)).authorizeUrl, email);
}

const callback = (doctor: ReturnType<typeof authed>, u: URL | string) =>
  doctor(typeof u === "string" ? u : u.pathname + u.search, { method: "GET", redirect: "manual" });

const integrationsOf = (doctorId: string) =>
  env.DB.prepare("SELECT * FROM calendar_integrations WHERE doctor_id = ?").bind(doctorId).all<any>().then((r) => r.results);
const auditOf = (id: string) =>
  env.DB.prepare("SELECT action FROM audit_log WHERE entity_id = ? ORDER BY id").bind(id).all<{ action: string }>().then((r) => r.results.map((x) => x.action));

describe.each(providers)("OAuth connect: $name", (p) => {
  it("connect → consent → callback: an active integration with the account, its calendars and a write calendar; reconnecting keeps its id", async () => {
    const { doctor, doctorId } = await doctorOf();
    const email = p.addAccount();
    const back = await consentUrl(p, doctor, email);
    expect(back.pathname).toBe(`/api/integrations/${p.name}/callback`);
    const res = await callback(doctor, back);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${env.APP_URL}/settings/integrations?integration=${p.name}&result=connected`);
    const [row] = await integrationsOf(doctorId);
    expect(row).toMatchObject({ provider: p.name, status: "active", account_email: email, own_listing_due: 1 });
    expect(row.write_calendar_id).toBeTruthy();
    expect(JSON.parse(row.busy_calendar_ids)).toHaveLength(1);
    expect(row.sealed_tokens).not.toContain("access"); // sealed, not JSON
    const cals = await env.DB.prepare("SELECT calendar_id FROM integration_calendars WHERE integration_id = ?").bind(row.id).all();
    expect(cals.results.map((c: any) => c.calendar_id)).toContain(row.write_calendar_id);

    const again = await callback(doctor, await consentUrl(p, doctor, email));
    expect(again.status).toBe(302);
    const rows = await integrationsOf(doctorId);
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBe(row.id);
    expect(await auditOf(row.id)).toEqual(["integration.connect", "integration.reconnect"]);
  });

  it("a refused consent redirects to settings with result=denied (or error), nothing written", async () => {
    const { doctor, doctorId } = await doctorOf();
    const back = await consentUrl(p, doctor, p.addAccount());
    const state = back.searchParams.get("state")!;
    for (const [error, result] of [
      ["access_denied", "denied"],
      ["server_error", "error"],
    ]) {
      const res = await callback(doctor, `/api/integrations/${p.name}/callback?error=${error}&state=${encodeURIComponent(state)}`);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe(`${env.APP_URL}/settings/integrations?integration=${p.name}&result=${result}`);
    }
    expect(await integrationsOf(doctorId)).toEqual([]);
  });

  it("hostile callbacks → 400 with the JSON error, nothing written", async () => {
    const { doctor, doctorId } = await doctorOf();
    const back = await consentUrl(p, doctor, p.addAccount());
    const code = back.searchParams.get("code")!;
    const state = back.searchParams.get("state")!;
    const other = providers.find((x) => x !== p)!;
    const otherState = (await consentUrl(other, doctor, other.addAccount())).searchParams.get("state")!;
    const { doctor: stranger } = await doctorOf();
    const path = `/api/integrations/${p.name}/callback`;
    const cases: [string, string][] = [
      ["no state", `${path}?code=${code}`],
      ["a forged state", `${path}?code=${code}&state=eyJhbGciOiJIUzI1NiJ9.e30.x`],
      ["an oversized state", `${path}?code=${code}&state=${"a".repeat(5000)}`],
      ["the other provider's state", `${path}?code=${code}&state=${encodeURIComponent(otherState)}`],
      ["no code", `${path}?state=${encodeURIComponent(state)}`],
      ["an oversized code", `${path}?code=${"c".repeat(5000)}&state=${encodeURIComponent(state)}`],
    ];
    for (const [what, url] of cases) {
      const res = await callback(doctor, url);
      expect({ what, status: res.status }).toEqual({ what, status: 400 });
      expect((await json(res)).error.code).toBe("bad_request");
    }
    // Another doctor's browser carrying this doctor's state.
    const res = await callback(stranger, back);
    expect(res.status).toBe(400);
    expect(await integrationsOf(doctorId)).toEqual([]);
  });

  it("a code the provider refuses → 400 oauth_failed; an unreadable calendar list → 502; nothing written either way", async () => {
    const { doctor, doctorId } = await doctorOf();
    const email = p.addAccount();
    const back = await consentUrl(p, doctor, email);
    back.searchParams.set("code", `${back.searchParams.get("code")}x`);
    const refused = await callback(doctor, back);
    expect(refused.status).toBe(400);
    expect((await json(refused)).error.code).toBe("oauth_failed");

    p.failCalendarList();
    const unreadable = await callback(doctor, await consentUrl(p, doctor, email));
    expect(unreadable.status).toBe(502);
    expect((await json(unreadable)).error).toEqual({ code: "provider_unavailable", message: `${p.product}'s calendar list could not be read. Try connecting again.` });
    expect(await integrationsOf(doctorId)).toEqual([]);
  });

  it("a server without the provider's OAuth app → 503 provider_not_configured for connect and callback", async () => {
    const { f } = await doctorOf();
    const unconfigured = { ...env, GOOGLE_CLIENT_ID: undefined, MICROSOFT_CLIENT_ID: undefined };
    const { app } = await import("../../worker/app");
    const headers = { authorization: `Bearer ${f.tokens.doctor}`, origin: env.APP_URL };
    const connect = await app.request(`http://localhost/api/integrations/${p.name}/connect`, { method: "POST", headers }, unconfigured);
    expect(connect.status).toBe(503);
    expect(await connect.json()).toEqual({ error: { code: "provider_not_configured", message: `${p.product} isn't set up on this server.` } });
    const cb = await app.request(`http://localhost/api/integrations/${p.name}/callback?code=x&state=y`, { headers }, unconfigured);
    expect(cb.status).toBe(503);
  });
});

describe("OAuth connect: Google granular consent (a calendar permission unticked)", () => {
  const EVENTS = "https://www.googleapis.com/auth/calendar.events";
  const LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly";
  const g = providers[0];

  it.each([
    ["calendar.events (every write would get 403)", [EVENTS]],
    ["the calendar list", [LIST]],
    ["both", [EVENTS, LIST]],
  ])("unticking %s → 400 calendar_access_not_granted asking to allow it, nothing stored; allowing it then connects", async (_what, untick) => {
    const { doctor, doctorId } = await doctorOf();
    const email = g.addAccount();
    const start = await doctor.post("/api/integrations/google/connect", {});
    const back = await google.consent((await json(start)).authorizeUrl, email, { untick });
    expect(back.searchParams.get("scope")).not.toContain(untick[0]); // Google reports what was granted
    const res = await callback(doctor, back);
    expect(res.status).toBe(400);
    expect((await json(res)).error).toEqual({
      code: "calendar_access_not_granted",
      message:
        "Google did not give access to your calendar, so appointments cannot be written to Google Calendar. Connect again from Settings and, on Google's screen, allow every calendar permission asked for.",
    });
    expect(await integrationsOf(doctorId)).toEqual([]);
    const again = await callback(doctor, await consentUrl(g, doctor, email));
    expect(again.headers.get("location")).toBe(`${env.APP_URL}/settings/integrations?integration=google&result=connected`);
    expect(await integrationsOf(doctorId)).toHaveLength(1);
  });

  it("a reconnect that unticks calendar.events still connects: include_granted_scopes keeps the earlier grant", async () => {
    const { doctor, doctorId } = await doctorOf();
    const email = g.addAccount();
    expect((await callback(doctor, await consentUrl(g, doctor, email))).status).toBe(302);
    const start = await doctor.post("/api/integrations/google/connect", {});
    const back = await google.consent((await json(start)).authorizeUrl, email, { untick: [EVENTS] });
    expect(back.searchParams.get("scope")).toContain(EVENTS);
    const res = await callback(doctor, back);
    expect(res.headers.get("location")).toBe(`${env.APP_URL}/settings/integrations?integration=google&result=connected`);
    expect(await auditOf((await integrationsOf(doctorId))[0].id)).toEqual(["integration.connect", "integration.reconnect"]);
  });
});

describe("chooseWriteCalendar", () => {
  const cal = (id: string, o: Partial<ExternalCalendar> = {}): ExternalCalendar => ({ id, summary: id, primary: false, canWrite: true, timeZone: null, ...o });
  it.each([
    ["first connect: the default calendar", null, [cal("a"), cal("p", { primary: true })], "p"],
    ["reconnect: the one chosen before, still writable", "a", [cal("a"), cal("p", { primary: true })], "a"],
    ["the one chosen before is now read-only: the default", "a", [cal("a", { canWrite: false }), cal("p", { primary: true })], "p"],
    ["the one chosen before is gone: the default", "gone", [cal("p", { primary: true })], "p"],
    ["a read-only default: the first writable", null, [cal("p", { primary: true, canWrite: false }), cal("b"), cal("c")], "b"],
    ["nothing writable: none", "a", [cal("a", { canWrite: false })], null],
    ["no calendars: none", null, [], null],
  ] as const)("%s", (_what, previous, calendars, expected) => {
    expect(chooseWriteCalendar(previous, [...calendars])).toBe(expected);
  });
});
