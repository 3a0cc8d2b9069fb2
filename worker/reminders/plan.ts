// Reminder scheduling: which reminders an appointment gets and when. Pure (no I/O), so it is
// table-tested on its own (test/worker/reminders/plan.test.ts) and called by the change effect
// (./effect.ts) inside the appointment's own D1 batch.
//
// Rules of the house:
// - Only scheduled and confirmed appointments are reminded; an appointment type on the
//   clinic's "no reminders" list gets none.
// - A reminder whose time has already passed when the appointment is booked (or moved) is
//   skipped, never sent late: a booking made 1 h ahead gets no 24 h reminder.
// - E-mail goes to a patient with an e-mail address; SMS only to a patient with a phone
//   number AND recorded SMS consent (an opted-out patient has consent 0).
// - Quiet hours (clinic zone) hold SMS only: a text that would land at night goes at the end
//   of the quiet span, or not at all if the appointment has started by then. E-mail waits in
//   an inbox, so it is not held.
// - Quiet-hour ends are clinic wall-clock times resolved with the zone's rules (a DST gap
//   moves them forward, like every other wall time in worker/scheduling/zone.ts); when the end
//   time happens twice (fall back), it is the first occurrence AFTER the instant held, never one
//   before it (a hold to a past time would re-fire at once, in a loop).
import { addDays, resolveLocal, utcToLocal } from "../scheduling/zone";

export type ReminderChannel = "email" | "sms";

export interface ReminderRule {
  offsetMinutes: number;
  channel: ReminderChannel;
}

/** Minutes after local midnight; start > end spans midnight (21:00–08:00). start === end: no quiet hours. */
export interface QuietHours {
  startMin: number;
  endMin: number;
}

export interface PlanInput {
  startMs: number;
  now: number;
  status: string;
  type: string;
  zone: string;
  rules: ReminderRule[];
  quiet: QuietHours;
  noReminderTypes: string[];
  patient: { hasEmail: boolean; smsOk: boolean };
}

export interface PlannedReminder {
  channel: ReminderChannel;
  offsetMinutes: number;
  dueAt: number;
}

export const DEFAULT_RULES: ReminderRule[] = [
  { offsetMinutes: 1440, channel: "email" },
  { offsetMinutes: 120, channel: "sms" },
];

const REMINDED_STATUSES = new Set(["scheduled", "confirmed"]);

const minuteOfDay = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;

/** True when the clinic-local time of `ms` falls inside the quiet span. */
export function inQuietHours(ms: number, quiet: QuietHours, zone: string): boolean {
  if (quiet.startMin === quiet.endMin) return false;
  const m = minuteOfDay(utcToLocal(zone, ms).time);
  return quiet.startMin < quiet.endMin ? m >= quiet.startMin && m < quiet.endMin : m >= quiet.startMin || m < quiet.endMin;
}

/**
 * The instant the quiet span containing `ms` ends (call only when inQuietHours is true): the first
 * instant after `ms` whose wall reading is the end time (a DST gap: moved forward). Always > ms.
 */
export function quietEnd(ms: number, quiet: QuietHours, zone: string): number {
  const local = utcToLocal(zone, ms);
  const m = minuteOfDay(local.time);
  // Spanning midnight and still before it: the span ends tomorrow morning.
  const endDate = quiet.startMin > quiet.endMin && m >= quiet.startMin ? addDays(local.date, 1) : local.date;
  // In a repeated hour (fall back) the earlier occurrence of the end may already be past: an
  // SMS held at 01:10 EST (the second 01:10) with quiet hours ending 01:30 waits for 01:30 EST,
  // not 01:30 EDT an hour before it. The next day is only a safety net.
  for (const date of [endDate, addDays(endDate, 1)]) {
    const r = resolveLocal(zone, date, hhmm(quiet.endMin));
    if (r.utcMs > ms) return r.utcMs;
    if (r.kind === "overlap" && r.laterMs > ms) return r.laterMs;
  }
  return ms + 60_000; // unreachable: a wall time a day later is always later
}

/** When a reminder planned for `dueAt` may go out on `channel`; null when it should not go at all. */
export function sendableAt(dueAt: number, channel: ReminderChannel, startMs: number, quiet: QuietHours, zone: string): number | null {
  let at = dueAt;
  if (channel === "sms" && inQuietHours(at, quiet, zone)) at = Math.max(dueAt, quietEnd(at, quiet, zone));
  return at < startMs ? at : null;
}

export function planReminders(i: PlanInput): PlannedReminder[] {
  if (!REMINDED_STATUSES.has(i.status) || i.noReminderTypes.includes(i.type)) return [];
  const out: PlannedReminder[] = [];
  const seen = new Set<string>();
  for (const r of i.rules) {
    const key = `${r.channel}:${r.offsetMinutes}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (r.channel === "email" ? !i.patient.hasEmail : !i.patient.smsOk) continue;
    const raw = i.startMs - r.offsetMinutes * 60_000;
    if (raw <= i.now) continue; // too late for this one: never send a "24 h before" 1 h before
    const at = sendableAt(raw, r.channel, i.startMs, i.quiet, i.zone);
    if (at != null) out.push({ channel: r.channel, offsetMinutes: r.offsetMinutes, dueAt: at });
  }
  return out.sort((a, b) => a.dueAt - b.dueAt);
}

/** Parses stored rules defensively (a bad row must not break every booking of the clinic). */
export function parseRules(json: string | null | undefined): ReminderRule[] {
  try {
    const v = JSON.parse(json ?? "");
    if (!Array.isArray(v)) return DEFAULT_RULES;
    return v.filter(
      (r): r is ReminderRule =>
        r && Number.isInteger(r.offsetMinutes) && r.offsetMinutes > 0 && r.offsetMinutes <= 60 * 24 * 30 && (r.channel === "email" || r.channel === "sms"),
    );
  } catch {
    return DEFAULT_RULES;
  }
}

export function parseStringList(json: string | null | undefined): string[] {
  try {
    const v = JSON.parse(json ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}
