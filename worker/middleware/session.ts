// Authentication and authorization in one place.
// - requireSession: reads the session cookie (or a Bearer token for scripts),
//   verifies the JWT, then asks D1 once whether that session is still live (not
//   logged out, user not disabled, no password/role change since) and sets c.var.user.
// - csrf: cookie-authenticated writes must come from our own origin.
// - requireRole: the role rules; every handler below it may trust c.var.user.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../env";
import type { Role } from "../db/schema";
import type { SessionUser } from "../env";
import { SESSION_COOKIE, SESSION_TTL_SECONDS, signSession, verifySessionClaims } from "../auth/session";
import { sessionStatement, sessionVerdict, verdictOf } from "../auth/session-store";
import { forbidden, unauthorized } from "../errors";

const bearerToken = (c: Context<AppEnv>) => {
  const auth = c.req.header("authorization");
  return auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
};

/** Where the request's session token comes from: whether it is a Bearer token (scripts; no CSRF risk) and the token. */
export function sessionToken(c: Context<AppEnv>): { bearer: boolean; token: string | undefined } {
  const bearer = bearerToken(c);
  return bearer !== undefined ? { bearer: true, token: bearer } : { bearer: false, token: getCookie(c, SESSION_COOKIE) };
}

/**
 * Signs a session for `user` at the user's current session `epoch`, and sets the session
 * cookie when `cookie` (a browser; scripts get the token in the JSON only). Used by
 * log-in and by the changes that end a user's other sessions but keep this one.
 */
export async function issueSession(c: Context<AppEnv>, user: SessionUser, epoch: number, cookie: boolean): Promise<string> {
  const token = await signSession(user, c.env.SESSION_SECRET, SESSION_TTL_SECONDS, epoch);
  if (cookie) setCookie(c, SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: "Lax", path: "/", maxAge: SESSION_TTL_SECONDS });
  return token;
}

/** True when `origin` is this deployment's own (the request's host or APP_URL): the CSRF rule, also used by the live WebSocket. */
export function isOwnOrigin(c: Context<AppEnv>, origin: string | undefined): boolean {
  return !!origin && (origin === new URL(c.req.url).origin || origin === new URL(c.env.APP_URL).origin);
}

export const ended = (reason: "disabled" | "ended") =>
  unauthorized(reason === "disabled" ? "This account is disabled." : "Your session has ended. Log in again.");

/** The request's signed session claims (no D1: the caller checks the session is still live). */
export async function verifiedClaims(c: Context<AppEnv>) {
  const { token } = sessionToken(c);
  if (!token) throw unauthorized();
  const claims = await verifySessionClaims(token, c.env.SESSION_SECRET);
  if (!claims) throw unauthorized("Your session is invalid or has expired. Log in again.");
  return claims;
}

/**
 * For a GET whose reads are one D1 batch: the session check rides in that batch, so the request
 * makes one D1 round trip instead of two (issue #18: the calendar's week and day reads). Verifies
 * the token, sets c.var.user, runs [session, ...reads(user)] and answers the 401 requireSession
 * would when the session has ended; nothing read is released then. `reads` validates the request
 * too: what it throws (a 422) is answered only to a live session. Returns the reads' results.
 * A route that uses it is registered before its group's session middleware, which it replaces.
 */
export async function readWithSession(c: Context<AppEnv>, reads: (user: SessionUser) => D1PreparedStatement[]): Promise<D1Result[]> {
  const claims = await verifiedClaims(c);
  c.set("user", claims.user);
  let statements: D1PreparedStatement[];
  try {
    statements = reads(claims.user); // validates the request: a 422 too is for live sessions only
  } catch (err) {
    const verdict = await sessionVerdict(c.env.DB, claims);
    throw verdict.ok ? err : ended(verdict.reason);
  }
  const [session, ...results] = await c.env.DB.batch([sessionStatement(c.env.DB, claims), ...statements]);
  const verdict = verdictOf(session.results[0] as Parameters<typeof verdictOf>[0], claims);
  if (!verdict.ok) throw ended(verdict.reason);
  return results;
}

export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const claims = await verifiedClaims(c);
  const verdict = await sessionVerdict(c.env.DB, claims);
  if (!verdict.ok) throw ended(verdict.reason);
  c.set("user", claims.user);
  await next();
};

/**
 * requireSession for route groups whose GET handlers only read (the calendar's hot
 * paths: appointments, availability, blocked times, patient search). A GET runs its
 * handler while D1 confirms the session, so the check costs no extra round-trip of
 * latency; the answer is held back until the check is in and replaced by the 401 when
 * the session has ended, so nothing is released to an ended session. Any other method
 * (and a WebSocket upgrade) waits for the check first, exactly as requireSession.
 * Do not use it where a GET has side effects (OAuth callbacks, upgrades).
 */
export const requireSessionReadAhead: MiddlewareHandler<AppEnv> = async (c, next) => {
  if ((c.req.method !== "GET" && c.req.method !== "HEAD") || c.req.header("upgrade")) return requireSession(c, next);
  const claims = await verifiedClaims(c);
  c.set("user", claims.user);
  const [verdict] = await Promise.all([sessionVerdict(c.env.DB, claims), next()]);
  if (!verdict.ok) throw ended(verdict.reason);
};

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** CSRF defence: a cookie-authenticated write must carry an Origin (or Referer) of our own host. */
export const csrf: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!SAFE.has(c.req.method) && bearerToken(c) === undefined) {
    const origin = c.req.header("origin") ?? refererOrigin(c.req.header("referer"));
    if (!isOwnOrigin(c, origin)) throw forbidden("Cross-site request refused (Origin does not match).");
  }
  await next();
};

export function refererOrigin(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  try {
    return new URL(ref).origin;
  } catch {
    return undefined;
  }
}

export const requireRole =
  (...roles: Role[]): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    if (!roles.includes(c.var.user.role)) throw forbidden(`This needs the ${roles.join(" or ")} role.`);
    await next();
  };
