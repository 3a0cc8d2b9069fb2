// Events marked as ACMS's that are not this clinic's (docs/sync.md "A doctor in two clinics").
//
// A doctor who works in two clinics has a doctor record in each (clinics are isolated tenants)
// and may connect the same calendar in both. Each clinic writes its appointments there, marked
// as ACMS's (ExternalItem.appointmentId). To clinic 2, clinic 1's events are the doctor's busy
// time like any other event: stored as busy blocks (busy only, no label: nothing of clinic 1
// beyond "busy then"), never adopted, never deleted by clinic 2's reconcile or disconnect.
//
// A marked event is this clinic's when its appointment is, or was, this clinic's:
//   - the appointment exists in this clinic (whichever doctor: a moved appointment's stale
//     event is ours to clean up);
//   - or it no longer exists, but the audit log (never pruned, indexed by entity) has it in this
//     clinic: a deleted appointment whose event deletion may still wait in our own outbox. Such an
//     event must not become a busy block of the same doctor.
// Everything else is another clinic's: an existing or deleted appointment of another clinic of
// this D1, or an id no clinic of this D1 ever had (another deployment's ACMS). Those block.
import type { Env } from "../env";

const CHUNK = 500;

/**
 * Which of these appointment ids are NOT this clinic's (now or ever). One D1 batch whatever the
 * number of ids (one JSON parameter per 500 ids, expanded by json_each), nothing when empty.
 */
export async function otherClinicsAppointments(env: Pick<Env, "DB">, clinicId: string, ids: Iterable<string>): Promise<Set<string>> {
  const all = [...new Set(ids)];
  const out = new Set<string>();
  if (!all.length) return out;
  const db = env.DB;
  const res = await db.batch(
    Array.from({ length: Math.ceil(all.length / CHUNK) }, (_, i) =>
      db
        .prepare(
          `SELECT j.value AS id FROM json_each(?2) j
           WHERE NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = j.value AND a.clinic_id = ?1)
             AND NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.entity_type = 'appointment' AND l.entity_id = j.value AND l.clinic_id = ?1)`,
        )
        .bind(clinicId, JSON.stringify(all.slice(i * CHUNK, (i + 1) * CHUNK))),
    ),
  );
  for (const r of res) for (const row of r.results as { id: string }[]) out.add(row.id);
  return out;
}
