// The Microsoft identity platform v2 half of the emulator (see ./emulator.ts for the Graph
// half), from Microsoft's documentation: authorization-code grant with PKCE S256 (single-use
// codes, redirect_uri must match, client secret checked) and the refresh grant, which ROTATES the
// refresh token. Strict here: the old refresh token is dead after use, so a client that forgets
// to store the new one fails at once (Microsoft may accept an old one for a while; we must not
// rely on that). Revocation (consent removed, password reset) → invalid_grant (AADSTS70000).

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const oauthErr = (error: string, description: string, codes: number[] = []) => json({ error, error_description: description, error_codes: codes }, 400);

export function rand(n = 16) {
  return [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
async function s256(v: string) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(v)));
  let s = "";
  for (const b of d) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export class IdentityPlatform {
  readonly clientId: string;
  readonly clientSecret: string;
  accessTokenTtl = 3599;
  /** Scopes requested at authorize time (tests check nothing wider was asked). */
  readonly scopesSeen: string[] = [];
  private codes = new Map<string, { account: string; redirectUri: string; challenge: string; used: boolean }>();
  private accessTokens = new Map<string, { account: string; expiresAt: number }>();
  private refreshTokens = new Map<string, { account: string; dead: boolean }>();

  constructor(opts: { clientId: string; clientSecret: string }) {
    this.clientId = opts.clientId;
    this.clientSecret = opts.clientSecret;
  }

  /** The account an `Authorization: Bearer …` header is good for, or null (unknown or expired token). */
  accountOf(authorization: string | null): string | null {
    const tok = this.accessTokens.get((authorization ?? "").replace(/^Bearer /, ""));
    return tok && tok.expiresAt > Date.now() ? tok.account : null;
  }

  /** The user signs in and consents: returns where the browser is sent. */
  async consent(authorizeUrl: string, email: string): Promise<URL> {
    const u = new URL(authorizeUrl);
    const p = u.searchParams;
    if (!/^\/[^/]+\/oauth2\/v2\.0\/authorize$/.test(u.pathname)) throw new Error(`emulator: not an authorize URL: ${u.pathname}`);
    if (p.get("client_id") !== this.clientId) throw new Error("emulator: unknown client_id");
    if (p.get("response_type") !== "code") throw new Error("emulator: response_type must be code");
    if (p.get("code_challenge_method") !== "S256" || !p.get("code_challenge")) throw new Error("emulator: PKCE S256 required");
    this.scopesSeen.push(p.get("scope") ?? "");
    const redirect = new URL(p.get("redirect_uri")!);
    const code = "M.C5" + rand();
    this.codes.set(code, { account: email, redirectUri: p.get("redirect_uri")!, challenge: p.get("code_challenge")!, used: false });
    redirect.searchParams.set("code", code);
    if (p.get("state")) redirect.searchParams.set("state", p.get("state")!);
    return redirect;
  }
  expireAccessTokens() {
    for (const t of this.accessTokens.values()) t.expiresAt = 0;
  }
  /** Consent revoked / password reset: every refresh token of the account dies. */
  revokeAll(email: string) {
    for (const t of this.refreshTokens.values()) if (t.account === email) t.dead = true;
    for (const [k, t] of this.accessTokens) if (t.account === email) this.accessTokens.delete(k);
  }
  async token(form: URLSearchParams): Promise<Response> {
    if (form.get("client_id") !== this.clientId || form.get("client_secret") !== this.clientSecret)
      return json({ error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." }, 401);
    const scope = form.get("scope") ?? "";
    let account: string;
    if (form.get("grant_type") === "authorization_code") {
      const c = this.codes.get(form.get("code") ?? "");
      if (!c || c.used) return oauthErr("invalid_grant", "AADSTS54005: OAuth2 Authorization code was already redeemed.", [54005]);
      c.used = true;
      if (c.redirectUri !== form.get("redirect_uri")) return oauthErr("invalid_grant", "AADSTS50011: redirect_uri mismatch.", [50011]);
      if ((await s256(form.get("code_verifier") ?? "")) !== c.challenge) return oauthErr("invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge.", [501481]);
      account = c.account;
    } else if (form.get("grant_type") === "refresh_token") {
      const r = this.refreshTokens.get(form.get("refresh_token") ?? "");
      if (!r || r.dead) return oauthErr("invalid_grant", "AADSTS70000: The provided grant has expired due to it being revoked.", [70000]);
      r.dead = true; // rotated (strict: see header)
      account = r.account;
    } else return oauthErr("unsupported_grant_type", "AADSTS70003");
    const access = "EwB" + rand(24);
    const refresh = "M.R3_" + rand(24);
    this.accessTokens.set(access, { account, expiresAt: Date.now() + this.accessTokenTtl * 1000 });
    this.refreshTokens.set(refresh, { account, dead: false });
    return json({ token_type: "Bearer", scope, expires_in: this.accessTokenTtl, access_token: access, refresh_token: refresh });
  }
}
