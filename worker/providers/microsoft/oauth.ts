// Microsoft identity platform v2: authorization-code flow with PKCE (S256) for a
// web app (confidential client). The PKCE pair comes from newPkce in
// ../oauth-connector.ts, as for Google; the token calls are small fetch code so we see the raw `invalid_grant`
// (consent revoked, password reset, refresh token expired) and can mark the
// integration "needs reconnect".
// Refresh tokens ROTATE at Microsoft: every refresh answer carries a new refresh
// token and the caller must store it (StoredTokens re-seals after every refresh).
// Microsoft has no endpoint that revokes one app's refresh token for a user
// (revokeSignInSessions signs the user out of everything, far too wide), so
// disconnecting deletes our subscriptions and forgets the tokens; the doctor can
// remove the app's consent in their Microsoft account (see docs/outlook.md).
import type { Env } from "../../env";
import { ReconnectRequiredError, send } from "../http";
import { tokenSetOf, type TokenAnswer, type TokenSet } from "../oauth-tokens";

/** Calendar read/write, the account's address (/me), and a refresh token. Nothing wider: no Mail.*, no openid. */
export const MICROSOFT_SCOPES = ["offline_access", "Calendars.ReadWrite", "User.Read"];

export interface MicrosoftOAuthConfig {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

export function microsoftConfigured(env: Env): boolean {
  return !!env.MICROSOFT_CLIENT_ID && !!env.MICROSOFT_CLIENT_SECRET;
}

/** Tenant segment: "common" (work/school and personal accounts) unless the clinic restricts it. */
export function tenantOf(env: Env): string {
  const t = (env.MICROSOFT_TENANT ?? "").trim() || "common";
  // common | organizations | consumers | a tenant GUID | a verified domain
  if (!/^[A-Za-z0-9.-]{1,100}$/.test(t)) throw new Error("MICROSOFT_TENANT is not a valid tenant segment");
  return t;
}

export function microsoftOAuthConfig(env: Env): MicrosoftOAuthConfig {
  if (!microsoftConfigured(env)) throw new Error("MICROSOFT_CLIENT_ID / MICROSOFT_CLIENT_SECRET are not configured");
  const base = (env.MICROSOFT_LOGIN_BASE ?? "https://login.microsoftonline.com").replace(/\/+$/, "");
  const tenant = tenantOf(env);
  return {
    authorizeUrl: `${base}/${tenant}/oauth2/v2.0/authorize`,
    tokenUrl: `${base}/${tenant}/oauth2/v2.0/token`,
    clientId: env.MICROSOFT_CLIENT_ID!,
    clientSecret: env.MICROSOFT_CLIENT_SECRET!,
  };
}

export function microsoftAuthorizeUrl(cfg: MicrosoftOAuthConfig, p: { redirectUri: string; state: string; challenge: string; loginHint?: string }) {
  const u = new URL(cfg.authorizeUrl);
  u.searchParams.set("client_id", cfg.clientId);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("redirect_uri", p.redirectUri);
  u.searchParams.set("response_mode", "query");
  u.searchParams.set("scope", MICROSOFT_SCOPES.join(" "));
  u.searchParams.set("state", p.state);
  u.searchParams.set("code_challenge", p.challenge);
  u.searchParams.set("code_challenge_method", "S256");
  // Let the doctor pick the account (a personal and a work account side by side is common).
  u.searchParams.set("prompt", "select_account");
  if (p.loginHint) u.searchParams.set("login_hint", p.loginHint);
  return u.toString();
}

export type { TokenSet } from "../oauth-tokens";

async function tokenRequest(cfg: MicrosoftOAuthConfig, form: Record<string, string>): Promise<TokenAnswer> {
  const body = new URLSearchParams({ ...form, client_id: cfg.clientId, client_secret: cfg.clientSecret, scope: MICROSOFT_SCOPES.join(" ") });
  const make = () => new Request(cfg.tokenUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  try {
    const res = await send(make);
    return (await res.json()) as TokenAnswer;
  } catch (err: any) {
    // 400 invalid_grant: the code or the refresh token is dead. interaction_required /
    // consent_required: the user must sign in again (e.g. conditional access). Both mean "reconnect".
    if (err?.reason === "invalid_grant" || err?.reason === "interaction_required" || err?.reason === "consent_required")
      throw new ReconnectRequiredError(err.message, err.status, err.reason);
    throw err;
  }
}

export async function exchangeMicrosoftCode(cfg: MicrosoftOAuthConfig, code: string, verifier: string, redirectUri: string): Promise<TokenSet> {
  const t = await tokenRequest(cfg, { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: redirectUri });
  if (!t.refresh_token) throw new ReconnectRequiredError("Microsoft returned no refresh token (offline_access not granted)", 400, "no_refresh_token");
  return tokenSetOf(t, null);
}

/** Refresh; the answer's (rotated) refresh token replaces the old one. */
export async function refreshMicrosoftToken(cfg: MicrosoftOAuthConfig, current: TokenSet): Promise<TokenSet> {
  return tokenSetOf(await tokenRequest(cfg, { grant_type: "refresh_token", refresh_token: current.refreshToken }), current);
}
