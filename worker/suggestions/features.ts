// No-show features: what a receptionist would name when guessing who will not come. Pure (no
// I/O, no clock): the nightly training (./train.ts), the live risk (./risk.ts), the slot
// scorer (./score.ts) and the eval (bench/eval) all build vectors here, so a feature means
// the same thing in every place.
//
// Each feature is a number, oriented so that its name reads as a reason when its contribution
// is positive ("not confirmed yet", "first visit"). The learned weight decides the direction;
// only `noShowRate` is constrained (./logistic.ts: non-negative weight) so an earlier no-show
// can never make a patient look more reliable — the property test relies on it.
import { utcToLocal } from "../scheduling/zone";

const DAY = 86_400_000;

/** One appointment as the model sees it (from D1 rows, or the eval's generator). */
export interface VisitFacts {
  startMs: number;
  /** When it was booked (appointments.created_at). */
  bookedMs: number;
  type: string;
  video: boolean;
  /** History: at least one reminder was delivered (sent/delivered). Upcoming: one is planned or went out. */
  reminded: boolean;
  /** The patient confirmed (link or SMS "C", or staff set "confirmed"). */
  confirmed: boolean;
}

/** The patient's labelled history before the appointment. Cancellations are not visits and not no-shows. */
export interface PatientHistory {
  completed: number;
  noShows: number;
  /** Start of the last completed visit, or null. */
  lastVisitMs: number | null;
}

export const EMPTY_HISTORY: PatientHistory = { completed: 0, noShows: 0, lastVisitMs: null };

/** The fixed part of the vector; one `type:<name>` feature per type in the model's vocabulary follows. */
export const BASE_FEATURES = [
  "leadDays", // log1p(days between booking and visit)
  "tue",
  "wed",
  "thu",
  "fri",
  "sat",
  "sun", // weekday one-hot, Monday is the base
  "early", // starts before 10:00 (clinic time)
  "afternoon", // 12:00–15:59
  "late", // 16:00 or later
  "video",
  "noShowRate", // the patient's smoothed no-show rate (see smoothedRate)
  "fewVisits", // -log1p(earlier completed visits): more history, lower value
  "firstVisit", // no earlier completed visit
  "notReminded",
  "notConfirmed",
  "sinceLast", // log1p(days since the last completed visit), 0 on a first visit
] as const;

export type BaseFeature = (typeof BASE_FEATURES)[number];

/** Pseudo-visits at the clinic's base rate added to every patient's record (empirical-Bayes smoothing). */
export const SMOOTHING_VISITS = 2;

/** (noShows + k·prior) / (visits + k): a new patient gets the clinic's rate, a long record its own. */
export function smoothedRate(h: PatientHistory, prior: number): number {
  return (h.noShows + SMOOTHING_VISITS * prior) / (h.completed + h.noShows + SMOOTHING_VISITS);
}

export interface FeatureSpace {
  /** Appointment types with their own weight; any other type is the base. */
  types: string[];
  /** The clinic's no-show rate used for smoothing. */
  prior: number;
  zone: string;
}

export const featureNames = (space: FeatureSpace) => [...BASE_FEATURES, ...space.types.map((t) => `type:${t}`)];

/** The feature vector of one appointment (length featureNames(space).length). */
export function featuresOf(v: VisitFacts, h: PatientHistory, space: FeatureSpace, out?: Float64Array): Float64Array {
  const x = out ?? new Float64Array(BASE_FEATURES.length + space.types.length);
  x.fill(0);
  const local = utcToLocal(space.zone, v.startMs);
  const hour = Number(local.time.slice(0, 2));
  x[0] = Math.log1p(Math.max(0, v.startMs - v.bookedMs) / DAY);
  if (local.weekday >= 2) x[local.weekday - 1] = 1; // tue → index 1 … sun → index 6
  x[7] = hour < 10 ? 1 : 0;
  x[8] = hour >= 12 && hour < 16 ? 1 : 0;
  x[9] = hour >= 16 ? 1 : 0;
  x[10] = v.video ? 1 : 0;
  x[11] = smoothedRate(h, space.prior);
  x[12] = -Math.log1p(h.completed);
  x[13] = h.completed === 0 ? 1 : 0;
  x[14] = v.reminded ? 0 : 1;
  x[15] = v.confirmed ? 0 : 1;
  x[16] = h.lastVisitMs == null ? 0 : Math.log1p(Math.max(0, v.startMs - h.lastVisitMs) / DAY);
  const t = space.types.indexOf(v.type);
  if (t >= 0) x[BASE_FEATURES.length + t] = 1;
  return x;
}

/** Adds one labelled appointment to a patient's history (call in start order). */
export function addToHistory(h: PatientHistory, startMs: number, noShow: boolean): PatientHistory {
  return noShow
    ? { ...h, noShows: h.noShows + 1 }
    : { completed: h.completed + 1, noShows: h.noShows, lastVisitMs: Math.max(h.lastVisitMs ?? startMs, startMs) };
}

/** The types worth their own weight: the most frequent ones (at most `max`), most frequent first, minus the commonest (the base). */
export function typeVocabulary(types: Iterable<string>, max = 6, minCount = 30): string[] {
  const n = new Map<string, number>();
  for (const t of types) n.set(t, (n.get(t) ?? 0) + 1);
  const ranked = [...n].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return ranked.slice(1, max + 1).map(([t]) => t);
}
