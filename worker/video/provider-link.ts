// A meeting link a calendar provider made for an appointment (Outlook's Teams meeting, returned
// by the create) becomes the appointment's video link — replacing a Jitsi room from booking — so
// reminders, the patient's page and the .ics carry it. The patient's invite went out at booking,
// before the meeting existed: when the link is new, the invite is sent again as an update
// (REQUEST, same UID and SEQUENCE, new DTSTAMP; worker/email/outbox.ts renders it with the link).
// Statements only, for the sync engine's own batch; the invite row is written before the link
// is stored, so "is it new" is decided against the stored one.
// `expected` is the appointment's video link as read before the provider was called (null: none):
// if it changed meanwhile, nothing is written. That change can be a replaced patient (a new room,
// worker/video/effect.ts), and the meeting the provider returned is then the old patient's: it
// must reach neither the new patient's invite nor the stored link (the next push makes a new
// meeting, worker/sync/outbound.ts renewMeeting).
export function providerVideoLinkStatements(
  d1: D1Database,
  a: { appointmentId: string; clinicId: string },
  provider: string,
  url: string,
  expected: string | null,
  now = Date.now(),
): D1PreparedStatement[] {
  const unchanged = "(SELECT v0.url FROM appointment_video v0 WHERE v0.appointment_id = ?1) IS ?4";
  return [
    d1
      .prepare(
        `INSERT INTO email_outbox (clinic_id, appointment_id, method, sequence, to_address, state, attempts, next_attempt_at, created_at, patient_id)
         SELECT a.clinic_id, a.id, 'REQUEST', MAX(0, a.version - 1), p.email, 'pending', 0, 0, ?3, p.id
         FROM appointments a JOIN patients p ON p.id = a.patient_id
         WHERE a.id = ?1 AND p.email <> '' AND a.status IN ('scheduled', 'confirmed')
           AND NOT EXISTS (SELECT 1 FROM appointment_video v WHERE v.appointment_id = a.id AND v.url = ?2)
           AND ${unchanged}`,
      )
      .bind(a.appointmentId, url, now, expected),
    d1
      .prepare(
        `INSERT INTO appointment_video (appointment_id, clinic_id, provider, url, created_at) SELECT ?1, ?5, ?6, ?2, ?3 WHERE ${unchanged} ` +
          "ON CONFLICT(appointment_id) DO UPDATE SET provider = excluded.provider, url = excluded.url",
      )
      .bind(a.appointmentId, url, now, expected, a.clinicId, provider),
  ];
}
