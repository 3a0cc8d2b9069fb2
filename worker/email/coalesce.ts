// Coalescing patient updates caused by moves made in a doctor's own calendar (issue 17).
// A doctor dragging an event around in Google/Outlook/iCloud makes one accepted move per
// drop, and each used to e-mail the patient an update: ten drags, ten e-mails. An update
// that comes from a provider (origin google|microsoft|caldav) is therefore held for
// COALESCE_MS; a later update of the same appointment within that time joins it (same
// send time, latest time and SEQUENCE), and the earlier held rows are marked 'superseded'.
// So the patient gets at most one update per appointment per few minutes, with the final
// time. Updates made in ACMS (a receptionist's reschedule) and cancellations go at once.
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { ChangeEffect, ChangeOrigin } from "../appointments/effects";
import type { Appointment } from "../appointments/model";

export const COALESCE_MS = 3 * 60_000;

/** Origins whose updates are coalesced: moves made in the doctor's own calendar. */
export const coalescedOrigin = (o: ChangeOrigin) => o === "google" || o === "microsoft" || o === "caldav";

/** Queue a held update (REQUEST) for the appointment's patient, joining a held one if there is. */
export function queueCoalescedUpdate(db: Parameters<ChangeEffect>[0], a: Appointment, patientId: string, now = Date.now()): BatchItem<"sqlite">[] {
  // Held = pending, never tried, not yet due. A row being sent was due (its lease is a column of
  // its own, lease_until), so it is not held: it goes out, and the new row COALESCE_MS later.
  const held = sql`SELECT MIN(next_attempt_at) FROM email_outbox WHERE appointment_id = ${a.id} AND method = 'REQUEST' AND state = 'pending' AND attempts = 0 AND next_attempt_at > ${now}`;
  return [
    db.run(sql`INSERT INTO email_outbox (clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, created_at, patient_id)
      SELECT ${a.clinicId}, ${a.id}, 'REQUEST', ${Math.max(0, a.version - 1)}, email, 'pending', 0, COALESCE((${held}), ${now + COALESCE_MS}), ${now}, id
      FROM patients WHERE id = ${patientId} AND clinic_id = ${a.clinicId} AND email <> ''`),
    // The earlier held updates are replaced by the one just queued.
    db.run(sql`UPDATE email_outbox SET state = 'superseded', last_error = 'replaced by a later update'
      WHERE appointment_id = ${a.id} AND method = 'REQUEST' AND state = 'pending' AND attempts = 0 AND next_attempt_at > ${now}
        AND id < (SELECT MAX(id) FROM email_outbox WHERE appointment_id = ${a.id})`),
  ];
}
