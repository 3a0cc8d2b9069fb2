// Staff turning video on or off for an existing appointment (PUT /api/appointments/:id/video).
//
// This is not an appointment change (no new version, so no effects run): the link is added or
// removed in a batch of its own. What shows the link must then be told here:
//   - the patient's invite: an update (same UID and SEQUENCE, new DTSTAMP), as a Teams link that
//     arrives later is announced (worker/video/provider-link.ts); it is rendered at send time, so
//     it carries the link, or no longer does;
//   - the event in each of the doctor's synced calendars, which shows the link (Google: location
//     and description; Outlook: the body; CalDAV: LOCATION and DESCRIPTION): re-pushed as the
//     engine's requeue does (links 'pending' + an outbox row; sync/reconcile.ts).
// Each of those runs only if the toggle changes something (they come before the link's own
// statement in the batch and test its row): turning on what is on sends nothing. Past visits
// are left as they were.
import { newJitsiUrl } from "./jitsi";

export function videoToggleStatements(
  d1: D1Database,
  a: { id: string; clinicId: string },
  enabled: boolean,
  jitsiBaseUrl: string | null | undefined,
  now: number,
): D1PreparedStatement[] {
  const changes = `${enabled ? "NOT " : ""}EXISTS (SELECT 1 FROM appointment_video v WHERE v.appointment_id = ?1)`;
  return [
    d1
      .prepare(
        `INSERT INTO email_outbox (clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, created_at, patient_id)
         SELECT a.clinic_id, a.id, 'REQUEST', MAX(0, a.version - 1), p.email, 'pending', 0, 0, ?2, p.id
         FROM appointments a JOIN patients p ON p.id = a.patient_id
         WHERE a.id = ?1 AND p.email <> '' AND a.status IN ('scheduled', 'confirmed') AND a.end_ms > ?2 AND ${changes}`,
      )
      .bind(a.id, now),
    d1
      .prepare(
        `UPDATE appointment_links SET state = 'pending', updated_at = ?2 WHERE appointment_id = ?1 AND state = 'synced'
           AND EXISTS (SELECT 1 FROM appointments a WHERE a.id = ?1 AND a.end_ms > ?2) AND ${changes}`,
      )
      .bind(a.id, now),
    d1
      .prepare(
        `INSERT INTO sync_outbox (clinic_id, doctor_id, appointment_id, op, version, created_at, updated_at)
         SELECT a.clinic_id, a.doctor_id, a.id, 'upsert', a.version, ?2, ?2 FROM appointments a
         WHERE a.id = ?1 AND a.status != 'cancelled' AND a.end_ms > ?2 AND ${changes}
           AND EXISTS (SELECT 1 FROM calendar_integrations i WHERE i.doctor_id = a.doctor_id)`,
      )
      .bind(a.id, now),
    enabled
      ? d1
          .prepare("INSERT OR IGNORE INTO appointment_video (appointment_id, clinic_id, provider, url, created_at) VALUES (?, ?, 'jitsi', ?, ?)")
          .bind(a.id, a.clinicId, newJitsiUrl(jitsiBaseUrl), now)
      : d1.prepare("DELETE FROM appointment_video WHERE appointment_id = ?").bind(a.id),
  ];
}
