// mulberry32: a small deterministic PRNG. The demo seed (scripts/seed.mjs) and the generated
// clinic history of `npm run eval` (bench/eval/clinic-history.ts) both need the same numbers on
// every machine for a given seed; Math.random cannot be seeded. Plain TypeScript with erasable
// types only, so Node 24 loads it from seed.mjs without a build step.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
