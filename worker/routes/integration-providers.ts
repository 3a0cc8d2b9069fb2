// GET /api/integrations/providers (any signed-in role): which calendar providers this server can
// connect, and for the others the reason, so Settings shows their Connect buttons disabled with
// that sentence instead of a button that fails on click. The sentences are the ones the connect
// routes answer with (503 / 409), so the screen and the API say the same thing.
import { Hono } from "hono";
import type { AppEnv, Env } from "../env";
import { csrf, requireSession } from "../middleware/session";
import { microsoftConfigured } from "../providers/microsoft/oauth";

export const GOOGLE_NOT_CONFIGURED = "Google Calendar isn't set up on this server.";
export const MICROSOFT_NOT_CONFIGURED = "Outlook sync is not set up for this clinic (no Microsoft app registered).";

export const googleConfigured = (env: Env) => !!env.GOOGLE_CLIENT_ID && !!env.GOOGLE_CLIENT_SECRET;

type Status = { configured: true } | { configured: false; reason: string };
const status = (ok: boolean, reason: string): Status => (ok ? { configured: true } : { configured: false, reason });

export const providerStatusRoutes = new Hono<AppEnv>().use("*", requireSession, csrf).get("/", (c) =>
  c.json({
    providers: {
      google: status(googleConfigured(c.env), GOOGLE_NOT_CONFIGURED),
      microsoft: status(microsoftConfigured(c.env), MICROSOFT_NOT_CONFIGURED),
      // CalDAV (iCloud) needs no server credentials: each doctor signs in with an app password.
      caldav: status(true, ""),
    },
  }),
);
