// A server without Google OAuth credentials (issue #8): connecting answers a clear 503
// with the sentence the settings page shows, not a 500.
import { describe, expect, it } from "vitest";
import { app } from "../../../worker/app";
import { authed, env, makeClinic, ORIGIN } from "../../helpers";

describe("Google Calendar not configured", () => {
  it("POST /api/integrations/google/connect → 503 provider_not_configured", async () => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    const unconfigured = { ...env, GOOGLE_CLIENT_ID: undefined, GOOGLE_CLIENT_SECRET: undefined };
    const res = await app.request(
      "http://localhost/api/integrations/google/connect",
      { method: "POST", headers: { authorization: `Bearer ${f.tokens.doctor}`, origin: ORIGIN } },
      unconfigured,
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: "provider_not_configured", message: "Google Calendar isn't set up on this server." } });
    // The callback as well.
    const cb = await app.request("http://localhost/api/integrations/google/callback?code=x&state=y", { headers: { authorization: `Bearer ${f.tokens.doctor}` } }, unconfigured);
    expect(cb.status).toBe(503);
  });

  it("with credentials configured, connect still returns the authorize URL", async () => {
    const f = await makeClinic({ doctors: 1, patients: 0 });
    const res = await authed(f.tokens.doctor).post("/api/integrations/google/connect");
    expect(res.status).toBe(200);
    expect((await res.json<any>()).authorizeUrl).toMatch(/^https:\/\/google\.test\//);
  });
});
