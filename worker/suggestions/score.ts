// The free-slot scorer: pure (no I/O, no clock), table-tested in test/worker/suggestions/score.test.ts.
// A slot's score is a weighted sum of five parts, each in [-1, 1], with the weights from the
// clinic's settings (./settings.ts):
//   habit    the patient's usual weekdays and times (share of their earlier visits alike)
//   compact  +1 next to another appointment, +0.5 at the start or end of the doctor's working
//            period, −1 when it leaves a gap shorter than the shortest appointment type
//            (time nobody can be booked into)
//   spread   "any doctor": 1 − the doctor's booked share of that day, so load spreads
//   risk     the patient's predicted no-show risk at that time against the clinic's base rate
//   soon     1 − days ahead / horizon; three times the weight for urgent types
// The reasons are the parts that helped most, in words, plus a warning when the risk is high.
import type { Interval } from "../scheduling/intervals";
import { highRiskFrom } from "./model";

export interface Weights {
  habit: number;
  compact: number;
  spread: number;
  risk: number;
  soon: number;
}

/** The patient's earlier completed visits as clinic-local weekday (1–7) and hour. */
export interface Habit {
  weekday: number;
  hour: number;
}

export interface SlotFacts {
  weekday: number;
  hour: number;
  /** "Tuesday morning"-style words for the habit reason. */
  dayPart: string;
  habits: Habit[];
  /** From compactness(): next to another appointment / at a working period's edge / leaves an unusable gap. */
  adjacent: boolean;
  atEdge: boolean;
  shortGap: boolean;
  /** Booked share of the doctor's working time that day (0–1), or null when a doctor was asked for. */
  doctorLoad: number | null;
  doctorName: string;
  risk: number;
  baseRate: number;
  daysAhead: number;
  horizonDays: number;
  urgent: boolean;
}

export interface Scored {
  score: number;
  parts: Weights;
  reasons: string[];
}

const clamp = (x: number) => Math.max(-1, Math.min(1, x));
const pct = (p: number) => `${Math.round(p * 100)} %`;

/** How well the slot matches the patient's earlier visits: same weekday and within an hour counts 1, one of the two 0.4. */
export function habitMatch(habits: Habit[], weekday: number, hour: number): { share: number; alike: number } {
  if (habits.length < 2) return { share: 0, alike: 0 };
  let sum = 0;
  let alike = 0;
  for (const h of habits) {
    const day = h.weekday === weekday;
    const time = Math.abs(h.hour - hour) <= 1;
    if (day && time) alike++;
    sum += day && time ? 1 : day || time ? 0.4 : 0;
  }
  return { share: sum / habits.length, alike };
}

/**
 * Where the slot sits in the doctor's day: `busy` is merged appointments + blocked time,
 * `working` the merged working intervals; `shortest` the shortest bookable visit (ms).
 */
export function compactness(slot: Interval, working: Interval[], busy: Interval[], shortest: number): { adjacent: boolean; atEdge: boolean; shortGap: boolean } {
  const w = working.find((i) => i.start <= slot.start && slot.end <= i.end);
  if (!w) return { adjacent: false, atEdge: false, shortGap: false };
  let before = w.start;
  let after = w.end;
  for (const b of busy) {
    if (b.end <= slot.start && b.end > before) before = Math.min(b.end, slot.start);
    if (b.start >= slot.end && b.start < after) after = b.start;
  }
  const touchesBusy = busy.some((b) => b.end === slot.start || b.start === slot.end);
  const gapBefore = slot.start - before;
  const gapAfter = after - slot.end;
  return {
    adjacent: touchesBusy,
    atEdge: !touchesBusy && (slot.start === w.start || slot.end === w.end),
    shortGap: (gapBefore > 0 && gapBefore < shortest) || (gapAfter > 0 && gapAfter < shortest),
  };
}

/** The parts and the score only: cheap enough for every candidate (the ranking words only the few it keeps). */
export function slotScore(f: SlotFacts, w: Weights): { score: number; parts: Weights; alike: number } {
  const habit = habitMatch(f.habits, f.weekday, f.hour);
  const parts: Weights = {
    habit: habit.share,
    compact: f.shortGap ? -1 : f.adjacent ? 1 : f.atEdge ? 0.5 : 0,
    spread: f.doctorLoad == null ? 0 : 1 - f.doctorLoad,
    risk: f.baseRate > 0 ? clamp((f.baseRate - f.risk) / f.baseRate) : 0,
    soon: f.horizonDays > 0 ? Math.max(0, 1 - f.daysAhead / f.horizonDays) : 0,
  };
  const soonWeight = f.urgent ? w.soon * 3 : w.soon;
  const score = w.habit * parts.habit + w.compact * parts.compact + w.spread * parts.spread + w.risk * parts.risk + soonWeight * parts.soon;
  return { score, parts, alike: habit.alike };
}

/** The slot's reasons in words: the parts that helped most (up to three), then any warnings. */
export function slotReasons(f: SlotFacts, w: Weights, s = slotScore(f, w)): string[] {
  const { parts } = s;
  // What each part added, for choosing the reasons.
  const weighted: Weights = {
    habit: w.habit * parts.habit,
    compact: w.compact * parts.compact,
    spread: w.spread * parts.spread,
    risk: w.risk * parts.risk,
    soon: (f.urgent ? w.soon * 3 : w.soon) * parts.soon,
  };
  const words: Record<keyof Weights, string> = {
    habit: `${f.dayPart}, like ${s.alike} of ${f.habits.length} earlier visits`,
    compact: f.adjacent ? "right next to another appointment" : "at the start or end of the doctor's hours",
    spread: `${f.doctorName} has a lighter day (${pct(f.doctorLoad ?? 0)} booked)`,
    risk: `low no-show risk at this time (${pct(f.risk)})`,
    soon: f.urgent ? "soon, for an urgent visit" : f.daysAhead < 1 ? "today" : "tomorrow",
  };
  // "Sooner" is worth saying for an urgent type, or when it is today or tomorrow.
  if (!f.urgent && f.daysAhead >= 2) weighted.soon = Math.min(weighted.soon, 0);
  const reasons = (Object.keys(weighted) as (keyof Weights)[])
    .filter((k) => weighted[k] > 0.1 && (k !== "habit" || s.alike > 0))
    .sort((a, b) => weighted[b] - weighted[a])
    .map((k) => words[k])
    .slice(0, 3);
  if (f.shortGap) reasons.push("leaves a gap too short for another visit");
  if (f.risk >= highRiskFrom(f.baseRate)) reasons.push(`higher no-show risk at this time (${pct(f.risk)})`);
  // Nothing stood out: say so plainly rather than invent a reason.
  if (!reasons.length) reasons.push("free; nothing for or against it");
  return reasons;
}

export function scoreSlot(f: SlotFacts, w: Weights): Scored {
  const s = slotScore(f, w);
  return { score: s.score, parts: s.parts, reasons: slotReasons(f, w, s) };
}
