// From a clinic's labelled history (completed / no-show appointments in start order) to a
// fitted model. Pure, so the nightly job (./train.ts), the eval (bench/eval) and the tests fit
// exactly the same way. Each appointment's patient history is what was known before it
// started (a running count in start order), never its own or a later outcome.
import { addToHistory, EMPTY_HISTORY, type FeatureSpace, BASE_FEATURES, featuresOf, type PatientHistory, typeVocabulary, type VisitFacts } from "./features";
import { fitLogistic } from "./logistic";
import { DEFAULT_MODEL, MIN_TRAINING_SIZE, type NoShowModel } from "./model";

export interface LabelledVisit extends VisitFacts {
  patientId: string;
  noShow: boolean;
}

/** L2 strength on standardised weights: enough to keep rare types and weekdays from swinging. */
export const L2 = 2;

/** The feature space learned from training rows: the type vocabulary and the no-show rate. */
export function spaceFor(visits: LabelledVisit[], zone: string): FeatureSpace {
  const noShows = visits.reduce((n, v) => n + (v.noShow ? 1 : 0), 0);
  return { types: typeVocabulary(visits.map((v) => v.type)), prior: visits.length ? noShows / visits.length : 0, zone };
}

/** Rows in start order → the design matrix (row-major, d columns) and labels. */
export function featureRows(visits: LabelledVisit[], space: FeatureSpace) {
  const d = BASE_FEATURES.length + space.types.length;
  const X = new Float64Array(visits.length * d);
  const y = new Uint8Array(visits.length);
  const history = new Map<string, PatientHistory>();
  visits.forEach((v, i) => {
    const h = history.get(v.patientId) ?? EMPTY_HISTORY;
    featuresOf(v, h, space, X.subarray(i * d, (i + 1) * d));
    y[i] = v.noShow ? 1 : 0;
    history.set(v.patientId, addToHistory(h, v.startMs, v.noShow));
  });
  return { X, y, d };
}

/** Fits the model on the first `n` rows (all by default) of a feature matrix over `space`. */
export function fitRows(X: Float64Array, y: Uint8Array, d: number, space: FeatureSpace, now: number, n = y.length): NoShowModel {
  const ys = y.subarray(0, n);
  const positives = ys.reduce((a, v) => a + v, 0);
  if (n < MIN_TRAINING_SIZE || positives === 0 || positives === n) return { ...DEFAULT_MODEL, trainingSize: n };
  const logistic = fitLogistic(X.subarray(0, n * d), ys, d, { l2: L2, nonNegative: [BASE_FEATURES.indexOf("noShowRate")] });
  return { kind: "trained", baseRate: positives / n, types: space.types, logistic, trainedAt: now, trainingSize: n };
}

/** The clinic's model from its history (start order); the default below MIN_TRAINING_SIZE rows or without both outcomes. */
export function trainModel(visits: LabelledVisit[], zone: string, now: number): NoShowModel {
  const space = spaceFor(visits, zone);
  const { X, y, d } = featureRows(visits, space);
  return fitRows(X, y, d, space, now);
}
