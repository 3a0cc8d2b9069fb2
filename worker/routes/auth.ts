// Log-in, log-out, own password change and "who am I".
//
// Log-in throttling (auth/throttle.ts): every attempt is counted atomically before its
// password is checked, per account and per client address, with progressive delays
// (429 + Retry-After while a key waits), never a fixed lock. A browser that logged in
// successfully as this user before carries a signed device cookie; with it the
// attempt is counted on that device alone, so an attacker guessing at the account
// cannot keep its owner out.
//
// Who may log in without an Origin header (scripts): see loginMode. docs/security.md.
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppEnv, SessionUser } from "../env";
import { SESSION_COOKIE, signPurposeToken, verifyPurposeToken, verifySessionClaims } from "../auth/session";
import { currentEpoch, endLiveSessions, endSessionStatements } from "../auth/session-store";
import { claimAttempt, clientKeyOf, forgive, networkKeyOf, type ThrottleKey } from "../auth/throttle";
import { hashPassword, verifyPassword } from "../auth/passwords";
import { actorOf, auditInsert } from "../db/audit";
import { makeDb } from "../db/client";
import { users } from "../db/schema";
import { ApiError, forbidden, unauthorized } from "../errors";
import { jsonBody } from "../validate";
import { csrf, isOwnOrigin, issueSession, refererOrigin, requireSession, sessionToken } from "../middleware/session";

const DEVICE_PURPOSE = "acms-device";
const DEVICE_TTL_SECONDS = 365 * 86_400;
/** One device cookie per user (a front-desk PC is shared), scoped to the auth routes. */
const deviceCookieName = (userId: string) => `acms_dev_${userId}`;

const LoginBody = z.strictObject({
  email: z.string().trim().toLowerCase().email("must be an e-mail address").max(254),
  password: z.string().min(1, "is required").max(1024),
});

const PasswordBody = z.strictObject({
  currentPassword: z.string().min(1, "is required").max(1024),
  newPassword: z.string().min(10, "must be at least 10 characters").max(1024),
});

/**
 * The log-in CSRF rule. A browser always sends Origin on a cross-site POST (and on
 * same-origin POSTs too), so:
 *  - our own Origin (or Referer)  → "browser": session cookie + device cookie + token;
 *  - no Origin and no Referer     → "token": a script; the token is in the JSON answer
 *    and NO cookie is set, so there is nothing for a forged cross-site log-in to plant;
 *  - any other Origin (or "null") → 403.
 * The body must be application/json either way (jsonBody), which a cross-site HTML
 * form cannot send without a CORS preflight we never grant.
 */
function loginMode(c: Context<AppEnv>): "browser" | "token" {
  const origin = c.req.header("origin") ?? refererOrigin(c.req.header("referer"));
  if (origin === undefined) return "token";
  if (isOwnOrigin(c, origin)) return "browser";
  throw forbidden("Cross-site log-in refused (Origin does not match).");
}

/** The id of this browser's device cookie for `userId`, when it carries a valid one. */
async function knownDevice(c: Context<AppEnv>, userId: string): Promise<string | null> {
  const raw = getCookie(c, deviceCookieName(userId));
  if (!raw) return null;
  const p = await verifyPurposeToken(raw, DEVICE_PURPOSE, c.env.SESSION_SECRET);
  return p && p.sub === userId && typeof p.did === "string" ? p.did : null;
}

async function rememberDevice(c: Context<AppEnv>, userId: string, did: string | null) {
  const token = await signPurposeToken({ sub: userId, did: did ?? crypto.randomUUID() }, DEVICE_PURPOSE, c.env.SESSION_SECRET, DEVICE_TTL_SECONDS);
  setCookie(c, deviceCookieName(userId), token, { httpOnly: true, secure: true, sameSite: "Strict", path: "/api/auth", maxAge: DEVICE_TTL_SECONDS });
}

function slowDown(c: Context<AppEnv>, retryAfterMs: number): never {
  const secs = Math.ceil(retryAfterMs / 1000);
  c.header("Retry-After", String(secs));
  throw new ApiError(429, "too_many_attempts", `Too many failed log-ins. Try again in ${secs} second${secs === 1 ? "" : "s"}.`, {
    retryAfterSeconds: secs,
  });
}

/**
 * Counts this attempt (device first, then account + address) or answers 429. While the
 * account waits out its delay (someone is guessing at it), a client that is not itself
 * guessing gets its own lane at the account (pair: account + network, progressive), so the
 * owner on a device they have not used before gets in with the right password after their own
 * delay — never a wall someone else keeps up.
 */
async function claimOrSlowDown(c: Context<AppEnv>, email: string, device: string | null): Promise<ThrottleKey[]> {
  if (device) {
    const d = await claimAttempt(c.env.DB, [{ kind: "dev", id: device }]);
    if (d.ok) return d.keys;
    // A device cookie that is itself waiting (used for guessing) counts as unknown.
  }
  const raw = c.req.header("cf-connecting-ip") ?? c.req.header("x-forwarded-for")?.split(",")[0];
  const ip: ThrottleKey = { kind: "ip", id: clientKeyOf(raw) };
  const r = await claimAttempt(c.env.DB, [{ kind: "acct", id: email }, ip]);
  if (r.ok) return r.keys;
  const lane = await claimAttempt(c.env.DB, [{ kind: "pair", id: `${email}|${networkKeyOf(raw)}` }, ip]);
  if (lane.ok) return lane.keys;
  slowDown(c, Math.min(r.retryAfterMs, lane.retryAfterMs));
}

interface LoginRow {
  id: string;
  clinic_id: string;
  email: string;
  name: string;
  role: SessionUser["role"];
  password_hash: string;
  disabled: number;
  session_epoch: number;
  doctor_id: string | null;
}

export const authRoutes = new Hono<AppEnv>()
  .post("/login", async (c) => {
    const mode = loginMode(c);
    const body = await jsonBody(c, LoginBody);
    const row = await c.env.DB.prepare(
      `SELECT u.id, u.clinic_id, u.email, u.name, u.role, u.password_hash, u.disabled, u.session_epoch, d.id AS doctor_id
       FROM users u LEFT JOIN doctors d ON d.user_id = u.id WHERE u.email = ?`,
    )
      .bind(body.email)
      .first<LoginRow>();
    const device = row ? await knownDevice(c, row.id) : null;
    // Counted before the check, so parallel guesses cannot all be checked.
    const keys = await claimOrSlowDown(c, body.email, device);
    // Verify against a dummy hash when the user is unknown so timing does not reveal which e-mails exist.
    const ok = await verifyPassword(body.password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok || row.disabled) {
      if (row?.disabled && ok) throw unauthorized("This account is disabled. Ask your clinic's admin.");
      throw unauthorized("E-mail or password is wrong.");
    }
    await forgive(c.env.DB, keys);
    const user: SessionUser = {
      userId: row.id,
      clinicId: row.clinic_id,
      role: row.role,
      email: row.email,
      name: row.name,
      doctorId: row.doctor_id,
    };
    const token = await issueSession(c, user, row.session_epoch, mode === "browser");
    if (mode === "browser") await rememberDevice(c, row.id, device);
    return c.json({ user, token });
  })
  .post("/logout", csrf, async (c) => {
    // Ends this session server-side (the token stops working everywhere), not only the cookie.
    const { token } = sessionToken(c);
    const claims = token ? await verifySessionClaims(token, c.env.SESSION_SECRET) : null;
    if (claims) {
      await c.env.DB.batch(endSessionStatements(c.env.DB, claims));
      await endLiveSessions(c.env, claims.user.clinicId, claims.user.userId, claims.jti);
    }
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.json({ ok: true });
  })
  .post("/password", requireSession, csrf, async (c) => {
    // The user changes their own password: every other session of theirs ends; this one
    // continues with a fresh token (and cookie, for a browser).
    const b = await jsonBody(c, PasswordBody);
    const me = c.var.user;
    const keys = await claimOrSlowDown(c, me.email, null);
    const row = await c.env.DB.prepare("SELECT password_hash FROM users WHERE id = ?").bind(me.userId).first<{ password_hash: string }>();
    if (!row || !(await verifyPassword(b.currentPassword, row.password_hash)))
      throw new ApiError(422, "validation_failed", "The current password is wrong.", [{ path: "currentPassword", message: "is wrong" }]);
    await forgive(c.env.DB, keys);
    const db = makeDb(c.env.DB);
    const hash = await hashPassword(b.newPassword);
    await db.batch([
      db
        .update(users)
        .set({ passwordHash: hash, updatedAt: Date.now(), sessionEpoch: sql`${users.sessionEpoch} + 1` })
        .where(eq(users.id, me.userId)),
      auditInsert(db, me.clinicId, actorOf(me), "user.password_change", "user", me.userId, { passwordChanged: true }),
    ]);
    await endLiveSessions(c.env, me.clinicId, me.userId); // this browser's socket reconnects with the new cookie
    const token = await issueSession(c, me, await currentEpoch(c.env.DB, me.userId), !sessionToken(c).bearer);
    return c.json({ ok: true, token });
  })
  .get("/me", requireSession, (c) => c.json({ user: c.var.user }));

// A valid hash of a random password, computed once per isolate at first use.
const DUMMY_HASH = "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
