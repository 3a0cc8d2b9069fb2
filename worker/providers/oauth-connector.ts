// What an OAuth calendar provider (Google, Microsoft) supplies to the one connect flow in
// routes/integrations-oauth.ts: whether it is configured, its authorize URL, the code exchange
// and the account behind the new tokens. No D1 and no routing here: the flow owns state and PKCE,
// sealing, saving the integration, the audit entry and the redirect, the same for every provider.
// Each provider's part lives in its folder (google/connect.ts, microsoft/connect.ts).
import { calculatePKCECodeChallenge, generateRandomCodeVerifier } from "oauth4webapi";
import type { Env } from "../env";
import { ReconnectRequiredError } from "./http";
import type { TokenSet } from "./oauth-tokens";
import type { ExternalCalendar, TokenSource } from "./provider";

export interface ConnectedAccount {
  /** The account's address: shown in settings and the audit log. */
  email: string;
  /** Stored in account_kind where the provider has account classes (Outlook: "work_or_school" | "personal"); else null. */
  kind: string | null;
  calendars: ExternalCalendar[];
}

export interface OAuthConnector {
  /** The provider column and the URL segment: /api/integrations/<name>/connect and /callback. */
  readonly name: "google" | "microsoft";
  /** Who answers, in messages to the doctor: "Google", "Microsoft". */
  readonly company: string;
  /** The calendar product, in messages to the doctor: "Google Calendar", "Outlook". */
  readonly product: string;
  configured(env: Env): boolean;
  authorizeUrl(env: Env, p: { redirectUri: string; state: string; challenge: string; loginHint: string }): string;
  /** Tokens for the code. Throws ReconnectRequiredError when the provider refuses it; anything else means unreachable. */
  exchangeCode(env: Env, code: string, verifier: string, redirectUri: string): Promise<TokenSet>;
  /** The account behind just-issued tokens: its address, kind and calendars. */
  account(env: Env, tokens: TokenSource, timeZone: string): Promise<ConnectedAccount>;
}

/** A PKCE pair (RFC 7636, S256) from oauth4webapi: WebCrypto, runs in Workers, nothing to hand-roll. */
export async function newPkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = generateRandomCodeVerifier();
  return { verifier, challenge: await calculatePKCECodeChallenge(verifier) };
}

/**
 * The tokens a code exchange has just returned, for the account look-up right after it: nothing
 * is stored yet and nothing needs refreshing, so a refused token is simply a failed look-up.
 */
export function freshTokens(t: TokenSet): TokenSource {
  return {
    accessToken: async () => t.accessToken,
    refresh: async () => {
      throw new ReconnectRequiredError("the provider refused the access token it had just issued", 401, "fresh_token_refused");
    },
    revoke: async () => {},
  };
}

/**
 * The calendar appointments are written to: the one chosen before (kept across a reconnect) if we
 * may still write to it, else the default calendar if we may, else the first we may write to.
 */
export function chooseWriteCalendar(previous: string | null, calendars: ExternalCalendar[]): string | null {
  const writable = calendars.filter((x) => x.canWrite);
  if (previous && writable.some((x) => x.id === previous)) return previous;
  return (writable.find((x) => x.primary) ?? writable[0])?.id ?? null;
}
