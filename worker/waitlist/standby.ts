// Standby offers (issue #21: "offer high-risk slots to the waitlist early if unconfirmed by a
// cut-off — never double-book"). The no-show actions (worker/suggestions/actions.ts) write a
// STANDBY slot — the time of a high-risk appointment still unconfirmed at the clinic's cut-off,
// `standby_for` = that appointment, `final_at` = the final point — with standbySlotInsert below.
// The doctor's hub works it here (called from ./offers.ts, standby slots first):
//
//  - still booked and unconfirmed, before the final point: offered to the waitlist like a freed
//    slot (same order, matching, quiet hours, channels; ./round.ts), but the offer says plainly
//    that the time is booked by someone else and becomes theirs only if that patient cancels (or,
//    when the clinic releases unconfirmed bookings, has not confirmed) by the final point.
//    Accepting (./accept.ts) only puts the patient on standby (offer 'standing', slot 'standing');
//    nothing is booked;
//  - the original patient confirms → every open or standing offer is 'withdrawn', the slot too,
//    and the patients who had the offer are told (they stay on the waitlist);
//  - the original appointment is cancelled, deleted or moved away (the waitlist effect wakes the
//    slot in the change's own batch) → the standing patient is booked through the normal write
//    path under the doctor's write lock (the same lock and SQL overlap guard every booking
//    passes), so the time can never be double-booked: if a receptionist booked it in between,
//    the write is refused, the standby offer becomes 'taken' and the patient is told. With nobody
//    standing, the slot is 'released' and the freed slot the cancel wrote is offered as usual;
//  - the final point passes, still unconfirmed: if the clinic chose `releaseUnconfirmed` and a
//    patient is standing by, the original appointment is cancelled through the write path (actor
//    "no-show risk: unconfirmed by the final point"; the patient gets the usual cancellation) and
//    the standby patient booked as above; otherwise the standby ends ('lapsed'), the original
//    patient keeps the time and the standing patient is told.
import { createAppointment, updateAppointment, type Caller, type WriteResult } from "../appointments/write";
import { appointmentLiveChanges } from "../appointments/live";
import { doctorFreeTime } from "../appointments/free-time";
import { clinicDateTime } from "../email/templates";
import type { Env } from "../env";
import { hubFor } from "../hub/doctor-hub";
import type { HubContext } from "../hub/work";
import { newId } from "../ids";
import { noticeInsert } from "../notices/notices";
import { type ClinicRules, closeSlot, offerFirstFitting, reachableChannel, type SlotRow } from "./round";
import { sendText } from "./send";

type Hub = Pick<HubContext, "publish" | "exclusive"> | null;

const OPEN = "('sending','sent','opened')";
const waitlistCaller: Caller = { actor: { userId: null, label: "patient via waitlist (standby)" }, role: "system", doctorId: null };
const releaseCaller: Caller = { actor: { userId: null, label: "no-show risk: unconfirmed by the final point" }, role: "system", doctorId: null };

/** The statement that records a standby slot for `appointmentId` (once per appointment and start: INSERT OR IGNORE on the unique key). */
export function standbySlotInsert(
  d1: D1Database,
  a: { id: string; clinicId: string; doctorId: string; startMs: number; endMs: number },
  finalAt: number,
  releaseUnconfirmed: boolean,
  now: number,
): D1PreparedStatement {
  return d1
    .prepare(
      "INSERT OR IGNORE INTO waitlist_slots (id, clinic_id, doctor_id, start_ms, end_ms, cause, state, next_at, freed_at, standby_for, final_at, release_unconfirmed) " +
        "VALUES (?, ?, ?, ?, ?, 'standby (high no-show risk)', 'new', ?, ?, ?, ?, ?)",
    )
    .bind(newId(), a.clinicId, a.doctorId, a.startMs, a.endMs, now, now, a.id, finalAt, releaseUnconfirmed ? 1 : 0);
}

interface Held {
  id: string;
  clinic_id: string;
  doctor_id: string;
  start_ms: number;
  end_ms: number;
  status: string;
  version: number;
  responded: number;
}

interface Standing {
  id: string;
  entry_id: string;
  patient_id: string;
  channel: "sms" | "email";
  start_ms: number;
  end_ms: number;
  type: string;
  entry_state: string;
  phone: string;
  email: string;
  sms_consent: number;
}

/** Whom a standby message goes to: the offer's channel, and the patient's contact and consent now. */
type Recipient = { id: string; channel: "sms" | "email"; phone: string; email: string; sms_consent: number };

/** Works one standby slot; `changed` when staff screens should reload, `wrote` when an appointment was written here. */
export async function standbyRound(env: Env, slot: SlotRow, rules: ClinicRules, hub: Hub, now: number): Promise<{ changed: boolean; wrote: boolean }> {
  const d1 = env.DB;
  const [heldRes, standingRes, openRes] = await d1.batch([
    d1
      .prepare(
        "SELECT a.id, a.clinic_id, a.doctor_id, a.start_ms, a.end_ms, a.status, a.version, " +
          "EXISTS (SELECT 1 FROM patient_responses r WHERE r.appointment_id = a.id AND r.action = 'confirm') AS responded FROM appointments a WHERE a.id = ?",
      )
      .bind(slot.standby_for),
    d1
      .prepare(
        "SELECT o.id, o.entry_id, o.patient_id, o.channel, o.start_ms, o.end_ms, e.type, e.state AS entry_state, p.phone, p.email, p.sms_consent " +
          "FROM waitlist_offers o JOIN waitlist_entries e ON e.id = o.entry_id JOIN patients p ON p.id = o.patient_id WHERE o.slot_id = ? AND o.state = 'standing' " +
          // One stands by (./accept.ts claims the slot); should there be more, one still waiting first.
          "ORDER BY e.state = 'waiting' DESC, o.answered_at LIMIT 1",
      )
      .bind(slot.id),
    d1.prepare(`SELECT min(expires_at) AS at, count(*) AS n FROM waitlist_offers WHERE slot_id = ? AND state IN ${OPEN}`).bind(slot.id),
  ]);
  const held = heldRes.results[0] as Held | undefined;
  let standing = standingRes.results[0] as Standing | undefined;
  const open = openRes.results[0] as { at: number | null; n: number };
  const finalAt = slot.final_at ?? slot.start_ms;
  const stillHeld = !!held && (held.status === "scheduled" || held.status === "confirmed") && held.start_ms === slot.start_ms && held.doctor_id === slot.doctor_id;
  const confirmed = stillHeld && (held.status === "confirmed" || held.responded === 1);

  if (confirmed) {
    await tellAndClose(env, slot, rules, "withdrawn", "withdrawn", now);
    return { changed: true, wrote: false };
  }
  let wrote = false;
  /** The standing patient's booking when the release made it (below), in the cancel's own lock section. */
  let booked: WriteResult | undefined;
  if (stillHeld && now >= finalAt) {
    if (!(slot.release_unconfirmed === 1 && standing && standing.entry_state === "waiting")) {
      // The original patient keeps the time; whoever stood by is told and stays on the list.
      await tellAndClose(env, slot, rules, "lapsed", "expired", now);
      return { changed: true, wrote: false };
    }
    // The cancel and the standing patient's booking in ONE section of the doctor's write lock: a
    // booking let in between the two would leave the original patient cancelled and the standing
    // patient without the time.
    const s = standing;
    const [r, b] = await write(env, hub, slot.doctor_id, async () => {
      const c = await updateAppointment(env, releaseCaller, held.clinic_id, held.id, { version: held.version, status: "cancelled" }, { origin: "acms" });
      return c.ok ? [c, await bookStanding(env, slot, s)] : [c];
    });
    if (!r.ok) {
      // Changed meanwhile (confirmed, moved, a version race): look again in a moment.
      await d1.prepare("UPDATE waitlist_slots SET next_at = ? WHERE id = ?").bind(now + 30_000, slot.id).run();
      return { changed: false, wrote: false };
    }
    wrote = true;
    booked = b;
  } else if (stillHeld) {
    if (slot.state === "standing") {
      await d1.prepare("UPDATE waitlist_slots SET next_at = ? WHERE id = ?").bind(finalAt, slot.id).run();
      return { changed: false, wrote: false };
    }
    if (open.n > 0) {
      await d1.prepare("UPDATE waitlist_slots SET next_at = ? WHERE id = ?").bind(Math.min(open.at ?? finalAt, finalAt), slot.id).run();
      return { changed: false, wrote: false };
    }
    // Offered like a freed slot, within the doctor's working hours (as a booking would be); the offers last until the final point.
    const free = await doctorFreeTime(d1, slot.clinic_id, slot.doctor_id, slot.start_ms, slot.end_ms);
    const r = free?.active ? await offerFirstFitting(env, slot, rules, [{ start: slot.start_ms, end: slot.end_ms }], free.working, () => finalAt, now) : "nobody";
    if (r === "nobody") await d1.batch(closeSlot(d1, slot.id, slot.state === "new" ? "none" : "lapsed"));
    return { changed: r !== "waiting", wrote: false };
  }

  // Released: the held appointment is cancelled, gone or moved away.
  if (standing && standing.entry_state !== "waiting") {
    // Booked some other way meanwhile: the standby is no longer wanted.
    await d1.prepare("UPDATE waitlist_offers SET state = 'expired' WHERE slot_id = ? AND state = 'standing'").bind(slot.id).run();
    standing = undefined;
  }
  if (!standing) {
    // Nobody stands by: the freed slot the cancel wrote (./effect.ts) offers the time as usual.
    await d1.batch(closeSlot(d1, slot.id, "released"));
    return { changed: true, wrote };
  }
  const s = standing;
  // Anyone else standing by for this time (two acceptances at once, before ./accept.ts claimed the
  // slot itself, could leave two) is 'taken' and told whatever happens: never left standing.
  const others = await d1
    .prepare("SELECT o.id, o.channel, p.phone, p.email, p.sms_consent FROM waitlist_offers o JOIN patients p ON p.id = o.patient_id WHERE o.slot_id = ? AND o.id != ? AND o.state = 'standing'")
    .bind(slot.id, s.id)
    .all<Recipient>();
  const r = booked ?? (await write(env, hub, slot.doctor_id, async () => [await bookStanding(env, slot, s)]))[0];
  const { date, time } = clinicDateTime(s.start_ms, rules.time_zone);
  if (!r.ok) {
    // Booked by someone else in between (a receptionist, another offer): the guard refused a second booking.
    await d1.batch([
      d1.prepare("UPDATE waitlist_offers SET state = 'taken' WHERE slot_id = ? AND state = 'standing'").bind(slot.id),
      ...closeSlot(d1, slot.id, "gone"),
    ]);
    for (const o of [s, ...others.results]) await tell(env, rules, o, "taken", standingTaken(rules, date, time));
    return { changed: true, wrote };
  }
  await d1.batch([
    d1.prepare("UPDATE waitlist_offers SET state = 'accepted' WHERE id = ?").bind(s.id),
    d1.prepare("UPDATE waitlist_offers SET state = 'taken' WHERE slot_id = ? AND id != ? AND state IN ('sending','sent','opened','standing')").bind(slot.id, s.id),
    d1.prepare("UPDATE waitlist_slots SET state = 'filled', filled_at = ?, appointment_id = ? WHERE id = ?").bind(now, r.appointment.id, slot.id),
    d1.prepare("UPDATE waitlist_entries SET state = 'booked', appointment_id = ?, updated_at = ? WHERE id = ? AND state = 'waiting'").bind(r.appointment.id, now, s.entry_id),
  ]);
  for (const o of others.results) await tell(env, rules, o, "taken", standingTaken(rules, date, time));
  await tell(env, rules, s, "booked", `${rules.name}: the time you stood by for is now yours: ${date} at ${time} with ${rules.doctor}.${rules.phone ? ` Questions: ${rules.phone}.` : ""}`);
  await notice(env, hub, slot, `Waitlist standby filled ${date} ${time} with ${r.appointment.patientName || "a patient"}.`, r.appointment.id, now);
  return { changed: true, wrote: true };
}

/** The standing patient's appointment, through the write path (the caller holds the doctor's write lock). */
const bookStanding = (env: Env, slot: SlotRow, s: Standing) =>
  createAppointment(env, waitlistCaller, { clinicId: slot.clinic_id, doctorId: slot.doctor_id, patientId: s.patient_id, startMs: s.start_ms, endMs: s.end_ms, type: s.type }, { origin: "acms" });

const standingTaken = (rules: ClinicRules, date: string, time: string) =>
  `${rules.name}: the time on ${date} at ${time} with ${rules.doctor} you were standing by for has been taken. You are still on the waitlist.`;

/**
 * A write under the doctor's write lock when run by the hub (the lock every booking takes), with
 * its live changes published. Without a hub context (a test driving drainWaitlist directly) it
 * runs as is: the write path's SQL overlap guard is what refuses a second booking in every case.
 */
async function write(env: Env, hub: Hub, doctorId: string, fn: () => Promise<WriteResult[]>): Promise<WriteResult[]> {
  const rs = hub ? await hub.exclusive(fn) : await fn();
  const publish = hub ? hub.publish : (c: Parameters<HubContext["publish"]>[0]) => hubFor(env, doctorId).publish(doctorId, c);
  let changed = false;
  for (const r of rs) {
    if (!r.ok || r.unchanged) continue;
    changed = true;
    for (const live of appointmentLiveChanges(r.change)) await publish(live).catch((err) => console.error("standby live failed", err));
  }
  if (changed && !hub) await hubFor(env, doctorId).kick(doctorId);
  return rs;
}

/** Closes the slot with every open or standing offer in `offerState`, and tells the patients who had one. */
async function tellAndClose(env: Env, slot: SlotRow, rules: ClinicRules, slotState: string, offerState: string, now: number): Promise<void> {
  const d1 = env.DB;
  const told = await d1
    .prepare("SELECT o.id, o.channel, p.phone, p.email, p.sms_consent FROM waitlist_offers o JOIN patients p ON p.id = o.patient_id WHERE o.slot_id = ? AND o.state IN ('sent','opened','standing')")
    .bind(slot.id)
    .all<Recipient>();
  await d1.batch([
    d1.prepare("UPDATE waitlist_offers SET state = ? WHERE slot_id = ? AND state IN ('sending','sent','opened','standing')").bind(offerState, slot.id),
    d1.prepare("UPDATE waitlist_slots SET state = ?, next_at = ? WHERE id = ?").bind(slotState, now, slot.id),
  ]);
  const { date, time } = clinicDateTime(slot.start_ms, rules.time_zone);
  const text =
    slotState === "withdrawn"
      ? `${rules.name}: the standby offer for ${date} at ${time} with ${rules.doctor} is withdrawn — the patient booked at that time has confirmed. You are still on the waitlist.`
      : `${rules.name}: the time on ${date} at ${time} with ${rules.doctor} you were offered as standby stays with the patient booked then. You are still on the waitlist.`;
  for (const o of told.results) await tell(env, rules, o, slotState, text);
}

async function tell(env: Env, rules: ClinicRules, o: Recipient, suffix: string, text: string): Promise<void> {
  // Consent and contact as they are now, by the offers' own rule: a patient who withdrew SMS
  // consent since the offer (STOP, staff) gets e-mail if they have an address, else nothing.
  const channel = reachableChannel(o.channel, { phone: o.phone, email: o.email, smsConsent: o.sms_consent });
  if (!channel) return;
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
  try {
    await sendText(
      env,
      { offerId: o.id, channel, phone: o.phone, email: o.email, clinicDomain: rules.domain, clinicCountry: rules.country },
      { clinic: rules.name, subject: `${rules.name}: your standby offer`, text, html: `<p>${esc(text)}</p>`, sms: text, suffix },
    );
  } catch (err) {
    // Best effort: the offer's page says the same whenever the patient opens it.
    console.error("standby news failed", o.id, err);
  }
}

/** "Waitlist standby filled …" for the doctor and the front desk, published through the hub context when there is one. */
async function notice(env: Env, hub: Hub, slot: SlotRow, message: string, appointmentId: string, now: number): Promise<void> {
  const { results } = await env.DB.prepare(
    "SELECT user_id AS id FROM doctors WHERE id = ? AND user_id IS NOT NULL UNION SELECT id FROM users WHERE clinic_id = ? AND role = 'receptionist' AND disabled = 0 LIMIT 50",
  )
    .bind(slot.doctor_id, slot.clinic_id)
    .all<{ id: string }>();
  if (!results.length) return;
  const made = results.map((u) => ({ userId: u.id, ...noticeInsert(env.DB, { clinicId: slot.clinic_id, userId: u.id, kind: "waitlist_filled", message, entityType: "appointment", entityId: appointmentId }, now) }));
  await env.DB.batch(made.map((m) => m.statement));
  const publish = hub ? hub.publish : (c: Parameters<HubContext["publish"]>[0]) => hubFor(env, slot.doctor_id).publish(slot.doctor_id, c);
  for (const m of made) await publish({ kind: "notice", op: "created", doctorId: slot.doctor_id, record: { ...m.notice, userId: m.userId } }).catch((err) => console.error("notice publish failed", err));
}
