// Sessions are short JWTs (HS256, signed with SESSION_SECRET via jose) in an
// HttpOnly cookie (or a Bearer header for scripts). jose is the maintained,
// runtime-agnostic JOSE library; it checks expiry, algorithm and signature for us.
// A signature alone cannot be taken back, so every token also has a server-side
// identity: its jti (ended by log-out, table revoked_sessions) and the user's session
// epoch at issue (ended for all of a user's sessions by bumping users.session_epoch).
// See docs/security.md.
import { SignJWT, jwtVerify } from "jose";
import type { SessionUser } from "../env";

export const SESSION_COOKIE = "acms_session";
export const SESSION_TTL_SECONDS = 8 * 60 * 60; // one working day

// The HMAC key imported once per secret: given raw bytes, jose imports a CryptoKey on every
// sign and verify, and that import was a visible part of each API request's CPU (issue #18).
// The key itself is cached, not the import's promise: a promise made in one request must not
// be awaited by another (workerd ties pending promises to their request).
const keyCache = new Map<string, CryptoKey>();
async function key(secret: string): Promise<CryptoKey> {
  const hit = keyCache.get(secret);
  if (hit) return hit;
  if (!secret || secret.length < 16) throw new Error("SESSION_SECRET is missing or too short");
  const k = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  keyCache.set(secret, k);
  return k;
}

/**
 * What a verified token says besides the user: its id (jti, for a single log-out),
 * the user's session epoch when it was issued, and its expiry (epoch ms).
 */
export interface SessionClaims {
  user: SessionUser;
  jti: string;
  epoch: number;
  expMs: number;
}

/**
 * Signs a session for `user`. `epoch` is users.session_epoch read at log-in: the
 * middleware refuses the token once the user's epoch has moved on (password change,
 * reset, disabling, role change), so every session of that user ends at once.
 */
export async function signSession(user: SessionUser, secret: string, ttl = SESSION_TTL_SECONDS, epoch = 0): Promise<string> {
  return new SignJWT({
    clinic: user.clinicId,
    role: user.role,
    email: user.email,
    name: user.name,
    doc: user.doctorId,
    sep: epoch,
  })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user.userId)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
    .setAudience("acms-session")
    .sign(await key(secret));
}

/**
 * Returns the token's claims, or null for a missing, forged or expired token, or one
 * without `exp`, `jti` or a session epoch (jose checks `exp` only when present, so it
 * is required explicitly: a token without an end would be a session that never ends).
 * This checks the signature only; whether the session is still live is the
 * middleware's one D1 read (middleware/session.ts).
 */
export async function verifySessionClaims(token: string, secret: string): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, await key(secret), {
      algorithms: ["HS256"],
      audience: "acms-session",
      requiredClaims: ["exp", "iat", "jti", "sub"],
    });
    if (typeof payload.sub !== "string" || typeof payload.clinic !== "string" || typeof payload.jti !== "string") return null;
    if (typeof payload.sep !== "number" || typeof payload.exp !== "number") return null;
    return {
      user: {
        userId: payload.sub,
        clinicId: payload.clinic,
        role: payload.role as SessionUser["role"],
        email: String(payload.email ?? ""),
        name: String(payload.name ?? ""),
        doctorId: (payload.doc as string | null) ?? null,
      },
      jti: payload.jti,
      epoch: payload.sep,
      expMs: payload.exp * 1000,
    };
  } catch {
    return null;
  }
}

/** The session user of a validly signed token (signature and expiry only; see verifySessionClaims). */
export async function verifySession(token: string, secret: string): Promise<SessionUser | null> {
  return (await verifySessionClaims(token, secret))?.user ?? null;
}

/** Signs a short-lived purpose-bound token (e.g. OAuth state) with the session secret. */
export async function signPurposeToken(
  claims: Record<string, unknown>,
  purpose: string,
  secret: string,
  ttlSeconds: number,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .setAudience(purpose)
    .sign(await key(secret));
}

export async function verifyPurposeToken(token: string, purpose: string, secret: string) {
  try {
    const { payload } = await jwtVerify(token, await key(secret), { algorithms: ["HS256"], audience: purpose });
    return payload;
  } catch {
    return null;
  }
}
