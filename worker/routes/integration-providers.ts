// GET /api/integrations/providers (any signed-in role): which calendar providers this server can
// connect, and for the others the reason, so Settings shows their Connect buttons disabled with
// that sentence instead of a button that fails on click. The sentence and the check are the
// connect flow's own (integrations-oauth.ts, each provider's connector), so screen and API agree.
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { csrf, requireSession } from "../middleware/session";
import { googleConnector } from "../providers/google/connect";
import { microsoftConnector } from "../providers/microsoft/connect";
import type { OAuthConnector } from "../providers/oauth-connector";
import { notConfiguredReason } from "./integrations-oauth";

type Status = { configured: true } | { configured: false; reason: string };

export const providerStatusRoutes = new Hono<AppEnv>().use("*", requireSession, csrf).get("/", (c) => {
  const status = (k: OAuthConnector): Status => (k.configured(c.env) ? { configured: true } : { configured: false, reason: notConfiguredReason(k) });
  return c.json({
    providers: {
      google: status(googleConnector),
      microsoft: status(microsoftConnector),
      // CalDAV (iCloud) needs no server credentials: each doctor signs in with an app password.
      caldav: { configured: true } satisfies Status,
    },
  });
});
