// Authentication and authorization in one place.
// - requireSession: reads the session cookie (or a Bearer token for scripts),
//   verifies the JWT, rejects disabled accounts, and sets c.var.user.
// - csrf: cookie-authenticated writes must come from our own origin.
// - requireRole: the role rules; every handler below it may trust c.var.user.
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../env";
import type { Role } from "../db/schema";
import { SESSION_COOKIE, verifySession } from "../auth/session";
import { forbidden, unauthorized } from "../errors";

// A disabled account must lose access quickly without a D1 read on every request
// (the hot read paths are a single query). Checked per isolate, cached briefly.
const ACTIVE_TTL_MS = 15_000;
const activeCache = new Map<string, { active: boolean; at: number }>();

export function forgetUserStatus(userId: string) {
  activeCache.delete(userId);
}

async function isActive(db: D1Database, userId: string): Promise<boolean> {
  const hit = activeCache.get(userId);
  if (hit && Date.now() - hit.at < ACTIVE_TTL_MS) return hit.active;
  const row = await db.prepare("SELECT disabled FROM users WHERE id = ?").bind(userId).first<{ disabled: number }>();
  const active = !!row && !row.disabled;
  activeCache.set(userId, { active, at: Date.now() });
  return active;
}

export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const auth = c.req.header("authorization");
  const token = auth?.startsWith("Bearer ") ? auth.slice(7) : getCookie(c, SESSION_COOKIE);
  if (!token) throw unauthorized();
  const user = await verifySession(token, c.env.SESSION_SECRET);
  if (!user) throw unauthorized("Your session is invalid or has expired. Log in again.");
  if (!(await isActive(c.env.DB, user.userId))) throw unauthorized("This account is disabled.");
  c.set("user", user);
  await next();
};

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** CSRF defence: a cookie-authenticated write must carry an Origin (or Referer) of our own host. */
export const csrf: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!SAFE.has(c.req.method) && !c.req.header("authorization")?.startsWith("Bearer ")) {
    const origin = c.req.header("origin") ?? refererOrigin(c.req.header("referer"));
    const own = new URL(c.req.url).origin;
    const allowed = new Set([own, new URL(c.env.APP_URL).origin]);
    if (!origin || !allowed.has(origin)) throw forbidden("Cross-site request refused (Origin does not match).");
  }
  await next();
};

function refererOrigin(ref: string | undefined): string | undefined {
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
