// The no-show model a clinic uses: trained coefficients from D1 (noshow_models, written by
// ./train.ts) or, below MIN_TRAINING_SIZE labelled appointments, the documented default below.
// Risk, its level (low / medium / high against the clinic's own base rate) and its top three
// reasons in words all come from here.
import { BASE_FEATURES, type FeatureSpace, featureNames, featuresOf, type PatientHistory, type VisitFacts } from "./features";
import { type LogisticModel, predict } from "./logistic";

/** Fewer labelled (completed / no-show) appointments than this: the clinic uses DEFAULT_MODEL. */
export const MIN_TRAINING_SIZE = 300;

export interface NoShowModel {
  kind: "trained" | "default";
  /** The clinic's no-show rate in the training data (the default: an assumed 10 %). */
  baseRate: number;
  types: string[];
  logistic: LogisticModel;
  trainedAt: number | null;
  trainingSize: number;
}

// The default model: hand-set weights in raw feature units (scale 1), centred on a typical
// appointment (mean). They encode only what the no-show literature agrees on and staff would
// say: long lead times, earlier no-shows, no reminder and no confirmation raise the risk; a
// first visit a little; weekday, hour and type are left at 0 because they differ by clinic.
// Its log-odds at the mean is logit(10 %). It is replaced by the clinic's own model as soon
// as the nightly training has MIN_TRAINING_SIZE labelled appointments.
const DEFAULT_WEIGHTS: Partial<Record<(typeof BASE_FEATURES)[number], [weight: number, mean: number]>> = {
  leadDays: [0.35, Math.log1p(7)],
  video: [-0.2, 0],
  noShowRate: [4, 0.1],
  fewVisits: [0.1, -Math.log1p(3)],
  firstVisit: [0.3, 0.2],
  notReminded: [0.5, 0.2],
  notConfirmed: [0.6, 0.5],
  sinceLast: [0.1, Math.log1p(90)],
};

export const DEFAULT_MODEL: NoShowModel = {
  kind: "default",
  baseRate: 0.1,
  types: [],
  logistic: {
    intercept: Math.log(0.1 / 0.9),
    weights: BASE_FEATURES.map((f) => DEFAULT_WEIGHTS[f]?.[0] ?? 0),
    mean: BASE_FEATURES.map((f) => DEFAULT_WEIGHTS[f]?.[1] ?? 0),
    scale: BASE_FEATURES.map(() => 1),
  },
  trainedAt: null,
  trainingSize: 0,
};

export const spaceOf = (m: NoShowModel, zone: string): FeatureSpace => ({ types: m.types, prior: m.baseRate, zone });

export type RiskLevel = "low" | "medium" | "high";

/**
 * Low below the clinic's base rate; high from twice it (halfway to certain for a clinic whose rate
 * is already high, and always at least 5 points above it); medium between.
 */
export function highRiskFrom(baseRate: number): number {
  return Math.max(Math.min(2 * baseRate, (1 + baseRate) / 2), baseRate + 0.05);
}

export function riskLevel(p: number, baseRate: number): RiskLevel {
  if (p < baseRate) return "low";
  return p >= highRiskFrom(baseRate) ? "high" : "medium";
}

export interface Risk {
  probability: number;
  level: RiskLevel;
  reasons: string[];
}

const DAY = 86_400_000;
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** "3 days", "3 weeks", "4 months": how a receptionist says a span. */
export function spanWords(ms: number): string {
  const days = Math.round(ms / DAY);
  if (days < 14) return days === 1 ? "1 day" : `${days} days`;
  if (days < 60) return `${Math.round(days / 7)} weeks`;
  if (days < 365 * 2) return `${Math.round(days / 30.4)} months`;
  return `${Math.round(days / 365)} years`;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

function reasonWords(name: string, v: VisitFacts, h: PatientHistory, weekday: number): string {
  switch (name) {
    case "leadDays":
      return `booked ${spanWords(v.startMs - v.bookedMs)} ahead`;
    case "tue":
    case "wed":
    case "thu":
    case "fri":
    case "sat":
    case "sun":
      return `on a ${WEEKDAYS[weekday - 1]}`;
    case "early":
      return "early-morning time";
    case "afternoon":
      return "afternoon time";
    case "late":
      return "late-day time";
    case "video":
      return v.video ? "video visit" : "in-person visit";
    case "noShowRate":
      return h.noShows > 0 ? `${plural(h.noShows, "earlier no-show")}` : "no record of attending yet";
    case "fewVisits":
      return h.completed === 0 ? "no earlier visits" : `only ${plural(h.completed, "earlier visit")}`;
    case "firstVisit":
      return "first visit";
    case "notReminded":
      return v.reminded ? "reminded" : "no reminder delivered";
    case "notConfirmed":
      return v.confirmed ? "confirmed" : "not confirmed yet";
    case "sinceLast":
      return h.lastVisitMs == null ? "no earlier visit" : `last visit ${spanWords(v.startMs - h.lastVisitMs)} ago`;
    default:
      return name.startsWith("type:") ? `${name.slice(5)} appointment` : name;
  }
}

/** The appointment's no-show probability, level and up to three reasons that raise it most. */
export function riskOf(m: NoShowModel, zone: string, v: VisitFacts, h: PatientHistory): Risk {
  const space = spaceOf(m, zone);
  const x = featuresOf(v, h, space);
  const probability = predict(m.logistic, x);
  const names = featureNames(space);
  const { weights, mean, scale } = m.logistic;
  const contributions = names
    .map((name, j) => ({ name, c: (weights[j] * (x[j] - mean[j])) / scale[j] }))
    .filter((r) => r.c > 0.05)
    .sort((a, b) => b.c - a.c);
  // Weekday from the one-hot (Tuesday … Sunday at 1 … 6; none set: Monday), so it is the clinic's.
  const weekday = Array.from(x.subarray(1, 7)).indexOf(1) + 2;
  const words = [...new Set(contributions.map((r) => reasonWords(r.name, v, h, weekday)))];
  return { probability, level: riskLevel(probability, m.baseRate), reasons: words.slice(0, 3) };
}

/** A stored model row back into a model; anything unreadable means the default (never a crash). */
export function parseStoredModel(json: string | null | undefined): NoShowModel | null {
  try {
    const m = JSON.parse(json ?? "") as NoShowModel;
    const n = BASE_FEATURES.length + m.types.length;
    const ok = (a: unknown) => Array.isArray(a) && a.length === n && a.every((v) => Number.isFinite(v));
    if (m.kind !== "trained" || !ok(m.logistic.weights) || !ok(m.logistic.mean) || !ok(m.logistic.scale) || !Number.isFinite(m.logistic.intercept)) return null;
    return m;
  } catch {
    return null;
  }
}
