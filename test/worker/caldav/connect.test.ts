// Connecting a CalDAV account against a real Radicale: discovery, the calendars
// offered (VEVENT only, VTODO lists hidden with the reason), wrong password → 422
// with nothing stored, unsafe URLs refused, password never returned.
import { describe, expect, it } from "vitest";
import { json } from "../../helpers";
import { connectDoctor, env, makeDoctor, newDavUser, radicale } from "./harness";

describe("CalDAV connect (Radicale)", () => {
  it("discovers the account and its event calendars, seals the password, returns no secret", async () => {
    const dav = await newDavUser([
      { name: "work", display: "Work" },
      { name: "family", display: "Family" },
      { name: "tasks", display: "Reminders", comps: ["VTODO"] },
    ]);
    const { d, doctor } = await makeDoctor();
    const res = await doctor.post("/api/integrations/caldav/connect", { kind: "other", serverUrl: dav.base, username: dav.user, password: dav.password });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(text).not.toContain(dav.password);
    const { integration } = JSON.parse(text);
    expect(integration.calendars.map((c: { summary: string }) => c.summary).sort()).toEqual(["Family", "Work"]);
    expect(integration.hiddenCalendars).toEqual([{ summary: "Reminders", reason: expect.stringContaining("VTODO") }]);
    expect(integration.writeCalendarId).toMatch(new RegExp(`/${encodeURIComponent(dav.user)}/(work|family)/$`));
    const row = await env.DB.prepare("SELECT * FROM calendar_integrations WHERE id = ?").bind(integration.id).first<any>();
    expect(row.status).toBe("active");
    expect(row.sealed_tokens).not.toContain(dav.password);
    const list = await doctor("/api/integrations");
    const all = await list.text();
    expect(all).not.toContain(dav.password);
    expect(JSON.parse(all).integrations[0]).toMatchObject({ provider: "caldav", accountEmail: dav.user, status: "active" });
    const audit = await env.DB.prepare("SELECT action FROM audit_log WHERE entity_id = ?").bind(integration.id).all<{ action: string }>();
    expect(audit.results.map((a) => a.action)).toContain("integration.connect");
    expect(d.doctor.id).toBeTruthy();
  });

  it("wrong password → 422 saying so, nothing stored", async () => {
    const dav = await newDavUser();
    const { d, doctor } = await makeDoctor();
    const res = await doctor.post("/api/integrations/caldav/connect", { kind: "other", serverUrl: dav.base, username: dav.user, password: "not-the-password" });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.code).toBe("caldav_auth_failed");
    expect(body.error.message).toMatch(/refused the user name or password/);
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM calendar_integrations WHERE doctor_id = ?").bind(d.doctor.id).first<{ n: number }>();
    expect(n!.n).toBe(0);
  });

  it("unreachable server → 502, unsafe URLs → 422, nothing stored", async () => {
    const { d, doctor } = await makeDoctor();
    const cases: [string, number, string][] = [
      ["http://127.0.0.1:9/", 502, "provider_unavailable"], // loopback allowed by the test flag, nothing listens
      ["http://caldav.example.com/", 422, "unsafe_server_url"], // plain http on a public host
      ["https://10.0.0.5/dav/", 422, "unsafe_server_url"],
      ["https://169.254.169.254/latest/", 422, "unsafe_server_url"],
      ["https://user:pw@caldav.example.com/", 422, "unsafe_server_url"],
      ["ftp://caldav.example.com/", 422, "unsafe_server_url"],
    ];
    for (const [serverUrl, status, code] of cases) {
      const res = await doctor.post("/api/integrations/caldav/connect", { kind: "other", serverUrl, username: "x", password: "y" });
      expect(res.status, serverUrl).toBe(status);
      expect((await json(res)).error.code, serverUrl).toBe(code);
    }
    const bad = await doctor.post("/api/integrations/caldav/connect", { kind: "other", username: "x", password: "y" });
    expect(bad.status).toBe(422);
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM calendar_integrations WHERE doctor_id = ?").bind(d.doctor.id).first<{ n: number }>();
    expect(n!.n).toBe(0);
  });

  it("only a doctor connects, for themself", async () => {
    const c = await connectDoctor();
    const rec = c.f.receptionist ?? null;
    expect(c.integrationId).toMatch(/^[0-9a-f]{32}$/);
    expect(radicale().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    if (rec) {
      const res = await (await import("../../helpers")).authed(rec.token).post("/api/integrations/caldav/connect", { kind: "icloud", username: "a@b.c", password: "p" });
      expect(res.status).toBe(403);
    }
  });
});
