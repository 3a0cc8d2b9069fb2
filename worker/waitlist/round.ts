// One offer round of a waitlist slot, shared by freed slots (./offers.ts) and standby slots
// (./standby.ts): who fits (in waitlist order, reachable on a channel they consented to), the
// stretches of a slot that can be offered, and sending the offers — inserted as 'sending' before
// anything is sent and marked sent/failed after, like reminders, so a patient is never sent the
// same offer twice.
import { containedIn, type Interval, subtract } from "../scheduling/intervals";
import type { Env } from "../env";
import { randomSecret, newId, sha256Hex } from "../ids";
import { inQuietHours, parseStringList, quietEnd } from "../reminders/plan";
import { utcToLocal } from "../scheduling/zone";
import { SmsSendError } from "../sms/provider";
import { type MatchEntry, parsePreferences, rankFitting } from "./match";
import { sendOffer } from "./send";

export interface ClinicRules {
  clinic_id: string;
  name: string;
  doctor: string;
  time_zone: string;
  domain: string;
  country: string;
  phone: string;
  cancel_cutoff_min: number;
  quiet_start_min: number;
  quiet_end_min: number;
  waitlist_mode: string;
  waitlist_parallel: number;
  waitlist_reply_min: number;
  sensitive_types: string;
}

export interface SlotRow {
  id: string;
  clinic_id: string;
  doctor_id: string;
  start_ms: number;
  end_ms: number;
  state: string;
  /** Standby slots (migration 0021, ./standby.ts): the held appointment, the final point, release at it. */
  standby_for?: string | null;
  final_at?: number | null;
  release_unconfirmed?: number;
}

export interface Candidate extends MatchEntry {
  patientId: string;
  type: string;
  channel: "sms" | "email";
  phone: string;
  email: string;
}

const MAX_SLOTS_PER_RUN = 20;

/** Which channel an entry can be reached on now: its own if consent/contact allow, else the other one, else none. */
export function reachableChannel(wanted: string, p: { phone: string; email: string; smsConsent: number }): "sms" | "email" | null {
  const sms = p.phone !== "" && p.smsConsent === 1;
  const email = p.email !== "";
  if (wanted === "sms") return sms ? "sms" : email ? "email" : null;
  return email ? "email" : sms ? "sms" : null;
}

export async function candidates(env: Env, slot: SlotRow, rules: ClinicRules): Promise<Candidate[]> {
  const date = utcToLocal(rules.time_zone, slot.start_ms).date;
  const { results } = await env.DB.prepare(
    "SELECT e.id, e.patient_id, e.doctor_id, e.type, e.minutes, e.earliest_date, e.latest_date, e.preferences, e.channel, e.priority, e.created_at, " +
      "p.phone, p.email, p.sms_consent FROM waitlist_entries e INDEXED BY waitlist_entries_clinic_idx JOIN patients p ON p.id = e.patient_id " +
      "WHERE e.clinic_id = ? AND e.state = 'waiting' AND e.latest_date >= ? AND e.earliest_date <= ? AND (e.doctor_id IS NULL OR e.doctor_id = ?) " +
      "AND e.id NOT IN (SELECT entry_id FROM waitlist_offers WHERE slot_id = ?) " +
      // Nobody is offered a time while they hold another offer that is still open — except a
      // standby offer (./standby.ts), which may stay open for hours and must not keep them from a
      // time that is really free (booking that ends their standby).
      "AND NOT EXISTS (SELECT 1 FROM waitlist_offers o INDEXED BY waitlist_offers_patient_idx WHERE o.patient_id = e.patient_id AND o.state IN ('sending','sent','opened') " +
      "AND NOT EXISTS (SELECT 1 FROM waitlist_slots s WHERE s.id = o.slot_id AND s.standby_for IS NOT NULL)) " +
      // Bounded work per slot: the first 200 in waitlist order (doctor and dates already match in SQL).
      "ORDER BY e.priority DESC, e.created_at LIMIT 200",
  )
    .bind(slot.clinic_id, date, date, slot.doctor_id, slot.id)
    .all<Record<string, any>>();
  const list: Candidate[] = [];
  for (const r of results) {
    const channel = reachableChannel(r.channel, { phone: r.phone, email: r.email, smsConsent: r.sms_consent });
    if (!channel) continue;
    list.push({
      id: r.id,
      doctorId: r.doctor_id,
      minutes: r.minutes,
      earliestDate: r.earliest_date,
      latestDate: r.latest_date,
      preferences: parsePreferences(r.preferences),
      priority: r.priority,
      createdAt: r.created_at,
      patientId: r.patient_id,
      type: r.type,
      channel,
      phone: r.phone,
      email: r.email,
    });
  }
  const seen = new Set<string>();
  return rankFitting(list, { doctorId: slot.doctor_id, startMs: slot.start_ms, endMs: slot.end_ms }, rules.time_zone).filter((c) => !seen.has(c.patientId) && !!seen.add(c.patientId));
}

export const closeSlot = (d1: D1Database, slotId: string, state: string) => [
  d1.prepare("UPDATE waitlist_slots SET state = ? WHERE id = ? AND state IN ('new','offering','standing')").bind(state, slotId),
  d1.prepare("UPDATE waitlist_offers SET state = 'expired' WHERE slot_id = ? AND state IN ('sending','sent','opened')").bind(slotId),
];

/**
 * The stretches of a freed slot that can be offered now: the parts that lie in working hours,
 * are free, last at least 5 minutes and start outside the cut-off. A freed appointment is usually
 * exactly one; a removed all-day busy block gives the day's working periods; a half re-booked
 * slot still offers its free half.
 */
export function offerWindows(slot: { start: number; end: number }, working: Interval[], busy: Interval[], earliestStart: number): Interval[] {
  const inHours = working.map((w) => ({ start: Math.max(w.start, slot.start), end: Math.min(w.end, slot.end) }));
  return subtract(inHours, busy).filter((g) => g.end - g.start >= 5 * 60_000 && g.start >= earliestStart);
}

/**
 * Offers the first of `windows` that someone on the list fits to the next patients in order (the
 * slot is then that stretch): the top N or one, no SMS in quiet hours (the slot waits for them to
 * end when that is before `lastChance(window)`, else only e-mail offers go). "sent" when offers
 * went out, "waiting" when the slot waits for quiet hours to end, "nobody" when no one fits.
 */
export async function offerFirstFitting(env: Env, slot: SlotRow, rules: ClinicRules, windows: Interval[], working: Interval[], lastChance: (win: Interval) => number, now: number): Promise<"sent" | "waiting" | "nobody"> {
  const d1 = env.DB;
  const quiet = { startMin: rules.quiet_start_min, endMin: rules.quiet_end_min };
  const quietUntil = inQuietHours(now, quiet, rules.time_zone) ? quietEnd(now, quiet, rules.time_zone) : now;
  const quietNow = quietUntil > now; // never wait for a time already past (the slot would re-run at once, in a loop)
  const want = rules.waitlist_mode === "sequential" ? 1 : Math.max(1, rules.waitlist_parallel);
  for (const win of windows) {
    const target: SlotRow = { ...slot, start_ms: win.start, end_ms: win.end };
    const last = lastChance(win);
    // The whole visit must be inside working hours (what staff could book), as the write path will check.
    let fitting = (await candidates(env, target, rules)).filter((c) => containedIn(working, win.start, win.start + c.minutes * 60_000));
    let chosen = fitting.slice(0, want);
    if (quietNow && chosen.some((c) => c.channel === "sms")) {
      if (quietUntil < last) {
        // Keep the order fair: nobody is skipped for being reachable only by SMS — wait for the morning.
        await d1.prepare("UPDATE waitlist_slots SET next_at = ? WHERE id = ?").bind(quietUntil, slot.id).run();
        return "waiting";
      }
      fitting = fitting.filter((c) => c.channel === "email");
      chosen = fitting.slice(0, want);
    }
    if (!chosen.length) continue;
    await sendRound(env, target, rules, chosen, last, now);
    return "sent";
  }
  return "nobody";
}

export async function sendRound(env: Env, slot: SlotRow, rules: ClinicRules, chosen: Candidate[], lastChance: number, now: number): Promise<void> {
  const d1 = env.DB;
  const sequential = rules.waitlist_mode === "sequential";
  const expiresAt = sequential ? Math.min(now + rules.waitlist_reply_min * 60_000, lastChance) : lastChance;
  const sensitive = new Set(parseStringList(rules.sensitive_types).map((t) => t.toLowerCase()));
  const base = env.APP_URL.replace(/\/+$/, "");
  const made = await Promise.all(
    chosen.map(async (c) => {
      const token = randomSecret(24);
      return { c, id: newId(), token, hash: await sha256Hex(token), endMs: slot.start_ms + c.minutes * 60_000 };
    }),
  );
  // An entry that left the list since it was read (staff removed it, the patient took themselves
  // off from another offer's page, it was booked) gets no offer: inserted only while it waits.
  const inserted = await d1.batch([
    ...made.map((m) =>
      d1
        .prepare(
          "INSERT INTO waitlist_offers (id, clinic_id, slot_id, entry_id, doctor_id, patient_id, start_ms, end_ms, token_hash, channel, state, expires_at, created_at) " +
            "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', ?, ? WHERE EXISTS (SELECT 1 FROM waitlist_entries WHERE id = ?4 AND state = 'waiting') RETURNING id",
        )
        .bind(m.id, slot.clinic_id, slot.id, m.c.id, slot.doctor_id, m.c.patientId, slot.start_ms, m.endMs, m.hash, m.c.channel, expiresAt, now),
    ),
    d1.prepare("UPDATE waitlist_slots SET state = 'offering', offered_at = coalesce(offered_at, ?), next_at = ? WHERE id = ?").bind(now, expiresAt, slot.id),
  ]);
  const outcome: D1PreparedStatement[] = [];
  await Promise.all(
    made.filter((_, i) => inserted[i].results.length).map(async (m) => {
      try {
        const providerId = await sendOffer(
          env,
          { offerId: m.id, channel: m.c.channel, phone: m.c.phone, email: m.c.email, clinicDomain: rules.domain, clinicCountry: rules.country },
          {
            clinic: rules.name,
            doctor: rules.doctor,
            startMs: slot.start_ms,
            timeZone: rules.time_zone,
            type: sensitive.has(m.c.type.toLowerCase()) ? null : m.c.type,
            link: `${base}/w/${m.token}`,
            replyMinutes: sequential ? Math.round((expiresAt - now) / 60_000) : null,
            standby: slot.standby_for && slot.final_at ? { finalAt: slot.final_at, ifUnconfirmed: slot.release_unconfirmed === 1 } : null,
            phone: rules.phone,
          },
        );
        outcome.push(d1.prepare("UPDATE waitlist_offers SET state = 'sent', sent_at = ?, provider_id = ? WHERE id = ? AND state = 'sending'").bind(Date.now(), providerId, m.id));
      } catch (err) {
        const message = (err instanceof Error ? err.message : String(err)).slice(0, 300);
        outcome.push(d1.prepare("UPDATE waitlist_offers SET state = 'failed', error = ? WHERE id = ? AND state = 'sending'").bind(message, m.id));
        if (err instanceof SmsSendError && err.optedOut)
          outcome.push(d1.prepare("UPDATE patients SET sms_consent = 0, sms_consent_at = ?, sms_consent_source = 'twilio:21610' WHERE id = ?").bind(now, m.c.patientId));
      }
    }),
  );
  // A failed send leaves the slot with fewer open offers; the next run asks the next patient at once.
  outcome.push(d1.prepare("UPDATE waitlist_slots SET next_at = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM waitlist_offers WHERE slot_id = ? AND state IN ('sending','sent'))").bind(now, slot.id, slot.id));
  await d1.batch(outcome);
}

