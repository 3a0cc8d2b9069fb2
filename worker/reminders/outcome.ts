// How a reminder that was not sent ends: skipped (it must not go any more), retried later
// (the provider proved it did not take the message), unknown (nobody can tell whether it went:
// never repeated) or failed (for good, with an audit entry). One UPDATE per state change.
import { auditInsert, systemActor } from "../db/audit";
import { makeDb, toD1 } from "../db/client";
import { SmsSendError } from "../sms/provider";
import { sendableAt } from "./plan";
import { NPS_OK, NPS_SKIP_REASON, sendDeadline } from "./nps-follow-up";
import { consentOffStatements } from "./replan";
import type { BatchContext, DueRow } from "./due";

/** The appointment is still active, at the start this reminder was planned for, and ahead. ?1 = now. */
export const APPOINTMENT_OK =
  "EXISTS (SELECT 1 FROM appointments a WHERE a.id = reminders.appointment_id AND a.status IN ('scheduled', 'confirmed') " +
  "AND a.start_ms = reminders.start_ms AND a.start_ms > ?1)";

/** The row may still go: APPOINTMENT_OK for a reminder, NPS_OK for a follow-up. ?1 = now. */
export const ROW_OK = `(CASE WHEN reminders.kind = 'nps' THEN (${NPS_OK}) ELSE (${APPOINTMENT_OK}) END)`;

export const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];
export const MAX_ATTEMPTS = BACKOFF_MS.length + 1;

/**
 * A due row the claim did not take: when it is still pending and due but its appointment is no
 * longer as planned (or it has no address), it is skipped with the reason; when another run
 * claimed it, or it was re-planned for later, this changes nothing. ?1 = now.
 */
export function skipStaleStatement(d1: D1Database, rid: number, now: number): D1PreparedStatement {
  return d1
    .prepare(
      `UPDATE reminders SET state = 'skipped', to_address = NULL, last_error = CASE WHEN to_address IS NULL THEN 'no address or no SMS consent' ` +
        `WHEN reminders.kind = 'nps' THEN ${NPS_SKIP_REASON} ELSE COALESCE(` +
        `(SELECT CASE WHEN a.status NOT IN ('scheduled', 'confirmed') THEN 'the appointment is ' || a.status ` +
        `WHEN a.start_ms <> reminders.start_ms THEN 'the appointment was moved' ELSE 'the appointment has started' END ` +
        `FROM appointments a WHERE a.id = reminders.appointment_id), 'the appointment no longer exists') END ` +
        `WHERE rowid = ?2 AND state = 'pending' AND due_at <= ?1 AND (to_address IS NULL OR NOT ${ROW_OK})`,
    )
    .bind(now, rid);
}

export function failureStatements(d1: D1Database, r: DueRow, ctx: BatchContext, err: unknown, now: number): D1PreparedStatement[] {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
  const e = err instanceof SmsSendError ? err : null;
  const attempts = r.attempts + 1;
  // Not ours to judge (a bug, a template error before any request): nothing went out, retry.
  const failure = e ? e.failure : "retry";
  if (failure === "unknown")
    return [d1.prepare("UPDATE reminders SET state = 'unknown', last_error = ?, to_address = NULL WHERE rowid = ? AND state = 'sending'").bind(`${message}; not repeated so the patient is not messaged twice`, r.rid)];
  if (failure === "retry" && attempts < MAX_ATTEMPTS) {
    const wait = Math.max(BACKOFF_MS[attempts - 1], e?.retryAfterMs ?? 0);
    // A retry follows the clinic's quiet hours as they are now, like the first try.
    const retryAt = sendableAt(now + wait, r.channel, sendDeadline(r), ctx.quiet, ctx.zone);
    if (retryAt != null) return [d1.prepare("UPDATE reminders SET state = 'pending', due_at = ?, last_error = ? WHERE rowid = ? AND state = 'sending'").bind(retryAt, message, r.rid)];
  }
  const stmts = [
    d1.prepare("UPDATE reminders SET state = 'failed', last_error = ?, to_address = NULL WHERE rowid = ? AND state = 'sending'").bind(message, r.rid),
    toD1(d1, auditInsert(makeDb(d1), r.clinic_id, systemActor("reminders"), "reminder.failed", "appointment", r.appointment_id, { channel: r.channel, attempts, error: message })),
  ];
  // The provider says the number opted out (replied STOP): record it, and no SMS goes to it again.
  if (e?.optedOut) stmts.push(...consentOffStatements(d1, "(SELECT patient_id FROM appointments WHERE id = ?)", [r.appointment_id], "twilio:21610", now));
  return stmts;
}
