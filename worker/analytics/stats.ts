// Small statistics for the dashboard, pure and table-tested (test/worker/analytics/stats.test.ts).

/** Below this many appointments a rate is shown greyed and never ranked. */
export const MIN_N = 20;

export interface Rate {
  /** Appointments with an outcome (completed or no-show). */
  n: number;
  /** No-shows among them. */
  k: number;
  /** k / n, null when n = 0. */
  rate: number | null;
  /** 95% Wilson score interval, null when n = 0. */
  low: number | null;
  high: number | null;
  /** Too few to compare (n < MIN_N). */
  few: boolean;
}

const Z95 = 1.959963984540054;

/**
 * Wilson score interval for k successes in n trials. Chosen over the normal approximation
 * because it stays inside [0, 1] and is sensible for small n and for rates near 0 — a month
 * of a small clinic's no-shows is exactly that.
 */
export function wilson(k: number, n: number, z = Z95): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export function rateOf(k: number, n: number): Rate {
  const ci = wilson(k, n);
  return { n, k, rate: n > 0 ? k / n : null, low: ci?.low ?? null, high: ci?.high ?? null, few: n < MIN_N };
}

/** Upper bounds (ms) of the sync latency histogram buckets; the last bucket is "above". Same list as the migration's trigger. */
export const LATENCY_BOUNDS = [250, 500, 1000, 2000, 3000, 5000, 10000, 30000, 60000, 300000, 3600000];

/**
 * The q-quantile (0..1) of a fixed-bucket histogram, as the upper bound of the bucket that holds
 * it (exact to a bucket; null for an empty histogram; Infinity for the open last bucket).
 */
export function quantileOf(hist: number[], q: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= rank) return i < LATENCY_BOUNDS.length ? LATENCY_BOUNDS[i] : Infinity;
  }
  return Infinity;
}

export const addHist = (a: number[], b: number[]) => a.map((x, i) => x + (b[i] ?? 0));

export interface Nps {
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** %promoters − %detractors, −100..100 (rounded to an integer); null when n = 0. */
  score: number | null;
}

/** Net Promoter Score: 9–10 promoters, 7–8 passives, 0–6 detractors. */
export function npsOf(scores: Iterable<number> | { score: number; count: number }[]): Nps {
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  const add = (s: number, c: number) => {
    if (s >= 9) promoters += c;
    else if (s >= 7) passives += c;
    else detractors += c;
  };
  for (const x of scores as Iterable<number | { score: number; count: number }>) typeof x === "number" ? add(x, 1) : add(x.score, x.count);
  const n = promoters + passives + detractors;
  return { n, promoters, passives, detractors, score: n ? Math.round(((promoters - detractors) / n) * 100) : null };
}
