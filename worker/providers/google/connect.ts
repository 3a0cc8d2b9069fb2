// Google's part of the one OAuth connect flow (providers/oauth-connector.ts).
import type { OAuthConnector } from "../oauth-connector";
import { GoogleCalendarClient, googleApiBase } from "./client";
import { authorizeUrl, exchangeCode, oauthConfig } from "./oauth";

export const googleConnector: OAuthConnector = {
  name: "google",
  company: "Google",
  product: "Google Calendar",
  configured: (env) => !!env.GOOGLE_CLIENT_ID && !!env.GOOGLE_CLIENT_SECRET,
  authorizeUrl: (env, p) => authorizeUrl(oauthConfig(env), p),
  exchangeCode: (env, code, verifier, redirectUri) => exchangeCode(oauthConfig(env), code, verifier, redirectUri),
  async account(env, tokens, timeZone) {
    const calendars = await new GoogleCalendarClient(googleApiBase(env), tokens, timeZone).listCalendars();
    // We ask for no profile scope: the account's address is the id of its primary calendar.
    const primary = calendars.find((x) => x.primary) ?? calendars[0];
    return { email: primary?.id ?? "", kind: null, calendars };
  },
};
