// Which calendar providers this server can connect (Settings shows the Connect buttons of the
// others disabled, with this reason): GET /api/integrations/providers, any signed-in role.
import { describe, expect, it } from "vitest";
import { app } from "../../../worker/app";
import { authed, env, makeClinic, ORIGIN } from "../../helpers";

describe("GET /api/integrations/providers", () => {
  it("says configured for Google, Microsoft and CalDAV when the server has their credentials", async () => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    for (const token of [f.tokens.doctor, f.tokens.receptionist, f.tokens.admin]) {
      const res = await authed(token).get("/api/integrations/providers");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ providers: { google: { configured: true }, microsoft: { configured: true }, caldav: { configured: true } } });
    }
  });

  it("names what is missing when Google or Microsoft has no credentials", async () => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    const bare = { ...env, GOOGLE_CLIENT_ID: undefined, GOOGLE_CLIENT_SECRET: undefined, MICROSOFT_CLIENT_SECRET: undefined };
    const res = await app.request("http://localhost/api/integrations/providers", { headers: { authorization: `Bearer ${f.tokens.doctor}`, origin: ORIGIN } }, bare);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.providers.google).toEqual({ configured: false, reason: "Google Calendar isn't set up on this server." });
    expect(body.providers.microsoft).toEqual({ configured: false, reason: "Outlook isn't set up on this server." });
    expect(body.providers.caldav).toEqual({ configured: true });
  });

  it("needs a session", async () => {
    const res = await app.request("http://localhost/api/integrations/providers", {}, env);
    expect(res.status).toBe(401);
  });
});
