// Quality figures for a probabilistic classifier: AUC (rank statistic), Brier score and a
// calibration table. Pure; used by the eval (bench/eval/noshow.eval.ts).

/** Area under the ROC curve by the Mann–Whitney rank sum (ties get their average rank). */
export function auc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const rank = new Float64Array(p.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && p[idx[j + 1]] === p[idx[i]]) j++;
    for (let k = i; k <= j; k++) rank[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < p.length; i++) if (y[i]) (pos++, (sum += rank[i]));
  const neg = p.length - pos;
  return pos && neg ? (sum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}

export function brier(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - y[i]) ** 2;
  return s / p.length;
}

export interface CalibrationBin {
  from: number;
  to: number;
  count: number;
  meanPredicted: number;
  observed: number;
}

/** Equal-count bins (deciles by default) of predicted risk: mean prediction vs observed rate. */
export function calibration(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const part = idx.slice(Math.floor((b * idx.length) / bins), Math.floor(((b + 1) * idx.length) / bins));
    if (!part.length) continue;
    out.push({
      from: p[part[0]],
      to: p[part[part.length - 1]],
      count: part.length,
      meanPredicted: part.reduce((s, i) => s + p[i], 0) / part.length,
      observed: part.reduce((s, i) => s + y[i], 0) / part.length,
    });
  }
  return out;
}
