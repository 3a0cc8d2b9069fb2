// GET /api/live: the clinic's live WebSocket. The session (cookie, or Bearer for
// scripts) is checked here, then the upgrade is forwarded to the clinic's ClinicLive
// Durable Object with the caller's clinic/user/role/session-expiry in X-ACMS-* headers.
// The DO is reachable only through this binding, so it trusts those headers; any
// client-sent X-ACMS-* header is dropped first.
// Browsers send cookies on cross-site WebSocket upgrades too (CSRF does not stop at
// GET here), so a cookie-authenticated upgrade must carry our own Origin.
import { Hono } from "hono";
import { decodeJwt } from "jose";
import type { AppEnv } from "../env";
import { ApiError, forbidden } from "../errors";
import { LIVE_HEADERS } from "../live/clinic-live";
import { isOwnOrigin, requireSession, sessionToken } from "../middleware/session";

export const liveRoutes = new Hono<AppEnv>().use("*", requireSession).get("/", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
    throw new ApiError(426, "upgrade_required", "This endpoint speaks WebSocket only (send Upgrade: websocket).");
  const { bearer, token = "" } = sessionToken(c);
  if (!bearer && !isOwnOrigin(c, c.req.header("origin"))) throw forbidden("Cross-site WebSocket refused (Origin does not match).");
  // requireSession verified the token; only its expiry is read here.
  const claims = decodeJwt(token);
  const exp = (claims.exp ?? 0) * 1000;
  const u = c.var.user;
  const headers = new Headers(c.req.raw.headers);
  for (const k of [...headers.keys()]) if (k.startsWith("x-acms-")) headers.delete(k);
  headers.set(LIVE_HEADERS.clinic, u.clinicId);
  headers.set(LIVE_HEADERS.user, u.userId);
  headers.set(LIVE_HEADERS.role, u.role);
  headers.set(LIVE_HEADERS.exp, String(exp));
  // The session id lets a log-out close this socket at once (ClinicLive.endSessions).
  if (typeof claims.jti === "string") headers.set(LIVE_HEADERS.session, claims.jti);
  const stub = c.env.CLINIC_LIVE.get(c.env.CLINIC_LIVE.idFromName(u.clinicId));
  const res = await stub.fetch(new Request(c.req.raw.url, { method: "GET", headers }));
  // A fresh Response: the one from the DO has immutable headers, and app.ts adds cache-control.
  return new Response(res.body, { status: res.status, headers: new Headers(res.headers), webSocket: res.webSocket });
});
