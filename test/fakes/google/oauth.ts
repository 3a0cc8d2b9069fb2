// The Google OAuth 2.0 half of the emulator (see ./emulator.ts for the Calendar API half),
// from Google's documentation (see /work/shared/provider-facts.md): authorization-code grant
// with PKCE S256 (single-use codes, redirect_uri must match), refresh-token grant, access
// tokens that expire (the API answers 401 authError), revocation (refresh token → 400
// invalid_grant afterwards), POST /revoke. Granular consent: the user may untick scopes
// (consent's `untick`); the redirect's and the token answer's `scope` list only what was granted
// (with include_granted_scopes=true, plus what this account granted before), and an API call
// outside the granted scopes gets 403 insufficientPermissions.
import { json, oauthErr, rand } from "./http";

async function s256(v: string) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(v)));
  let s = "";
  for (const b of d) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** What OAuth reads from the emulator (live: tests change accessTokenTtl). */
export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Access token lifetime in seconds (expires_in). */
  readonly accessTokenTtl: number;
}

export class GoogleOAuth {
  private codes = new Map<string, { account: string; redirectUri: string; challenge: string; scope: string; used: boolean }>();
  private accessTokens = new Map<string, { account: string; expiresAt: number; refresh: string | null; scope: string }>();
  /** Scopes each account has granted this client (include_granted_scopes adds them to a new grant). */
  private granted = new Map<string, Set<string>>();
  private refreshTokens = new Map<string, { account: string; revoked: boolean; scope: string }>();

  constructor(private readonly client: OAuthClient) {}

  /** The account an `Authorization: Bearer …` header is good for, or null (unknown or expired token → 401). */
  accountOf(authorization: string | null): string | null {
    const tok = this.accessTokens.get((authorization ?? "").replace(/^Bearer /, ""));
    return tok && tok.expiresAt > Date.now() ? tok.account : null;
  }
  /** Whether the (valid) access token was granted any of these scopes. */
  hasScope(authorization: string | null, anyOf: string[]): boolean {
    const tok = this.accessTokens.get((authorization ?? "").replace(/^Bearer /, ""));
    const granted = new Set((tok?.scope ?? "").split(" "));
    return anyOf.some((s) => granted.has(s));
  }

  /** The user consents on Google's page: returns where Google redirects the browser. */
  async consent(authorizeUrl: string, email: string, opts: { untick?: string[] } = {}): Promise<URL> {
    const u = new URL(authorizeUrl);
    const p = u.searchParams;
    if (p.get("client_id") !== this.client.clientId) throw new Error("emulator: unknown client_id");
    if (p.get("response_type") !== "code") throw new Error("emulator: response_type must be code");
    if (p.get("code_challenge_method") !== "S256" || !p.get("code_challenge")) throw new Error("emulator: PKCE S256 required");
    const redirect = new URL(p.get("redirect_uri")!);
    const code = "4/" + rand();
    const requested = (p.get("scope") ?? "").split(" ").filter(Boolean);
    const now = requested.filter((s) => !opts.untick?.includes(s));
    const before = p.get("include_granted_scopes") === "true" ? [...(this.granted.get(email) ?? [])] : [];
    const scope = [...new Set([...before, ...now])].join(" ");
    this.granted.set(email, new Set([...(this.granted.get(email) ?? []), ...now]));
    this.codes.set(code, { account: email, redirectUri: p.get("redirect_uri")!, challenge: p.get("code_challenge")!, scope, used: false });
    redirect.searchParams.set("code", code);
    if (p.get("state")) redirect.searchParams.set("state", p.get("state")!);
    redirect.searchParams.set("scope", scope);
    return redirect;
  }

  expireAccessTokens() {
    for (const t of this.accessTokens.values()) t.expiresAt = 0;
  }
  /** The user removes our access in their Google account settings. */
  revokeAll(email: string) {
    for (const [k, t] of this.refreshTokens) if (t.account === email) t.revoked = true;
    this.granted.delete(email);
    for (const [k, t] of this.accessTokens) if (t.account === email) this.accessTokens.delete(k);
  }

  /** POST /token. */
  async token(form: URLSearchParams): Promise<Response> {
    if (form.get("client_id") !== this.client.clientId || form.get("client_secret") !== this.client.clientSecret)
      return oauthErr("invalid_client", "The OAuth client was not found.", 401);
    const grant = form.get("grant_type");
    if (grant === "authorization_code") {
      const c = this.codes.get(form.get("code") ?? "");
      if (!c || c.used) return oauthErr("invalid_grant", "Malformed auth code.");
      c.used = true;
      if (c.redirectUri !== form.get("redirect_uri")) return oauthErr("redirect_uri_mismatch", "Bad Request");
      if ((await s256(form.get("code_verifier") ?? "")) !== c.challenge) return oauthErr("invalid_grant", "Invalid code verifier.");
      const refresh = "1//" + rand();
      this.refreshTokens.set(refresh, { account: c.account, revoked: false, scope: c.scope });
      return json({ ...this.mintAccess(c.account, refresh, c.scope), refresh_token: refresh, scope: c.scope });
    }
    if (grant === "refresh_token") {
      const r = this.refreshTokens.get(form.get("refresh_token") ?? "");
      if (!r || r.revoked) return oauthErr("invalid_grant", "Token has been expired or revoked.");
      return json({ ...this.mintAccess(r.account, form.get("refresh_token")!, r.scope), scope: r.scope });
    }
    return oauthErr("unsupported_grant_type", "Invalid grant_type: " + grant);
  }

  private mintAccess(account: string, refresh: string | null, scope: string) {
    const t = "ya29." + rand();
    this.accessTokens.set(t, { account, expiresAt: Date.now() + this.client.accessTokenTtl * 1000, refresh, scope });
    return { access_token: t, expires_in: this.client.accessTokenTtl, token_type: "Bearer" };
  }

  /** POST /revoke: an access or refresh token; either kills the grant. */
  revoke(token: string): Response {
    const r = this.refreshTokens.get(token);
    const a = this.accessTokens.get(token);
    if (!r && !a) return oauthErr("invalid_token", "Token expired or revoked");
    const refresh = r ? token : a!.refresh;
    if (refresh && this.refreshTokens.has(refresh)) {
      this.refreshTokens.get(refresh)!.revoked = true;
      this.granted.delete(this.refreshTokens.get(refresh)!.account);
    }
    for (const [k, v] of this.accessTokens) if (v.refresh === refresh || k === token) this.accessTokens.delete(k);
    return new Response(null, { status: 200 });
  }
}
