// offerSlot: hand a free time of a doctor to the waitlist — the same path a cancellation takes
// (a waitlist_slots row, then the doctor's hub offers it; ./offers.ts). For callers that know
// of free time the appointment-change effect cannot see: staff ("offer this time"), and later
// the no-show predictor (offer a high-risk slot's double early), a deleted busy block or a new
// working-hours window. The hub checks at offer time that the time is really free and inside
// working hours, so a caller may be optimistic.
//
//   await offerSlot(env, doctorId, { startMs, endMs }, "suggest")
//
// Returns the slot id (its offers and outcome are in waitlist_offers / waitlist_slots), or null
// when the doctor does not exist or the time has started.
import type { Env } from "../env";
import { hubFor } from "../hub/doctor-hub";
import { newId } from "../ids";

export async function offerSlot(env: Env, doctorId: string, slot: { startMs: number; endMs: number }, cause = "manual", now = Date.now()): Promise<string | null> {
  if (!(slot.startMs > now && slot.endMs > slot.startMs)) return null;
  const id = newId();
  const r = await env.DB.prepare(
    "INSERT INTO waitlist_slots (id, clinic_id, doctor_id, start_ms, end_ms, cause, state, next_at, freed_at) " +
      "SELECT ?, clinic_id, id, ?, ?, ?, 'new', ?, ? FROM doctors WHERE id = ? RETURNING id",
  )
    .bind(id, slot.startMs, slot.endMs, cause.slice(0, 40), now, now, doctorId)
    .first();
  if (!r) return null;
  await hubFor(env, doctorId).kick(doctorId);
  return id;
}
