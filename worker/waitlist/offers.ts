// The doctor's DoctorHub offers freed slots to the waitlist (registered in worker/features.ts;
// the hub runs it after every change and on its alarm, which this work sets to the next time it
// needs to look: an offer's reply window closing, quiet hours ending, the cut-off).
//
// Standby slots (the time of a high-risk appointment still unconfirmed at the clinic's cut-off,
// ./standby.ts) are worked first. Per freed slot (waitlist_slots, written by ./effect.ts or by
// offerSlot):
//  - gone: the time is no longer free (booked by staff, a busy block) → open offers expire;
//  - lapsed: the clinic's cancel cut-off before the start is reached → open offers expire;
//  - otherwise, when no offer for it is open: the next patients in waitlist order whose entry
//    fits (./match.ts) get an offer — the top N at once ('parallel', first to accept wins) or
//    one at a time with a reply window ('sequential'). An SMS offer never goes out in the
//    clinic's quiet hours (the slot waits for them to end, if that is before the cut-off;
//    otherwise only e-mail offers go); SMS needs recorded consent (a STOP'd patient falls back
//    to e-mail if they have one, or is skipped).
// Offers are inserted as 'sending' before anything is sent and marked sent/failed after, like
// reminders: a patient is never sent the same offer twice.
import { doctorFreeTime } from "../appointments/free-time";
import { overlaps } from "../scheduling/intervals";
import type { Env } from "../env";
import type { HubContext, HubWork } from "../hub/work";
import { type ClinicRules, closeSlot, offerFirstFitting, offerWindows, type SlotRow } from "./round";
import { standbyRound } from "./standby";
import { waitlistLive } from "./live";

export { offerWindows, reachableChannel } from "./round";

const MAX_SLOTS_PER_RUN = 20;

/** One round for a doctor; returns when it wants to run next (or null). */
export async function drainWaitlist(
  env: Env,
  doctorId: string,
  hub: Pick<HubContext, "publish" | "exclusive"> | null,
  now = Date.now(),
  read?: D1Result[],
): Promise<number | null> {
  const publish = hub?.publish ?? null;
  const d1 = env.DB;
  const nextAt = () => d1.prepare(NEXT_SQL).bind(doctorId, doctorId);
  // No round trip of its own when there is nothing to do (the common case: every kick of every
  // hub runs this): its reads ride in the batch the hub's work shares (hub/work.ts).
  const [expired, slotsRes, rulesRes, nextRes] = read ?? (await d1.batch(waitlistReads(d1, doctorId, now)));
  let changed = expired.results.length > 0;
  const rules = rulesRes.results[0] as ClinicRules | undefined;
  const slots = slotsRes.results as SlotRow[];
  let booked = false;
  if (rules)
    for (const slot of slots) {
      if (slot.standby_for) {
        const r = await standbyRound(env, slot, rules, hub, now);
        changed = r.changed || changed;
        booked = r.wrote || booked;
      } else changed = (await roundFor(env, slot, rules, now)) || changed;
    }
  if (changed && publish) await publish(waitlistLive(doctorId)).catch((err) => console.error("waitlist live failed", err));
  // A standby booking or release written here (not through the hub's RPC) needs the hub's other
  // work (invite, reminders, sync) to run again: soon.
  if (slots.length === MAX_SLOTS_PER_RUN || booked) return Date.now();
  const next = slots.length ? await nextAt().first<{ at: number | null }>() : (nextRes.results[0] as { at: number | null } | undefined);
  return next?.at ?? null;
}

/** The run's first round trip: offers whose window closed expired, the slots due, the clinic's rules, the next time. */
function waitlistReads(d1: D1Database, doctorId: string, now: number): D1PreparedStatement[] {
  return [
    d1.prepare("UPDATE waitlist_offers SET state = 'expired' WHERE doctor_id = ? AND state IN ('sent','opened') AND expires_at <= ? RETURNING id").bind(doctorId, now),
    // Standby slots first: when a held appointment is cancelled, its standby patient is booked
    // before the freed slot the same cancel wrote is offered to anyone else.
    d1
      .prepare(
        "SELECT id, clinic_id, doctor_id, start_ms, end_ms, state, standby_for, final_at, release_unconfirmed FROM waitlist_slots INDEXED BY waitlist_slots_doctor_idx " +
          "WHERE doctor_id = ? AND state IN ('new','offering','standing') AND next_at <= ? ORDER BY standby_for IS NULL, next_at LIMIT ?",
      )
      .bind(doctorId, now, MAX_SLOTS_PER_RUN),
    d1.prepare(
      "SELECT c.id AS clinic_id, c.name, d.name AS doctor, c.time_zone, c.domain, c.country, c.phone, c.cancel_cutoff_min, c.quiet_start_min, c.quiet_end_min, " +
        "c.waitlist_mode, c.waitlist_parallel, c.waitlist_reply_min, c.sensitive_types FROM doctors d JOIN clinics c ON c.id = d.clinic_id WHERE d.id = ?",
    ).bind(doctorId),
    d1.prepare(NEXT_SQL).bind(doctorId, doctorId),
  ];
}

/** When the doctor's waitlist work next has something to do: a slot to look at again, an offer's window closing. */
const NEXT_SQL =
  "SELECT min(at) AS at FROM (SELECT min(next_at) AS at FROM waitlist_slots WHERE doctor_id = ? AND state IN ('new','offering','standing') " +
  "UNION ALL SELECT min(expires_at) FROM waitlist_offers WHERE doctor_id = ? AND state IN ('sent','opened'))";

/** Works one freed slot; true when something staff see changed. */
async function roundFor(env: Env, slot: SlotRow, rules: ClinicRules, now: number): Promise<boolean> {
  const d1 = env.DB;
  const cutoffMs = rules.cancel_cutoff_min * 60_000;
  const closeAs = (state: string) => d1.batch(closeSlot(d1, slot.id, state)).then(() => true);
  if (now >= slot.end_ms - cutoffMs) return closeAs(slot.state === "new" ? "none" : "lapsed");
  const free = await doctorFreeTime(d1, slot.clinic_id, slot.doctor_id, slot.start_ms, slot.end_ms);
  const windows = free?.active ? offerWindows({ start: slot.start_ms, end: slot.end_ms }, free.working, free.busy, now + cutoffMs).slice(0, 8) : [];
  if (!free || !windows.length) {
    const taken = !free || free.busy.some((b) => overlaps(b, { start: slot.start_ms, end: slot.end_ms }));
    return closeAs(taken ? "gone" : slot.state === "new" ? "none" : "lapsed");
  }
  const open = await d1.prepare("SELECT min(expires_at) AS at, count(*) AS n FROM waitlist_offers WHERE slot_id = ? AND state IN ('sending','sent','opened')").bind(slot.id).first<{ at: number | null; n: number }>();
  if (open && open.n > 0) {
    await d1.prepare("UPDATE waitlist_slots SET next_at = ? WHERE id = ?").bind(Math.min(open.at ?? Infinity, windows[0].start - cutoffMs), slot.id).run();
    return false;
  }
  const r = await offerFirstFitting(env, slot, rules, windows, free.working, (win) => win.start - cutoffMs, now);
  if (r === "nobody") return closeAs(slot.state === "new" ? "none" : "lapsed");
  return r === "sent";
}

export const waitlistWork: HubWork = {
  name: "waitlist",
  reads: (ctx, now) => waitlistReads(ctx.env.DB, ctx.doctorId, now),
  run: (ctx, read, now) => drainWaitlist(ctx.env, ctx.doctorId, ctx, now, read),
};
