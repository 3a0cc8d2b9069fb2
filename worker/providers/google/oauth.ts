// Google OAuth 2.0 (web server flow with PKCE; the pair comes from newPkce in
// ../oauth-connector.ts). The token and revoke calls are small fetch code on purpose: oauth4webapi's code-exchange helpers
// insist on OpenID discovery metadata and id_token validation, while we ask for
// no OpenID scope at all (minimal scopes; the account address is the primary
// calendar's id), and we need the raw `invalid_grant` to mark "needs reconnect".
import type { Env } from "../../env";
import { ReconnectRequiredError, errorInfo, classify, send } from "../http";
import { tokenSetOf, type TokenAnswer, type TokenSet } from "../oauth-tokens";

/** Events read/write + the calendar list: nothing wider (no full calendar, no profile). */
export const GOOGLE_SCOPES = [
  "https://www.googleapis.com/auth/calendar.events",
  "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
];

const SCOPE = "https://www.googleapis.com/auth/";
/**
 * With granular consent the doctor can untick any scope we ask for, and Google still issues
 * tokens; the token answer's `scope` lists what was granted (space-separated). Each entry is
 * what we need, with the scopes that cover it (a wider scope covers a narrower one).
 */
const NEEDED: string[][] = [
  [`${SCOPE}calendar.events`, `${SCOPE}calendar`],
  [`${SCOPE}calendar.calendarlist.readonly`, `${SCOPE}calendar.calendarlist`, `${SCOPE}calendar.readonly`, `${SCOPE}calendar`],
];
/** The reason of the ReconnectRequiredError exchangeCode throws when the grant lacks a needed scope. */
export const SCOPE_NOT_GRANTED = "scope_not_granted";

/** True when the granted scopes (the token answer's `scope`) cover events read/write and the calendar list. */
export function grantsEnough(scope: string): boolean {
  const granted = new Set(scope.split(/\s+/).filter(Boolean));
  return NEEDED.every((any) => any.some((x) => granted.has(x)));
}

export interface GoogleOAuthConfig {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  clientId: string;
  clientSecret: string;
}

export function oauthConfig(env: Env): GoogleOAuthConfig {
  if (!env.GOOGLE_CLIENT_ID || !env.GOOGLE_CLIENT_SECRET) throw new Error("GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET are not configured");
  return {
    authorizeUrl: env.GOOGLE_OAUTH_AUTHORIZE_URL ?? "https://accounts.google.com/o/oauth2/v2/auth",
    tokenUrl: env.GOOGLE_OAUTH_TOKEN_URL ?? "https://oauth2.googleapis.com/token",
    revokeUrl: env.GOOGLE_OAUTH_REVOKE_URL ?? "https://oauth2.googleapis.com/revoke",
    clientId: env.GOOGLE_CLIENT_ID,
    clientSecret: env.GOOGLE_CLIENT_SECRET,
  };
}

export function authorizeUrl(cfg: GoogleOAuthConfig, p: { redirectUri: string; state: string; challenge: string; loginHint?: string }) {
  const u = new URL(cfg.authorizeUrl);
  u.searchParams.set("client_id", cfg.clientId);
  u.searchParams.set("redirect_uri", p.redirectUri);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("scope", GOOGLE_SCOPES.join(" "));
  u.searchParams.set("state", p.state);
  u.searchParams.set("access_type", "offline"); // a refresh token
  u.searchParams.set("prompt", "consent"); // a refresh token again on reconnect
  u.searchParams.set("include_granted_scopes", "true");
  u.searchParams.set("code_challenge", p.challenge);
  u.searchParams.set("code_challenge_method", "S256");
  if (p.loginHint) u.searchParams.set("login_hint", p.loginHint);
  return u.toString();
}

export type { TokenSet } from "../oauth-tokens";

async function tokenRequest(cfg: GoogleOAuthConfig, form: Record<string, string>) {
  const body = new URLSearchParams({ ...form, client_id: cfg.clientId, client_secret: cfg.clientSecret });
  const make = () =>
    new Request(cfg.tokenUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  try {
    const res = await send(make);
    return (await res.json()) as TokenAnswer;
  } catch (err: any) {
    // 400 invalid_grant: the code or the refresh token is dead (revoked, expired, reused).
    if (err?.reason === "invalid_grant") throw new ReconnectRequiredError(err.message, err.status, "invalid_grant");
    throw err;
  }
}

export async function exchangeCode(cfg: GoogleOAuthConfig, code: string, verifier: string, redirectUri: string): Promise<TokenSet> {
  const t = await tokenRequest(cfg, { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: redirectUri });
  // An unticked calendar permission: connecting would succeed (or fail on the calendar list) and
  // then every event write would get 403 with no notice. Refuse it here, before anything is stored.
  if (typeof t.scope === "string" && !grantsEnough(t.scope))
    throw new ReconnectRequiredError(`Google granted only: ${t.scope || "(nothing)"}`, 403, SCOPE_NOT_GRANTED);
  if (!t.refresh_token) throw new ReconnectRequiredError("Google returned no refresh token (offline access not granted)", 400, "no_refresh_token");
  return tokenSetOf(t, null);
}

export async function refreshAccessToken(cfg: GoogleOAuthConfig, current: TokenSet): Promise<TokenSet> {
  // Google usually keeps the refresh token; tokenSetOf stores a new one if it sends one.
  return tokenSetOf(await tokenRequest(cfg, { grant_type: "refresh_token", refresh_token: current.refreshToken }), current);
}

/** Revokes the grant (refresh token revokes the whole grant). Best effort: an unknown token is fine. */
export async function revokeToken(cfg: GoogleOAuthConfig, token: string): Promise<void> {
  const u = new URL(cfg.revokeUrl);
  u.searchParams.set("token", token);
  const res = await fetch(u, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" } });
  if (!res.ok && res.status !== 400) throw classify(await errorInfo(res), null);
}
