// The server-side half of a session (see auth/session.ts for the token half):
//  - one read per request decides whether a validly signed token is still live;
//  - log-out ends one session (its jti into revoked_sessions);
//  - bumping users.session_epoch ends every session of a user at once.
// Why an epoch plus a small deny-list and not a row per session: the read path pays one
// indexed statement either way, but log-ins write nothing, and the deny-list only holds
// sessions ended early, pruned once their token would have expired anyway.
import { type SQL, sql } from "drizzle-orm";
import type { Env } from "../env";
import type { SessionClaims } from "./session";

export type SessionVerdict = { ok: true } | { ok: false; reason: "disabled" | "ended" };

/**
 * One D1 statement, two primary-key lookups (users.id, revoked_sessions.jti): the only
 * database work the session check adds to a request. It replaces the per-isolate,
 * 15-second "is the account disabled" cache, which could not end a session at once.
 */
export async function sessionVerdict(db: D1Database, s: SessionClaims): Promise<SessionVerdict> {
  return verdictOf(await sessionStatement(db, s).first<SessionRow>(), s);
}

type SessionRow = { disabled: number; role: string; clinic_id: string; session_epoch: number; revoked: number };

/** The session check's statement, for a caller that batches it with its own reads (verdictOf reads its row). */
export function sessionStatement(db: D1Database, s: SessionClaims): D1PreparedStatement {
  return db
    .prepare(
      `SELECT u.disabled, u.role, u.clinic_id, u.session_epoch,
              EXISTS (SELECT 1 FROM revoked_sessions WHERE jti = ?2) AS revoked
       FROM users u WHERE u.id = ?1`,
    )
    .bind(s.user.userId, s.jti);
}

/** What sessionStatement's row says of the session. */
export function verdictOf(row: SessionRow | null | undefined, s: SessionClaims): SessionVerdict {
  if (!row) return { ok: false, reason: "ended" };
  if (row.disabled) return { ok: false, reason: "disabled" };
  // A role or clinic that no longer matches the token also ends it (a role change bumps
  // the epoch as well; this is the belt to those braces).
  if (row.revoked || row.session_epoch !== s.epoch || row.role !== s.user.role || row.clinic_id !== s.user.clinicId)
    return { ok: false, reason: "ended" };
  return { ok: true };
}

/**
 * sessionVerdict as a condition, true exactly when it would say ok: the booking path checks the
 * session inside its own write batch (appointments/write.ts) instead of in a round trip before
 * it, and asks sessionVerdict only when the batch refused, to say why (issue #18).
 */
export function sessionLiveSql(s: SessionClaims): SQL {
  return sql`EXISTS (SELECT 1 FROM users u WHERE u.id = ${s.user.userId} AND u.disabled = 0 AND u.session_epoch = ${s.epoch}
      AND u.role = ${s.user.role} AND u.clinic_id = ${s.user.clinicId})
    AND NOT EXISTS (SELECT 1 FROM revoked_sessions WHERE jti = ${s.jti})`;
}

/** Log-out: this session ends now; expired deny-list rows are pruned in the same batch. */
export function endSessionStatements(db: D1Database, s: SessionClaims, now = Date.now()): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM revoked_sessions WHERE expires_at < ?").bind(now),
    db
      .prepare("INSERT INTO revoked_sessions (jti, user_id, expires_at) VALUES (?, ?, ?) ON CONFLICT(jti) DO NOTHING")
      .bind(s.jti, s.user.userId, s.expMs),
  ];
}

/** SQL assignment that ends every session of the user being updated (use in the same UPDATE as the change). */
export const BUMP_EPOCH_SQL = "session_epoch = session_epoch + 1";

/** Ends every session of `userId` (returns the statement, to batch with the change that causes it). */
export function endAllSessionsStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db.prepare(`UPDATE users SET ${BUMP_EPOCH_SQL} WHERE id = ?`).bind(userId);
}

/** The user's current epoch, to sign a fresh token for the session that made the change. */
export async function currentEpoch(db: D1Database, userId: string): Promise<number> {
  const r = await db.prepare("SELECT session_epoch FROM users WHERE id = ?").bind(userId).first<{ session_epoch: number }>();
  return r?.session_epoch ?? 0;
}

/**
 * Closes the live WebSockets of ended sessions (one session's by jti, or all of a user's).
 * Best effort: D1 is what decides; a socket that stays open because this failed can no
 * longer reconnect, and still closes at its token's expiry.
 */
export async function endLiveSessions(env: Pick<Env, "CLINIC_LIVE">, clinicId: string, userId: string, jti?: string): Promise<void> {
  try {
    await env.CLINIC_LIVE.get(env.CLINIC_LIVE.idFromName(clinicId)).endSessions(userId, jti);
  } catch (err) {
    console.error("closing live sockets of an ended session failed", err);
  }
}
