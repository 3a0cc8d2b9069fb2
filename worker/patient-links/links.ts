// Personal confirm/cancel links for patients: APP_URL/r/<token>. The token is 24 random bytes
// (192 bits, base64url); only its SHA-256 is stored, so a database leak yields no working
// link. A link expires when its appointment ends. Each reminder (and invite) issues its own
// link, so one leaked message does not reveal the token of another.
import { randomSecret, sha256Hex } from "../ids";

export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;

export interface IssuedLink {
  token: string;
  url: string;
  statement: D1PreparedStatement;
}

/** A new link for an appointment; run `statement` (alone or in a batch) before handing out `url`. */
export async function issuePatientLink(
  d1: D1Database,
  appUrl: string,
  a: { clinicId: string; appointmentId: string; endMs: number },
  now = Date.now(),
): Promise<IssuedLink> {
  const token = randomSecret(24);
  const statement = d1
    .prepare("INSERT INTO patient_links (token_hash, clinic_id, appointment_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)")
    .bind(await sha256Hex(token), a.clinicId, a.appointmentId, a.endMs, now);
  return { token, url: `${appUrl.replace(/\/+$/, "")}/r/${token}`, statement };
}

/** The appointment a token opens, or null for a malformed, unknown or expired token (callers answer all alike). */
export async function resolvePatientLink(d1: D1Database, token: string, now = Date.now()): Promise<{ clinicId: string; appointmentId: string } | null> {
  // Hash even a malformed token, so every miss costs the same.
  const hash = await sha256Hex(token);
  if (!TOKEN_SHAPE.test(token)) return null;
  const row = await d1
    .prepare("SELECT clinic_id, appointment_id, expires_at FROM patient_links WHERE token_hash = ?")
    .bind(hash)
    .first<{ clinic_id: string; appointment_id: string; expires_at: number }>();
  if (!row || row.expires_at <= now) return null;
  return { clinicId: row.clinic_id, appointmentId: row.appointment_id };
}
