// Registered in worker/features.ts: statements in the same D1 batch as every appointment
// change, so a freed slot can never be missed and a booked patient never stays "waiting".
//  - A change that frees future time (cancel, delete, a move to another time or doctor, from
//    any origin: staff, the patient's link or SMS, a doctor's own calendar) records the freed
//    slot in waitlist_slots (state 'new'); the doctor's hub, kicked after every change, offers
//    it to the waitlist (./offers.ts). The rows are also what the analytics count.
//  - A change to an appointment whose time is offered as standby (./standby.ts) — confirmed,
//    cancelled, deleted, moved — wakes that standby slot, so the hub withdraws the offers or
//    books the standing patient at once rather than at the final point.
//  - A new active booking for a patient takes their waiting entries for that type (and that
//    doctor, or "any doctor") off the waitlist.
import { sql } from "drizzle-orm";
import type { ChangeEffect } from "../appointments/effects";
import { isActive } from "../appointments/model";
import { newId } from "../ids";

const open = (status: string) => status === "scheduled" || status === "confirmed";

export const waitlistEffect: ChangeEffect = (db, change) => {
  const { before, after } = change;
  const now = Date.now();
  const items = [];
  if (before && open(before.status) && Date.parse(before.start) > now) {
    const cause = !after ? "delete" : !isActive(after.status) ? "cancel" : after.start !== before.start || after.end !== before.end || after.doctorId !== before.doctorId ? "move" : null;
    if (cause) {
      const label = change.origin === "acms" ? cause : `${cause} (${change.origin})`;
      items.push(
        db.run(sql`INSERT INTO waitlist_slots (id, clinic_id, doctor_id, start_ms, end_ms, cause, state, next_at, freed_at)
          VALUES (${newId()}, ${before.clinicId}, ${before.doctorId}, ${Date.parse(before.start)}, ${Date.parse(before.end)}, ${label}, 'new', ${now}, ${now})`),
      );
    }
  }
  if (before && open(before.status) && (!after || after.status !== before.status || after.start !== before.start || after.doctorId !== before.doctorId))
    items.push(
      db.run(sql`UPDATE waitlist_slots SET next_at = ${now} WHERE standby_for = ${before.id} AND state IN ('new','offering','standing')`),
    );
  if (after && open(after.status) && (!before || !open(before.status)))
    items.push(
      db.run(sql`UPDATE waitlist_entries SET state = 'booked', appointment_id = ${after.id}, updated_at = ${now}
        WHERE patient_id = ${after.patientId} AND clinic_id = ${after.clinicId} AND state = 'waiting'
          AND (doctor_id IS NULL OR doctor_id = ${after.doctorId}) AND lower(type) = lower(${after.type})`),
    );
  return items;
};
