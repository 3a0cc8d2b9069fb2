// Queues the doctor's upcoming appointments that are not yet in the integration's
// write calendar: on connect (appointments booked before connecting) and when the
// doctor picks another write calendar (events move). The outbox drain does the rest,
// in batches, with the usual idempotency (deterministic ids, 409 → patch).
import type { Env } from "../env";

export function backfillStatement(env: Env, integrationId: string, doctorId: string, writeCalendarId: string, now = Date.now()) {
  return env.DB.prepare(
    `INSERT INTO sync_outbox (clinic_id, doctor_id, appointment_id, op, version, created_at, updated_at)
     SELECT a.clinic_id, a.doctor_id, a.id, 'upsert', a.version, ?1, ?1 FROM appointments a
     WHERE a.doctor_id = ?2 AND a.status != 'cancelled' AND a.end_ms > ?1
       AND NOT EXISTS (SELECT 1 FROM appointment_links l WHERE l.appointment_id = a.id AND l.integration_id = ?3
         AND l.state = 'synced' AND l.external_calendar_id = ?4 AND l.synced_version >= a.version)`,
  ).bind(now, doctorId, integrationId, writeCalendarId);
}
