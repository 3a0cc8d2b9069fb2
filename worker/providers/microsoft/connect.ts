// Microsoft's part of the one OAuth connect flow (providers/oauth-connector.ts).
import type { OAuthConnector } from "../oauth-connector";
import { MicrosoftGraphClient, graphApiBase } from "./client";
import { exchangeMicrosoftCode, microsoftAuthorizeUrl, microsoftConfigured, microsoftOAuthConfig } from "./oauth";

export const microsoftConnector: OAuthConnector = {
  name: "microsoft",
  company: "Microsoft",
  product: "Outlook",
  configured: microsoftConfigured,
  authorizeUrl: (env, p) => microsoftAuthorizeUrl(microsoftOAuthConfig(env), p),
  exchangeCode: (env, code, verifier, redirectUri) => exchangeMicrosoftCode(microsoftOAuthConfig(env), code, verifier, redirectUri),
  async account(env, tokens, timeZone) {
    const graph = new MicrosoftGraphClient(graphApiBase(env), tokens, timeZone);
    const me = await graph.me();
    // Teams meetings exist only for work or school accounts (providers/microsoft/mapping.ts).
    return { email: me.email, kind: me.workAccount ? "work_or_school" : "personal", calendars: await graph.listCalendars() };
  },
};
