// Speed of the suggestions (part of `npm run eval`, and of `npm run bench` through
// bench/suggestions.bench.mjs): measured in Node's V8, the engine workerd runs.
// - Ranking: 10 doctors × 14 days, half booked, a patient with history — target < 50 ms a request.
// - Nightly training: a year of 100,000 appointments (feature rows + Newton fit).
// A baseline in the same run (freeSlots alone over the same input) shows what the scoring adds.
import { expect, test } from "vitest";
import { rankSlots, type DoctorInfo } from "../../worker/suggestions/rank";
import { DEFAULT_SETTINGS } from "../../worker/suggestions/settings";
import { freeSlots, fittingStarts } from "../../worker/scheduling/slots";
import { parseWorkingHours, workingIntervals } from "../../worker/scheduling/working-hours";
import { BASE_FEATURES, featuresOf } from "../../worker/suggestions/features";
import { predict } from "../../worker/suggestions/logistic";
import { featureRows, fitRows, spaceFor, trainModel } from "../../worker/suggestions/training-set";
import { generateHistory } from "./clinic-history";
import { addDays, utcToLocal } from "../../worker/scheduling/zone";

const ZONE = "Europe/London";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Wall time on a shared machine includes other processes' turns on the CPU; the fastest of N
// warm runs is the closest to the CPU time a Worker is billed and limited by, the median shows
// the spread. Both are printed; the target is checked on the fastest.
function time(fn: () => void, runs: number): { min: number; median: number; max: number } {
  for (let i = 0; i < 3; i++) fn(); // warm-up: JIT and the Intl formatter cache
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return { min: Math.min(...t), median: median(t), max: Math.max(...t) };
}

test("ranked slots: 14 days × 10 doctors in < 50 ms", () => {
  const now = Date.parse("2026-03-23T07:00:00Z"); // a Monday, DST change within the horizon (29 Mar)
  const hours = JSON.stringify(Object.fromEntries(["1", "2", "3", "4", "5"].map((d) => [d, [["08:00", "12:30"], ["13:30", "18:00"]]])));
  const doctors: DoctorInfo[] = Array.from({ length: 10 }, (_, i) => ({ id: `d${i}`, name: `Dr ${i}`, slot_minutes: 15, working_hours: hours, appointment_types: "[]" }));
  const busy = new Map<string, { start: number; end: number }[]>();
  let seed = 1;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (const d of doctors) {
    const list: { start: number; end: number }[] = [];
    // Every other 30-minute piece of the working day booked at random: about half the day.
    for (let day = 0; day < 15; day++) for (let k = 0; k < 20; k++) if (rand() < 0.5) {
      const s = now + day * 86_400_000 + 3_600_000 + k * 30 * 60_000;
      list.push({ start: s, end: s + 30 * 60_000 });
    }
    busy.set(d.id, list);
  }
  const model = trainModel(generateHistory({ seed: 2, days: 200 }).filter((v) => !v.cancelled), ZONE, now);
  const space = { types: model.types, prior: model.baseRate, zone: ZONE };
  const x = new Float64Array(BASE_FEATURES.length + space.types.length);
  const history = { completed: 6, noShows: 1, lastVisitMs: now - 40 * 86_400_000 };
  const riskAt = (startMs: number) => predict(model.logistic, featuresOf({ startMs, bookedMs: now, type: "consultation", video: false, reminded: true, confirmed: false }, history, space, x));
  const habits = [{ weekday: 2, hour: 9 }, { weekday: 2, hour: 10 }, { weekday: 4, hour: 15 }];
  const input = { now, zone: ZONE, query: { type: "consultation" }, doctors, busy, habits, settings: DEFAULT_SETTINGS, riskAt, baseRate: model.baseRate };
  let candidates = 0;
  const baseline = time(() => {
    candidates = 0;
    const today = utcToLocal(ZONE, now).date;
    for (const d of doctors) candidates += fittingStarts(freeSlots(workingIntervals(ZONE, parseWorkingHours(d.working_hours), today, addDays(today, 13)), busy.get(d.id)!, 15, now), 30 * 60_000).length;
  }, 30);
  const ranked = time(() => rankSlots(input), 30);
  expect(rankSlots(input)).toHaveLength(5);
  console.log(`\nRanked slots, 10 doctors × 14 days (${candidates} candidate starts): fastest ${ranked.min.toFixed(1)} ms, median ${ranked.median.toFixed(1)} ms, max ${ranked.max.toFixed(1)} ms; ` +
    `baseline free-slot maths alone: fastest ${baseline.min.toFixed(1)} ms, median ${baseline.median.toFixed(1)} ms (ratio of fastest ${(ranked.min / baseline.min).toFixed(1)}×)`);
  expect(ranked.min).toBeLessThan(50);
});

test("nightly training: a year of 100,000 appointments", () => {
  const history = generateHistory({ seed: 9, doctors: 10, perDoctorDay: 39, patients: 20_000 }).filter((v) => !v.cancelled);
  const t0 = performance.now();
  const space = spaceFor(history, ZONE);
  const { X, y, d } = featureRows(history, space);
  const t1 = performance.now();
  const model = fitRows(X, y, d, space, 0);
  const t2 = performance.now();
  console.log(`\nTraining on ${history.length} labelled appointments: features ${(t1 - t0).toFixed(0)} ms, fit ${(t2 - t1).toFixed(0)} ms, ` +
    `total ${(t2 - t0).toFixed(0)} ms; design matrix ${((X.byteLength / 1024 / 1024) | 0)} MiB`);
  expect(model.kind).toBe("trained");
  expect(history.length).toBeGreaterThan(99_000);
});
