// A patient's answer to a waitlist offer (/w/<token>). The token is 24 random bytes, only its
// SHA-256 stored (waitlist_offers.token_hash), as for /r/ links; it opens the offer until the
// slot starts. Accepting books the slot through the doctor's DoctorHub and the normal write path
// (actor "patient via waitlist": audit, invite, reminders, sync, live) — the hub serializes
// bookings and the write path's guard refuses an overlap, so of two patients accepting in the
// same millisecond exactly one gets the slot; the other's offer becomes 'taken' and they stay on
// the waitlist.
import type { Appointment } from "../appointments/model";
import { getAppointment } from "../appointments/queries";
import type { Caller } from "../appointments/write";
import type { Env } from "../env";
import { hubFor } from "../hub/doctor-hub";
import { sha256Hex } from "../ids";
import { notifyDoctorAndFrontDesk } from "../notices/front-desk";
import { TOKEN_SHAPE } from "../patient-links/links";
import { waitlistLive } from "./live";

export interface OfferView {
  id: string;
  clinicId: string;
  slotId: string;
  entryId: string;
  doctorId: string;
  patientId: string;
  startMs: number;
  endMs: number;
  state: string;
  expiresAt: number;
  answeredAt: number | null;
  type: string;
  entryState: string;
  /** The patient stands by for some time with this entry (./standby.ts), through this offer or another. */
  entryStanding: boolean;
  /** The patient's later appointment that accepting moves here (instead of a second booking). */
  replacesAppointmentId: string | null;
  clinic: string;
  doctor: string;
  timeZone: string;
  address: string;
  phone: string;
  /** A standby offer (./standby.ts): the final point and whether an unconfirmed booking is released then; null for a freed time. */
  standby: { finalAt: number; ifUnconfirmed: boolean } | null;
}

/** The offer a token opens, or null for a malformed, unknown or past one (callers answer all alike). */
export async function resolveOffer(d1: D1Database, token: string, now = Date.now()): Promise<OfferView | null> {
  const hash = await sha256Hex(token);
  if (!TOKEN_SHAPE.test(token)) return null;
  const r = await d1
    .prepare(
      "SELECT o.id, o.clinic_id, o.slot_id, o.entry_id, o.doctor_id, o.patient_id, o.start_ms, o.end_ms, o.state, o.expires_at, o.answered_at, " +
        "e.type, e.state AS entry_state, e.replaces_appointment_id, EXISTS (SELECT 1 FROM waitlist_offers x WHERE x.entry_id = o.entry_id AND x.state = 'standing') AS entry_standing, c.name AS clinic, d.name AS doctor, c.time_zone, c.address, c.phone, s.standby_for, s.final_at, s.release_unconfirmed " +
        "FROM waitlist_offers o JOIN waitlist_entries e ON e.id = o.entry_id JOIN waitlist_slots s ON s.id = o.slot_id JOIN clinics c ON c.id = o.clinic_id JOIN doctors d ON d.id = o.doctor_id WHERE o.token_hash = ?",
    )
    .bind(hash)
    .first<Record<string, any>>();
  if (!r || r.start_ms <= now) return null;
  return {
    id: r.id,
    clinicId: r.clinic_id,
    slotId: r.slot_id,
    entryId: r.entry_id,
    doctorId: r.doctor_id,
    patientId: r.patient_id,
    startMs: r.start_ms,
    endMs: r.end_ms,
    state: r.state,
    expiresAt: r.expires_at,
    answeredAt: r.answered_at,
    type: r.type,
    entryState: r.entry_state,
    entryStanding: r.entry_standing === 1,
    replacesAppointmentId: r.replaces_appointment_id,
    clinic: r.clinic,
    doctor: r.doctor,
    timeZone: r.time_zone,
    address: r.address,
    phone: r.phone,
    standby: r.standby_for ? { finalAt: r.final_at ?? r.start_ms, ifUnconfirmed: r.release_unconfirmed === 1 } : null,
  };
}

/** What the patient sees: can they still take it? */
export function offerStatus(o: OfferView, now: number): "open" | "accepted" | "standing" | "withdrawn" | "taken" | "expired" | "declined" | "off-list" | "closed" {
  if (o.state === "accepted") return "accepted";
  if (o.state === "standing") return "standing";
  // Not on the list any more: taken off (by staff or themselves) or past its dates; or booked.
  if (o.entryState === "removed" || o.entryState === "expired") return "off-list";
  if (o.entryState === "booked") return "closed";
  if (o.state === "withdrawn") return "withdrawn";
  if (o.state === "declined") return "declined";
  if (o.state === "taken") return "taken";
  if ((o.state === "sent" || o.state === "opened") && o.expiresAt > now && o.entryState === "waiting") return "open";
  return "expired";
}

/** First view of a sent offer: 'opened' (staff see it live). */
export async function markOpened(env: Env, o: OfferView, now = Date.now()): Promise<void> {
  const r = await env.DB.prepare("UPDATE waitlist_offers SET state = 'opened', opened_at = ? WHERE id = ? AND state = 'sent' RETURNING id").bind(now, o.id).first();
  if (r) await hubFor(env, o.doctorId).publish(o.doctorId, waitlistLive(o.doctorId)).catch((err) => console.error("waitlist live failed", err));
}

/** "Not this time": the offer closes at once and the doctor's hub asks the next patient (the patient stays on the list). */
export async function declineOffer(env: Env, o: OfferView, now = Date.now()): Promise<boolean> {
  const r = await env.DB.prepare("UPDATE waitlist_offers SET state = 'declined', answered_at = ? WHERE id = ? AND state IN ('sent','opened') AND answered_at IS NULL RETURNING id")
    .bind(now, o.id)
    .first();
  if (!r) return false;
  await env.DB.prepare("UPDATE waitlist_slots SET next_at = ? WHERE id = ? AND state = 'offering'").bind(now, o.slotId).run();
  const hub = hubFor(env, o.doctorId);
  await hub.publish(o.doctorId, waitlistLive(o.doctorId)).catch((err) => console.error("waitlist live failed", err));
  await hub.kick(o.doctorId);
  return true;
}

/** Who acts when a patient answers an offer page (audit log). */
export const WAITLIST_PATIENT_ACTOR = { userId: null, label: "patient via waitlist" };
const waitlistCaller: Caller = { actor: WAITLIST_PATIENT_ACTOR, role: "system", doctorId: null };

export type AcceptResult =
  | { ok: true; appointment: Appointment }
  | { ok: true; standing: true }
  | { ok: false; reason: Exclude<ReturnType<typeof offerStatus>, "open"> };

const short = (ms: number, zone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(ms));

export async function acceptOffer(env: Env, o: OfferView, now = Date.now()): Promise<AcceptResult> {
  const d1 = env.DB;
  const status = offerStatus(o, now);
  if (status !== "open") return { ok: false, reason: status };
  // Claim the answer: a double tap (or two tabs) of the same patient books at most once.
  const claimed = await d1
    .prepare("UPDATE waitlist_offers SET answered_at = ? WHERE id = ? AND state IN ('sent','opened') AND answered_at IS NULL AND expires_at > ? RETURNING id")
    .bind(now, o.id, now)
    .first();
  if (!claimed) return { ok: false, reason: "taken" };
  const hub = hubFor(env, o.doctorId);
  if (o.standby) {
    // A standby offer books nothing now: the first to accept stands by (the others' offers are
    // taken); the doctor's hub books them only when the time is released (./standby.ts). The
    // claim above is per offer, so two patients can both get here: the slot itself is claimed,
    // in one batch (one transaction) with the offers, by a conditional UPDATE only one can win.
    // Statement 2 claims the slot only when statement 1 made this offer stand, and statement 1
    // only when the slot was still unclaimed: the offer stands exactly when this batch won the
    // slot. A loser's offer is 'taken' (statement 4) and its page says so, like any taken offer.
    const claim = await d1.batch([
      d1
        .prepare("UPDATE waitlist_offers SET state = 'standing' WHERE id = ? AND state IN ('sent','opened') AND EXISTS (SELECT 1 FROM waitlist_slots WHERE id = ? AND state IN ('new','offering'))")
        .bind(o.id, o.slotId),
      // next_at now: if the original appointment was cancelled a moment ago, the hub books at once.
      d1
        .prepare("UPDATE waitlist_slots SET state = 'standing', next_at = ? WHERE id = ? AND state IN ('new','offering') AND EXISTS (SELECT 1 FROM waitlist_offers WHERE id = ? AND state = 'standing') RETURNING id")
        .bind(now, o.slotId, o.id),
      d1
        .prepare("UPDATE waitlist_offers SET state = 'taken' WHERE slot_id = ? AND id != ? AND state IN ('sending','sent','opened') AND EXISTS (SELECT 1 FROM waitlist_offers WHERE id = ? AND state = 'standing')")
        .bind(o.slotId, o.id, o.id),
      d1.prepare("UPDATE waitlist_offers SET state = 'taken' WHERE id = ? AND state IN ('sent','opened')").bind(o.id),
    ]);
    await hub.publish(o.doctorId, waitlistLive(o.doctorId)).catch((err) => console.error("waitlist live failed", err));
    if (!claim[1].results.length) return { ok: false, reason: "taken" };
    await hub.kick(o.doctorId);
    return { ok: true, standing: true };
  }
  // Moving the patient's later appointment here when the entry names one that is still open,
  // later and still THEIRS (its old time frees and is offered in turn); otherwise a new booking.
  // Ownership was checked when the entry was made, but staff may have given that appointment to
  // another patient since: accepting must never move someone else's appointment.
  const moving = o.replacesAppointmentId ? await getAppointment(env.DB, o.clinicId, o.replacesAppointmentId) : null;
  const movable =
    moving && moving.patientId === o.patientId && (moving.status === "scheduled" || moving.status === "confirmed") && Date.parse(moving.start) > o.startMs;
  const r = movable
    ? // A move to another doctor goes through the TARGET doctor's hub (appointments/write.ts).
      await hub.updateAppointment(o.doctorId, waitlistCaller, o.clinicId, moving.id, { version: moving.version, startMs: o.startMs, endMs: o.endMs, doctorId: o.doctorId }, moving)
    : await hub.createAppointment(o.doctorId, waitlistCaller, { clinicId: o.clinicId, doctorId: o.doctorId, patientId: o.patientId, startMs: o.startMs, endMs: o.endMs, type: o.type });
  if (!r.ok) {
    await d1.prepare("UPDATE waitlist_offers SET state = 'taken' WHERE id = ?").bind(o.id).run();
    await hub.publish(o.doctorId, waitlistLive(o.doctorId)).catch((err) => console.error("waitlist live failed", err));
    return { ok: false, reason: "taken" };
  }
  await d1.batch([
    d1.prepare("UPDATE waitlist_offers SET state = 'accepted' WHERE id = ?").bind(o.id),
    // Everyone else who was offered this slot: taken (they stay on the waitlist).
    d1.prepare("UPDATE waitlist_offers SET state = 'taken' WHERE slot_id = ? AND id != ? AND state IN ('sending','sent','opened')").bind(o.slotId, o.id),
    d1.prepare("UPDATE waitlist_slots SET state = 'filled', filled_at = ?, appointment_id = ? WHERE id = ?").bind(now, r.appointment.id, o.slotId),
    // The booking's own effect took the entry off the list already when type and doctor match; this covers the rest.
    d1.prepare("UPDATE waitlist_entries SET state = 'booked', appointment_id = ?, updated_at = ? WHERE id = ? AND state = 'waiting'").bind(r.appointment.id, now, o.entryId),
  ]);
  await hub.publish(o.doctorId, waitlistLive(o.doctorId)).catch((err) => console.error("waitlist live failed", err));
  await notifyDoctorAndFrontDesk(
    env,
    {
      clinicId: o.clinicId,
      doctorId: o.doctorId,
      kind: "waitlist_filled",
      message: `Waitlist filled ${short(o.startMs, o.timeZone)} with ${r.appointment.patientName || "a patient"}${movable ? ` (moved from ${short(Date.parse(moving.start), o.timeZone)})` : ""}.`,
      entityType: "appointment",
      entityId: r.appointment.id,
    },
    now,
  ).catch((err) => console.error("waitlist notice failed", err));
  return { ok: true, appointment: r.appointment };
}
