// L2-regularised logistic regression fitted by Newton's method (IRLS), ~100 lines of our own.
// Why not a library: the npm choices (ml-logistic-regression, @kobra-dev/js-regression) fit by
// fixed-rate gradient descent over a dense matrix library, need a learning rate tuned per data
// set, and know no sign constraint. With ~25 standardised features Newton converges in < 10
// passes, is deterministic (no random init, no shuffling: the same rows give the same model,
// bit for bit), and one pass over 100,000 rows is ~d²/2 = 300 multiply-adds a row.
//
// Inputs are standardised (mean 0, sd 1) before fitting, so one L2 strength suits every
// feature and the stored weights compare directly: w_j · (x_j − mean_j) / scale_j is feature
// j's contribution to the log-odds against an average appointment (the "reasons").

export interface LogisticModel {
  intercept: number;
  weights: number[];
  mean: number[];
  scale: number[];
}

export interface FitOptions {
  /** L2 penalty on the (standardised) weights; the intercept is not penalised. */
  l2?: number;
  maxIterations?: number;
  /** Feature indexes whose weight may not go below 0 (projected Newton: clipped after each step). */
  nonNegative?: number[];
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Probability of the positive class for one raw (unstandardised) feature vector. */
export function predict(m: LogisticModel, x: ArrayLike<number>): number {
  let z = m.intercept;
  for (let j = 0; j < m.weights.length; j++) z += (m.weights[j] * (x[j] - m.mean[j])) / m.scale[j];
  return sigmoid(z);
}

/**
 * Fits on `n` rows of `d` features stored row-major in `X` (length n·d), labels 0/1 in `y`.
 * Work: maxIterations passes of O(n·d²); memory: the input plus a d×d matrix.
 */
export function fitLogistic(X: Float64Array, y: Uint8Array, d: number, opts: FitOptions = {}): LogisticModel {
  const n = y.length;
  const l2 = opts.l2 ?? 1;
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(n, 1);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) scale[j] += (X[i * d + j] - mean[j]) ** 2;
  // A constant column (all rows unconfirmed, say) gets scale 1 and weight 0. Its sd is tested
  // against a floor, not 0: round-off leaves ~1e-9, which would blow the column up to noise.
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt(scale[j] / Math.max(n, 1));
    scale[j] = sd > 1e-6 ? sd : 1;
  }
  const D = d + 1; // parameter 0 is the intercept
  const beta = new Float64Array(D);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i];
  const rate = Math.min(Math.max(positives / Math.max(n, 1), 1e-4), 1 - 1e-4);
  beta[0] = Math.log(rate / (1 - rate));
  const z = new Float64Array(D);
  const grad = new Float64Array(D);
  const H = new Float64Array(D * D);
  for (let iter = 0; iter < (opts.maxIterations ?? 25); iter++) {
    grad.fill(0);
    H.fill(0);
    for (let i = 0; i < n; i++) {
      z[0] = 1;
      let eta = beta[0];
      for (let j = 0; j < d; j++) {
        z[j + 1] = (X[i * d + j] - mean[j]) / scale[j];
        eta += beta[j + 1] * z[j + 1];
      }
      const p = sigmoid(eta);
      const r = y[i] - p;
      const w = p * (1 - p);
      for (let a = 0; a < D; a++) {
        grad[a] += r * z[a];
        const wa = w * z[a];
        for (let b = 0; b <= a; b++) H[a * D + b] += wa * z[b];
      }
    }
    for (let a = 1; a < D; a++) {
      grad[a] -= l2 * beta[a];
      H[a * D + a] += l2;
    }
    for (let a = 0; a < D; a++) for (let b = a + 1; b < D; b++) H[a * D + b] = H[b * D + a];
    const step = solve(H, grad, D);
    let biggest = 0;
    for (let a = 0; a < D; a++) {
      beta[a] += step[a];
      biggest = Math.max(biggest, Math.abs(step[a]));
    }
    for (const j of opts.nonNegative ?? []) if (beta[j + 1] < 0) beta[j + 1] = 0;
    if (biggest < 1e-7) break;
  }
  return { intercept: beta[0], weights: Array.from(beta.subarray(1)), mean, scale };
}

/** Solves A·x = b for a symmetric positive-definite A (D×D, row-major) by Cholesky; A and b are not changed. */
function solve(A: Float64Array, b: Float64Array, D: number): Float64Array {
  const L = new Float64Array(D * D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * D + j];
      for (let k = 0; k < j; k++) s -= L[i * D + k] * L[j * D + k];
      // The L2 term keeps A positive definite; the floor only guards against round-off.
      L[i * D + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * D + j];
    }
  }
  const x = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * D + k] * x[k];
    x[i] = s / L[i * D + i];
  }
  for (let i = D - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < D; k++) s -= L[k * D + i] * x[k];
    x[i] = s / L[i * D + i];
  }
  return x;
}
