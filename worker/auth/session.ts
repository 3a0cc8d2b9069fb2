// Sessions are short JWTs (HS256, signed with SESSION_SECRET via jose) in an
// HttpOnly cookie. jose is the maintained, runtime-agnostic JOSE library; it
// checks expiry, algorithm and signature for us.
import { SignJWT, jwtVerify } from "jose";
import type { SessionUser } from "../env";

export const SESSION_COOKIE = "acms_session";
export const SESSION_TTL_SECONDS = 8 * 60 * 60; // one working day

const keyCache = new Map<string, Uint8Array>();
function key(secret: string): Uint8Array {
  let k = keyCache.get(secret);
  if (!k) {
    if (!secret || secret.length < 16) throw new Error("SESSION_SECRET is missing or too short");
    k = new TextEncoder().encode(secret);
    keyCache.set(secret, k);
  }
  return k;
}

export async function signSession(user: SessionUser, secret: string, ttl = SESSION_TTL_SECONDS): Promise<string> {
  return new SignJWT({
    clinic: user.clinicId,
    role: user.role,
    email: user.email,
    name: user.name,
    doc: user.doctorId,
  })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user.userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
    .setAudience("acms-session")
    .sign(key(secret));
}

/** Returns the session user, or null for a missing, forged or expired token. */
export async function verifySession(token: string, secret: string): Promise<SessionUser | null> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ["HS256"], audience: "acms-session" });
    if (typeof payload.sub !== "string" || typeof payload.clinic !== "string") return null;
    return {
      userId: payload.sub,
      clinicId: payload.clinic,
      role: payload.role as SessionUser["role"],
      email: String(payload.email ?? ""),
      name: String(payload.name ?? ""),
      doctorId: (payload.doc as string | null) ?? null,
    };
  } catch {
    return null;
  }
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
    .sign(key(secret));
}

export async function verifyPurposeToken(token: string, purpose: string, secret: string) {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ["HS256"], audience: purpose });
    return payload;
  } catch {
    return null;
  }
}
