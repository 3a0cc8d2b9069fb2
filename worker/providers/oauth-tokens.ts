// The OAuth 2.0 token-endpoint answer (RFC 6749 §5.1) as we keep it, shared by every OAuth
// provider (Google, Microsoft): one shape, one mapping. A refresh answer may omit the refresh
// token (Google usually does) or carry a new one (Microsoft rotates): the new one wins, else the old.
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** epoch ms */
  expiresAt: number;
  scope: string;
}

export interface TokenAnswer {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

/** The answer as a TokenSet; `current` is the set being refreshed (null for a code exchange). */
export function tokenSetOf(t: TokenAnswer, current: TokenSet | null, now = Date.now()): TokenSet {
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token ?? current?.refreshToken ?? "",
    expiresAt: now + t.expires_in * 1000,
    scope: t.scope ?? current?.scope ?? "",
  };
}
