// A patient's own move (self-reschedule from their link, patient-links/reschedule.ts) is recorded
// in the SAME D1 batch as the move: the patient_reschedules row the per-appointment limit counts,
// a guard that the limit still holds, the patient_responses row, and the patient's links kept
// valid until the new end. Recorded in a batch of its own before the move (the old way), a Worker
// dying between the two cost the patient one of their moves without moving anything; after it,
// a crash could leave a move unrecorded. One batch: the move and its record stand or fall together,
// and two moves racing each other cannot both pass the limit (the guard counts rows the batch sees).
// Registered in worker/features.ts (the appointment-effects registry): the write path knows nothing of it.
import { sql } from "drizzle-orm";
import type { ChangeEffect } from "../appointments/effects";
import { guard } from "../appointments/write-checks";
import { patientLinks, patientReschedules, patientResponses } from "../db/schema";

/** The actor of a patient's own change through their link (the audit entry's label). */
export const PATIENT_LINK_ACTOR = "patient via link";

export const selfRescheduleEffect: ChangeEffect = (db, change) => {
  const { before, after } = change;
  if (change.origin !== "acms" || change.actor.label !== PATIENT_LINK_ACTOR || !before || !after) return [];
  if (before.start === after.start && before.end === after.end) return []; // a confirm or cancel, not a move
  const at = Date.parse(after.updatedAt);
  const endMs = Date.parse(after.end);
  return [
    guard(
      db,
      sql`(SELECT count(*) FROM ${patientReschedules} WHERE appointment_id = ${after.id}) < (SELECT reschedule_limit FROM clinics WHERE id = ${after.clinicId})`,
    ),
    db.insert(patientReschedules).values({ clinicId: after.clinicId, appointmentId: after.id, fromMs: Date.parse(before.start), toMs: Date.parse(after.start), via: "link", at }),
    db.insert(patientResponses).values({ clinicId: after.clinicId, appointmentId: after.id, action: "reschedule", via: "link", at }),
    // The patient's links stay valid until the appointment's new end (they expired with the old one).
    db.update(patientLinks).set({ expiresAt: endMs }).where(sql`${patientLinks.appointmentId} = ${after.id}`),
  ];
};
