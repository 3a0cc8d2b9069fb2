// "Take me off the waitlist", from an offer page (/w/<token>): the patient leaves the list
// themselves instead of calling the clinic. One batch: the entry 'removed' (as staff's PATCH
// state "removed" does), its offers still waiting for an answer 'declined' (the patient said no
// to them too) and their slots asked again at once, and the audit entry. The doctor's hub then asks
// the next patient, and the staff's waitlist screen updates live. Booked appointments stay as they
// are (an entry for an earlier time keeps the patient's later appointment).
// A patient standing by for a time (./standby.ts), through this offer or another one of the same
// entry, is not offered this: that time may become theirs, which only staff can undo with them.
import { auditInsert } from "../db/audit";
import { makeDb, toD1 } from "../db/client";
import type { Env } from "../env";
import { hubFor } from "../hub/doctor-hub";
import { WAITLIST_PATIENT_ACTOR, type OfferView } from "./accept";
import { waitlistLive } from "./live";

/** Whether the offer page offers leaving: the entry still waits and this offer is not a booking or a standby. */
export const canLeave = (o: OfferView) => o.entryState === "waiting" && !o.entryStanding && o.state !== "accepted" && o.state !== "standing";

/** True if the patient left now; false if the entry was no longer waiting (booked, removed, expired meanwhile). */
export async function leaveWaitlist(env: Env, o: OfferView, now = Date.now()): Promise<boolean> {
  if (!canLeave(o)) return false;
  const d1 = env.DB;
  // Every statement after the first runs only if the first removed the entry in this batch.
  const removedNow = "(SELECT state FROM waitlist_entries WHERE id = ?1) = 'removed' AND (SELECT updated_at FROM waitlist_entries WHERE id = ?1) = ?2";
  const [removed] = await d1.batch([
    d1
      .prepare(
        "UPDATE waitlist_entries SET state = 'removed', updated_at = ?2 WHERE id = ?1 AND state = 'waiting' " +
          "AND NOT EXISTS (SELECT 1 FROM waitlist_offers WHERE entry_id = ?1 AND state = 'standing') RETURNING id",
      )
      .bind(o.entryId, now),
    d1
      .prepare(
        `UPDATE waitlist_slots SET next_at = ?2 WHERE state = 'offering' AND id IN
           (SELECT slot_id FROM waitlist_offers WHERE entry_id = ?1 AND state IN ('sending','sent','opened') AND answered_at IS NULL) AND ${removedNow}`,
      )
      .bind(o.entryId, now),
    d1
      .prepare(`UPDATE waitlist_offers SET state = 'declined', answered_at = ?2 WHERE entry_id = ?1 AND state IN ('sending','sent','opened') AND answered_at IS NULL AND ${removedNow}`)
      .bind(o.entryId, now),
  ]);
  if (!removed.results.length) return false;
  await toD1(d1, auditInsert(makeDb(d1), o.clinicId, WAITLIST_PATIENT_ACTOR, "waitlist.remove", "patient", o.patientId, { entry: o.entryId, via: "offer page" })).run();
  const hub = hubFor(env, o.doctorId);
  await hub.publish(o.doctorId, waitlistLive(o.doctorId)).catch((err) => console.error("waitlist live failed", err));
  await hub.kick(o.doctorId);
  return true;
}
