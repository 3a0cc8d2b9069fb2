// The Google client against the emulator: OAuth grants, idempotent inserts,
// etags, paging + syncToken, 410, rate limits. The emulator follows Google's docs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env as cfEnv } from "cloudflare:workers";
import type { Env } from "../../../worker/env";
import { GoogleEmulator } from "../../fakes/google/emulator";
import { installGoogleEmulator } from "../../fakes/google/router";
import { GoogleCalendarClient, googleApiBase } from "../../../worker/providers/google/client";
import type { TokenSource } from "../../../worker/providers/provider";
import { authorizeUrl, exchangeCode, oauthConfig, refreshAccessToken, type TokenSet } from "../../../worker/providers/google/oauth";
import { newPkce } from "../../../worker/providers/oauth-connector";
import { CursorInvalidError, type OutboundAppointment } from "../../../worker/providers/provider";
import { PreconditionFailedError, ReconnectRequiredError, RateLimitedError } from "../../../worker/providers/http";

const env = cfEnv as unknown as Env;
const emu = new GoogleEmulator({ clientId: env.GOOGLE_CLIENT_ID!, clientSecret: env.GOOGLE_CLIENT_SECRET! });
let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

async function connect(email: string): Promise<TokenSet> {
  emu.addAccount(email);
  const cfg = oauthConfig(env);
  const pkce = await newPkce();
  const redirectUri = "https://acms.test/api/integrations/google/callback";
  const back = await emu.consent(authorizeUrl(cfg, { redirectUri, state: "st", challenge: pkce.challenge }), email);
  return exchangeCode(cfg, back.searchParams.get("code")!, pkce.verifier, redirectUri);
}

function source(tokens: TokenSet): TokenSource & { refreshes: number } {
  const s = {
    refreshes: 0,
    accessToken: async () => tokens.accessToken,
    refresh: async () => {
      s.refreshes++;
      tokens = await refreshAccessToken(oauthConfig(env), tokens);
      return tokens.accessToken;
    },
    revoke: async () => {},
  };
  return s;
}

const appt = (id: string, startIso: string, o: Partial<OutboundAppointment> = {}): OutboundAppointment => ({
  appointmentId: id,
  doctorId: "d".repeat(32),
  clinicId: "c".repeat(32),
  version: 1,
  startMs: Date.parse(startIso),
  endMs: Date.parse(startIso) + 30 * 60_000,
  status: "scheduled",
  url: "https://acms.example/appointments/" + id,
  timeZone: "Europe/Berlin",
  ...o,
});
const noSleep = { sleep: async () => {} };

describe("Google client against the emulator", () => {
  it("PKCE code exchange gives a refresh token; a wrong verifier is refused", async () => {
    const t = await connect("a@example.com");
    expect(t.refreshToken).toMatch(/^1\/\//);
    emu.addAccount("b@example.com");
    const cfg = oauthConfig(env);
    const pkce = await newPkce();
    const r = "https://acms.test/cb";
    const back = await emu.consent(authorizeUrl(cfg, { redirectUri: r, state: "s", challenge: pkce.challenge }), "b@example.com");
    await expect(exchangeCode(cfg, back.searchParams.get("code")!, "wrong-verifier-wrong-verifier-wrong-verifier", r)).rejects.toBeInstanceOf(ReconnectRequiredError);
  });

  it("inserts with our id, a retried insert patches instead of duplicating, If-Match guards patches", async () => {
    const tokens = await connect("c@example.com");
    const g = new GoogleCalendarClient(googleApiBase(env), source(tokens), "Europe/Berlin", noSleep);
    const id = "0123456789abcdef0123456789abcde1";
    const first = await g.upsertEvent("c@example.com", appt(id, "2026-03-10T09:00:00Z"), null);
    expect(first.id).toBe(id);
    const again = await g.upsertEvent("c@example.com", appt(id, "2026-03-10T10:00:00Z", { version: 2 }), null);
    expect(emu.events("c@example.com").filter((e) => e.id === id)).toHaveLength(1);
    expect(emu.event("c@example.com", id)!.start.dateTime).toBe("2026-03-10T10:00:00.000Z");
    emu.userPatch("c@example.com", id, { colorId: "3" });
    await expect(g.upsertEvent("c@example.com", appt(id, "2026-03-10T11:00:00Z"), again.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it("refreshes once on 401; a revoked grant is ReconnectRequired", async () => {
    const tokens = await connect("d@example.com");
    const src = source(tokens);
    const g = new GoogleCalendarClient(googleApiBase(env), src, "Europe/Berlin", noSleep);
    emu.expireAccessTokens();
    expect((await g.listCalendars()).map((c) => c.id)).toEqual(["d@example.com"]);
    expect(src.refreshes).toBe(1);
    emu.revokeAll("d@example.com");
    await expect(g.listCalendars()).rejects.toBeInstanceOf(ReconnectRequiredError);
  });

  it("pages full and incremental lists, returns cancelled items, and 410 → CursorInvalid", async () => {
    const tokens = await connect("e@example.com");
    const g = new GoogleCalendarClient(googleApiBase(env), source(tokens), "Europe/Berlin", noSleep);
    for (let i = 0; i < 7; i++)
      emu.userInsert("e@example.com", { summary: `x${i}`, start: { dateTime: `2026-03-1${i}T10:00:00Z` }, end: { dateTime: `2026-03-1${i}T11:00:00Z` } });
    const win = { startMs: Date.parse("2026-01-01T00:00:00Z"), endMs: Date.parse("2027-01-01T00:00:00Z") };
    const before = emu.apiRequests().length;
    const full = await g.listChanges("e@example.com", null, win);
    expect(full.items).toHaveLength(7);
    expect(emu.apiRequests().length - before).toBe(3); // pages of 3
    const victim = full.items[0].id;
    emu.userDelete("e@example.com", victim);
    const inc = await g.listChanges("e@example.com", full.nextCursor, win);
    expect(inc.items).toEqual([expect.objectContaining({ id: victim, cancelled: true })]);
    emu.invalidateSyncTokens("e@example.com");
    await expect(g.listChanges("e@example.com", inc.nextCursor, win)).rejects.toBeInstanceOf(CursorInvalidError);
  });

  it("retries 503 and 403 rateLimitExceeded, hands long Retry-After back to the caller", async () => {
    const tokens = await connect("f@example.com");
    const g = new GoogleCalendarClient(googleApiBase(env), source(tokens), "Europe/Berlin", noSleep);
    emu.injectFault({ status: 503, reason: "backendError" });
    emu.injectFault({ status: 403, reason: "rateLimitExceeded" });
    expect(await g.listCalendars()).toHaveLength(1);
    emu.injectFault({ status: 429, reason: "rateLimitExceeded", retryAfter: "120" });
    const e = await g.listCalendars().catch((x) => x);
    expect(e).toBeInstanceOf(RateLimitedError);
    expect(e.retryAfterMs).toBe(120_000);
  });
});
