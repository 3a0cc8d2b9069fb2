// `npm run eval`: how good the no-show model is, honestly. A generated clinic year
// (./clinic-history.ts, patterns known only to the generator) is split in time: the model is
// trained on the first 9 months and judged on the last 3, as the nightly job would be used.
// Reported: AUC, Brier score and a calibration table for the trained model, next to the
// default model, the clinic's base rate as a constant and the generator's own probabilities
// (the ceiling). The figures go into docs/suggestions.md.
import { expect, test } from "vitest";
import { featureRows, fitRows, spaceFor } from "../../worker/suggestions/training-set";
import { predict } from "../../worker/suggestions/logistic";
import { DEFAULT_MODEL, spaceOf } from "../../worker/suggestions/model";
import { featureNames } from "../../worker/suggestions/features";
import { generateHistory } from "./clinic-history";
import { auc, brier, calibration } from "./metrics";

const ZONE = "Europe/London";
const SPLIT = Date.UTC(2025, 9, 1); // train: Jan–Sep 2025, test: Oct–Dec 2025

test("no-show model on a held-out time split", () => {
  const all = generateHistory({ seed: 7, zone: ZONE }).filter((v) => !v.cancelled);
  const nTrain = all.findIndex((v) => v.startMs >= SPLIT);
  const train = all.slice(0, nTrain);
  const test = all.slice(nTrain);
  const space = spaceFor(train, ZONE);
  const { X, y, d } = featureRows(all, space);
  const t0 = performance.now();
  const model = fitRows(X, y, d, space, SPLIT, nTrain);
  const fitMs = performance.now() - t0;
  const yTest = y.subarray(nTrain);
  const pModel = test.map((_, i) => predict(model.logistic, X.subarray((nTrain + i) * d, (nTrain + i + 1) * d)));
  const dflt = featureRows(all, spaceOf(DEFAULT_MODEL, ZONE));
  const pDefault = test.map((_, i) => predict(DEFAULT_MODEL.logistic, dflt.X.subarray((nTrain + i) * dflt.d, (nTrain + i + 1) * dflt.d)));
  const pBase = test.map(() => model.baseRate);
  const pTrue = test.map((v) => v.trueRisk);
  const row = (name: string, p: number[]) => ({ model: name, AUC: +auc(p, yTest).toFixed(3), Brier: +brier(p, yTest).toFixed(4) });
  const rows = [row("trained (this clinic)", pModel), row("default model", pDefault), row("base rate constant", pBase), row("generator's truth (ceiling)", pTrue)];
  console.log(`\nNo-show eval: ${train.length} training appointments (Jan–Sep), ${test.length} held out (Oct–Dec); ` +
    `no-show rate ${(model.baseRate * 100).toFixed(1)} % train, ${((yTest.reduce((a, b) => a + b, 0) / yTest.length) * 100).toFixed(1)} % test; fit ${fitMs.toFixed(0)} ms`);
  console.table(rows);
  console.log("Calibration of the trained model on the held-out months (deciles of predicted risk):");
  console.table(calibration(pModel, yTest).map((b) => ({ predicted: `${(b.from * 100).toFixed(1)}–${(b.to * 100).toFixed(1)} %`, n: b.count, "mean predicted": `${(b.meanPredicted * 100).toFixed(1)} %`, observed: `${(b.observed * 100).toFixed(1)} %` })));
  console.log("Learned weights (standardised):");
  console.table(featureNames(space).map((f, j) => ({ feature: f, weight: +model.logistic.weights[j].toFixed(3) })));
  // Guards, not targets: a model that learns nothing (AUC ≈ 0.5) or is worse calibrated than the
  // constant base rate fails the eval.
  expect(rows[0].AUC).toBeGreaterThan(0.7);
  expect(rows[0].Brier).toBeLessThan(rows[2].Brier);
});
