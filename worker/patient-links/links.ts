// Personal confirm/cancel links for patients: APP_URL/r/<token>. The token is 24 random bytes
// (192 bits, base64url); only its SHA-256 is stored, so a database leak yields no working
// link. A link expires when its appointment ends. Each reminder (and invite) issues its own
// link, so one leaked message does not reveal the token of another.
//
// Reminder links (issue #18) are derived instead of stored, so sending a reminder writes no
// link row: the token is the reminder's id (16 bytes) followed by the first 16 bytes of
// HMAC-SHA256(key, id), base64url — 43 characters, 128 bits that cannot be guessed without the
// key. The key is derived from SESSION_SECRET (HMAC of a fixed label), so rotating that secret
// also retires every reminder link. Such a link opens the reminder's appointment until that
// appointment ends (as it is now), like a stored link. The link of an NPS follow-up (a reminders
// row of kind 'nps', sent after a completed visit: worker/reminders/nps-follow-up.ts) stays valid
// NPS_LINK_MS after the end instead, and opens the NPS question only (`npsOnly`): it cannot
// confirm, cancel or move anything. Invite links are derived the same way from their
// email_outbox row (34 characters; inviteLinkUrl below). Stored links remain for the SMS
// reply that offers a new time (./reschedule-sms.ts) and for links issued before. Every link is
// bound to its patient (the row's patient_id): when staff replace the appointment's patient, the
// old patient's links stop opening it (resolvePatientLink).
import { base64url, randomSecret, sha256Hex } from "../ids";
import { NPS_LINK_MS } from "../reminders/nps-follow-up";

export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;
export const REMINDER_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
export const INVITE_TOKEN_SHAPE = /^[A-Za-z0-9_-]{34}$/;
const LINK_KEY_LABEL = "acms patient link v1";

const keys = new Map<string, Promise<CryptoKey>>();
function linkKey(secret: string): Promise<CryptoKey> {
  let k = keys.get(secret);
  if (!k) {
    k = (async () => {
      const enc = new TextEncoder();
      const master = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      const derived = await crypto.subtle.sign("HMAC", master, enc.encode(LINK_KEY_LABEL));
      return crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    })();
    keys.set(secret, k);
  }
  return k;
}

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
const bytesHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

async function mac16(secret: string, payload: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await linkKey(secret), payload)).slice(0, 16);
}

/** A derived token: the payload, then the first 16 bytes of its HMAC, base64url. */
async function derivedToken(secret: string, payload: Uint8Array<ArrayBuffer>): Promise<string> {
  const token = new Uint8Array(payload.length + 16);
  token.set(payload, 0);
  token.set(await mac16(secret, payload), payload.length);
  return base64url(token);
}

/** The payload of a derived token of `payloadLength` bytes when its MAC is right (constant-time compare), else null. */
async function payloadOf(secret: string, token: string, payloadLength: number): Promise<Uint8Array<ArrayBuffer> | null> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = Uint8Array.from(atob(token.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (token.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  // Canonical form only: the last character carries unused bits, so several spellings would decode alike.
  if (bytes.length !== payloadLength + 16 || base64url(bytes) !== token) return null;
  const payload = bytes.slice(0, payloadLength);
  const want = await mac16(secret, payload);
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= want[i] ^ bytes[payloadLength + i];
  return diff === 0 ? payload : null;
}

const url = (appUrl: string, token: string) => `${appUrl.replace(/\/+$/, "")}/r/${token}`;

/** The personal link of one reminder (writes nothing). `reminderId` is one of our 32-hex ids. */
export async function reminderLinkUrl(secret: string, appUrl: string, reminderId: string): Promise<string> {
  return url(appUrl, await derivedToken(secret, hexBytes(reminderId)));
}

// An invite's link names its email_outbox row: "i" and the row id (8 bytes, big-endian), 9 bytes
// of payload — 25 bytes in all, 34 characters, a length no other token has. Rows are never
// deleted and ids never reused (migration 0023), so a link names one invite for good.
const INVITE_TAG = 0x69;
const invitePayload = (outboxId: number) => {
  const p = new Uint8Array(9);
  p[0] = INVITE_TAG;
  new DataView(p.buffer).setBigUint64(1, BigInt(outboxId));
  return p;
};

/**
 * The personal link in one invite e-mail (writes nothing; issue #18: a stored link cost 3 D1
 * rows per invite). It opens the invite's appointment until that appointment ends, as it is now.
 */
export async function inviteLinkUrl(secret: string, appUrl: string, outboxId: number): Promise<string> {
  return url(appUrl, await derivedToken(secret, invitePayload(outboxId)));
}

export interface IssuedLink {
  token: string;
  url: string;
  statement: D1PreparedStatement;
}

/**
 * A new link for an appointment; run `statement` (alone or in a batch) before handing out `url`.
 * Without `endMs` the link expires with the appointment as stored when the statement runs (no
 * row is written if it is gone), so a caller can issue it in the same batch as its other reads.
 * The link is bound to `patientId` (the patient it is handed to), or without it to the
 * appointment's patient when the statement runs: it opens the appointment only while that is
 * still the appointment's patient (resolvePatientLink).
 */
export async function issuePatientLink(
  d1: D1Database,
  appUrl: string,
  a: { clinicId: string; appointmentId: string; endMs?: number; patientId?: string },
  now = Date.now(),
): Promise<IssuedLink> {
  const token = randomSecret(24);
  const hash = await sha256Hex(token);
  const patientId = a.patientId ?? null;
  const statement =
    a.endMs !== undefined
      ? d1
          .prepare(
            "INSERT INTO patient_links (token_hash, clinic_id, appointment_id, expires_at, created_at, patient_id) " +
              "VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(?6, (SELECT patient_id FROM appointments WHERE id = ?3 AND clinic_id = ?2)))",
          )
          .bind(hash, a.clinicId, a.appointmentId, a.endMs, now, patientId)
      : d1
          .prepare(
            "INSERT INTO patient_links (token_hash, clinic_id, appointment_id, expires_at, created_at, patient_id) " +
              "SELECT ?1, clinic_id, id, end_ms, ?2, COALESCE(?5, patient_id) FROM appointments WHERE id = ?3 AND clinic_id = ?4",
          )
          .bind(hash, now, a.appointmentId, a.clinicId, patientId);
  return { token, url: url(appUrl, token), statement };
}

/** A patient's visit as a link or an SMS reply names it: the appointment and the patient it was matched to. */
export interface VisitRef {
  clinicId: string;
  appointmentId: string;
  /**
   * The patient the link was handed to: the appointment's patient when the link was resolved.
   * Every later read of the appointment checks it is still theirs (sameVisitHolder), so a swap
   * landing between this lookup and the action never shows or acts on the new patient's visit.
   */
  patientId: string;
}

/** The appointment a token opens, or null for a malformed, unknown or expired token (callers answer all alike). */
export interface ResolvedLink extends VisitRef {
  /** The NPS follow-up's link: it may show and answer the NPS question, nothing else. */
  npsOnly?: boolean;
}

/**
 * Whether the appointment's patient was replaced at or after `since` (SQL; `appt` names the
 * appointment id). Every patient change goes through the write path, which records it in the
 * audit log (never deleted) with the patient before and after: so a link row from before
 * migration 0025, which does not name its patient, can still be told apart. Read only for such
 * rows (the audit_entity_idx, a few rows per appointment).
 */
const patientReplacedSince = (appt: string, since: string) =>
  `EXISTS (SELECT 1 FROM audit_log g WHERE g.entity_type = 'appointment' AND g.entity_id = ${appt} AND g.at >= ${since} ` +
  "AND json_extract(g.summary, '$.before.patientId') <> json_extract(g.summary, '$.after.patientId'))";

// A link is bound to its patient: it opens the appointment only while the patient it was sent to
// is still the appointment's patient. When staff replace the patient, the old patient's invite,
// reminder and stored links answer like an unknown link (the same null, so the page is the same
// and there is no oracle) instead of showing the new patient's appointment (doctor, time,
// address, video link) and letting the old patient confirm, cancel or move it. Each row names its
// patient (email_outbox.patient_id, migration 0024; reminders and patient_links, 0025). Rows
// written before those migrations (patient_id NULL) are decided without it:
//  - an invite by its address: it opens only when it went to the current patient's e-mail;
//  - a reminder (its address is cleared once sent) or a stored link by the audit log: it opens
//    unless the patient was replaced after the reminder was claimed for sending (its address was
//    fixed then) or after the link was issued. A patient swapped away and back also retires them
//    (on the safe side; only old rows, whose links end with their appointment).
//
// `secret` (SESSION_SECRET) is required: derived links (reminders, invites) cannot be checked
// without it, and a caller that once left it out refused every one of them without a word.
export async function resolvePatientLink(d1: D1Database, token: string, now: number, secret: string): Promise<ResolvedLink | null> {
  if (INVITE_TOKEN_SHAPE.test(token)) {
    const p = await payloadOf(secret, token, 9);
    if (!p || p[0] !== INVITE_TAG) return null;
    const r = await d1
      .prepare(
        "SELECT o.clinic_id, o.appointment_id, a.end_ms, a.patient_id FROM email_outbox o JOIN appointments a ON a.id = o.appointment_id AND a.clinic_id = o.clinic_id " +
          "WHERE o.id = ? AND o.method = 'REQUEST' AND (o.patient_id = a.patient_id " +
          "OR (o.patient_id IS NULL AND o.to_address = (SELECT p.email FROM patients p WHERE p.id = a.patient_id)))",
      )
      .bind(Number(new DataView(p.buffer).getBigUint64(1)))
      .first<{ clinic_id: string; appointment_id: string; end_ms: number; patient_id: string }>();
    return r && r.end_ms > now ? { clinicId: r.clinic_id, appointmentId: r.appointment_id, patientId: r.patient_id } : null;
  }
  if (REMINDER_TOKEN_SHAPE.test(token)) {
    const p = await payloadOf(secret, token, 16);
    if (!p) return null;
    const id = bytesHex(p);
    const r = await d1
      .prepare(
        "SELECT r.clinic_id, r.appointment_id, r.kind, a.end_ms, a.patient_id FROM reminders r JOIN appointments a ON a.id = r.appointment_id " +
          "WHERE r.id = ? AND (r.patient_id = a.patient_id " +
          `OR (r.patient_id IS NULL AND NOT ${patientReplacedSince("r.appointment_id", "COALESCE(r.claimed_at, r.created_at)")}))`,
      )
      .bind(id)
      .first<{ clinic_id: string; appointment_id: string; kind: string; end_ms: number; patient_id: string }>();
    if (!r) return null;
    const link = { clinicId: r.clinic_id, appointmentId: r.appointment_id, patientId: r.patient_id };
    if (r.kind === "nps") return r.end_ms + NPS_LINK_MS > now ? { ...link, npsOnly: true } : null;
    if (r.end_ms <= now) return null;
    return link;
  }
  // Hash even a malformed token, so every miss costs the same.
  const hash = await sha256Hex(token);
  if (!TOKEN_SHAPE.test(token)) return null;
  const row = await d1
    .prepare(
      "SELECT l.clinic_id, l.appointment_id, l.expires_at, a.patient_id FROM patient_links l JOIN appointments a ON a.id = l.appointment_id " +
        "WHERE l.token_hash = ? AND (l.patient_id = a.patient_id " +
        `OR (l.patient_id IS NULL AND NOT ${patientReplacedSince("l.appointment_id", "l.created_at")}))`,
    )
    .bind(hash)
    .first<{ clinic_id: string; appointment_id: string; expires_at: number; patient_id: string }>();
  if (!row || row.expires_at <= now) return null;
  return { clinicId: row.clinic_id, appointmentId: row.appointment_id, patientId: row.patient_id };
}

/**
 * The appointment as read now, if it is still the visit of the patient a link or an SMS reply
 * was matched to; null otherwise (answered like a visit that no longer exists). The match and
 * this read are two statements: staff replacing the patient between them must not hand the new
 * patient's visit (doctor, time, video link, confirm/cancel/move) to the old one. The action
 * that follows carries this read's version, so a swap after it fails as a version conflict.
 */
export function sameVisitHolder<A extends { patientId: string }>(a: A | null, patientId: string): A | null {
  return a && a.patientId === patientId ? a : null;
}
