// The doctor's DoctorHub offers freed slots to the waitlist (registered in worker/features.ts;
// the hub runs it after every change and on its alarm, which this work sets to the next time it
// needs to look: an offer's reply window closing, quiet hours ending, the cut-off).
//
// Per freed slot (waitlist_slots, written by ./effect.ts or by offerSlot below):
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
import { containedIn, type Interval, overlaps, subtract } from "../scheduling/intervals";
import type { Env } from "../env";
import type { HubContext, HubWork } from "../hub/work";
import { randomSecret, newId, sha256Hex } from "../ids";
import { inQuietHours, parseStringList, quietEnd } from "../reminders/plan";
import { utcToLocal } from "../scheduling/zone";
import { SmsSendError } from "../sms/provider";
import { type MatchEntry, parsePreferences, rankFitting } from "./match";
import { sendOffer } from "./send";
import { waitlistLive } from "./live";

interface ClinicRules {
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

interface SlotRow {
  id: string;
  clinic_id: string;
  doctor_id: string;
  start_ms: number;
  end_ms: number;
  state: string;
}

interface Candidate extends MatchEntry {
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

async function candidates(env: Env, slot: SlotRow, rules: ClinicRules): Promise<Candidate[]> {
  const date = utcToLocal(rules.time_zone, slot.start_ms).date;
  const { results } = await env.DB.prepare(
    "SELECT e.id, e.patient_id, e.doctor_id, e.type, e.minutes, e.earliest_date, e.latest_date, e.preferences, e.channel, e.priority, e.created_at, " +
      "p.phone, p.email, p.sms_consent FROM waitlist_entries e INDEXED BY waitlist_entries_clinic_idx JOIN patients p ON p.id = e.patient_id " +
      "WHERE e.clinic_id = ? AND e.state = 'waiting' AND e.latest_date >= ? AND e.earliest_date <= ? AND (e.doctor_id IS NULL OR e.doctor_id = ?) " +
      "AND e.id NOT IN (SELECT entry_id FROM waitlist_offers WHERE slot_id = ?) " +
      // Nobody is offered a time while they hold another offer that is still open.
      "AND NOT EXISTS (SELECT 1 FROM waitlist_offers o INDEXED BY waitlist_offers_patient_idx WHERE o.patient_id = e.patient_id AND o.state IN ('sending','sent','opened')) " +
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

/** One round for a doctor; returns when it wants to run next (or null). */
export async function drainWaitlist(env: Env, doctorId: string, publish: HubContext["publish"] | null, now = Date.now()): Promise<number | null> {
  const d1 = env.DB;
  const nextAt = () => d1.prepare(NEXT_SQL).bind(doctorId, doctorId);
  // One round trip when there is nothing to do (the common case: every kick of every hub runs this).
  const [expired, slotsRes, rulesRes, nextRes] = await d1.batch([
    d1.prepare("UPDATE waitlist_offers SET state = 'expired' WHERE doctor_id = ? AND state IN ('sent','opened') AND expires_at <= ? RETURNING id").bind(doctorId, now),
    d1.prepare("SELECT id, clinic_id, doctor_id, start_ms, end_ms, state FROM waitlist_slots INDEXED BY waitlist_slots_doctor_idx WHERE doctor_id = ? AND state IN ('new','offering') AND next_at <= ? ORDER BY next_at LIMIT ?").bind(doctorId, now, MAX_SLOTS_PER_RUN),
    d1.prepare(
      "SELECT c.id AS clinic_id, c.name, d.name AS doctor, c.time_zone, c.domain, c.country, c.phone, c.cancel_cutoff_min, c.quiet_start_min, c.quiet_end_min, " +
        "c.waitlist_mode, c.waitlist_parallel, c.waitlist_reply_min, c.sensitive_types FROM doctors d JOIN clinics c ON c.id = d.clinic_id WHERE d.id = ?",
    ).bind(doctorId),
    nextAt(),
  ]);
  let changed = expired.results.length > 0;
  const rules = rulesRes.results[0] as ClinicRules | undefined;
  const slots = slotsRes.results as SlotRow[];
  if (rules) for (const slot of slots) changed = (await roundFor(env, slot, rules, now)) || changed;
  if (changed && publish) await publish(waitlistLive(doctorId)).catch((err) => console.error("waitlist live failed", err));
  if (slots.length === MAX_SLOTS_PER_RUN) return Date.now();
  const next = slots.length ? await nextAt().first<{ at: number | null }>() : (nextRes.results[0] as { at: number | null } | undefined);
  return next?.at ?? null;
}

/** When the doctor's waitlist work next has something to do: a slot to look at again, an offer's window closing. */
const NEXT_SQL =
  "SELECT min(at) AS at FROM (SELECT min(next_at) AS at FROM waitlist_slots WHERE doctor_id = ? AND state IN ('new','offering') " +
  "UNION ALL SELECT min(expires_at) FROM waitlist_offers WHERE doctor_id = ? AND state IN ('sent','opened'))";

const closeSlot = (d1: D1Database, slotId: string, state: string) => [
  d1.prepare("UPDATE waitlist_slots SET state = ? WHERE id = ? AND state IN ('new','offering')").bind(state, slotId),
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

/** Works one slot; true when something staff see changed. */
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
  const quiet = { startMin: rules.quiet_start_min, endMin: rules.quiet_end_min };
  const quietNow = inQuietHours(now, quiet, rules.time_zone);
  const quietUntil = quietNow ? quietEnd(now, quiet, rules.time_zone) : now;
  const want = rules.waitlist_mode === "sequential" ? 1 : Math.max(1, rules.waitlist_parallel);
  // The first stretch someone on the list fits is offered (the slot is then that stretch).
  for (const win of windows) {
    const target: SlotRow = { ...slot, start_ms: win.start, end_ms: win.end };
    const lastChance = win.start - cutoffMs;
    // The whole visit must be inside working hours (what staff could book), as the write path will check.
    let fitting = (await candidates(env, target, rules)).filter((c) => containedIn(free.working, win.start, win.start + c.minutes * 60_000));
    let chosen = fitting.slice(0, want);
    if (quietNow && chosen.some((c) => c.channel === "sms")) {
      if (quietUntil < lastChance) {
        // Keep the order fair: nobody is skipped for being reachable only by SMS — wait for the morning.
        await d1.prepare("UPDATE waitlist_slots SET next_at = ? WHERE id = ?").bind(quietUntil, slot.id).run();
        return false;
      }
      fitting = fitting.filter((c) => c.channel === "email");
      chosen = fitting.slice(0, want);
    }
    if (!chosen.length) continue;
    await sendRound(env, target, rules, chosen, lastChance, now);
    return true;
  }
  return closeAs(slot.state === "new" ? "none" : "lapsed");
}

async function sendRound(env: Env, slot: SlotRow, rules: ClinicRules, chosen: Candidate[], lastChance: number, now: number): Promise<void> {
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
  await d1.batch([
    ...made.map((m) =>
      d1
        .prepare(
          "INSERT INTO waitlist_offers (id, clinic_id, slot_id, entry_id, doctor_id, patient_id, start_ms, end_ms, token_hash, channel, state, expires_at, created_at) " +
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', ?, ?)",
        )
        .bind(m.id, slot.clinic_id, slot.id, m.c.id, slot.doctor_id, m.c.patientId, slot.start_ms, m.endMs, m.hash, m.c.channel, expiresAt, now),
    ),
    d1.prepare("UPDATE waitlist_slots SET state = 'offering', offered_at = coalesce(offered_at, ?), next_at = ? WHERE id = ?").bind(now, expiresAt, slot.id),
  ]);
  const outcome: D1PreparedStatement[] = [];
  await Promise.all(
    made.map(async (m) => {
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

export const waitlistWork: HubWork = {
  name: "waitlist",
  run: (ctx) => drainWaitlist(ctx.env, ctx.doctorId, ctx.publish),
};
