// No-show features, model and training: table tests, determinism, and the properties staff rely
// on (a risk is a probability; an earlier no-show never makes a patient look more reliable).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateHistory } from "../../../bench/eval/clinic-history";
import { BASE_FEATURES, EMPTY_HISTORY, featuresOf, smoothedRate, type VisitFacts } from "../../../worker/suggestions/features";
import { DEFAULT_MODEL, riskLevel, riskOf, spanWords } from "../../../worker/suggestions/model";
import { featureRows, spaceFor, trainModel, type LabelledVisit } from "../../../worker/suggestions/training-set";

const f = (name: (typeof BASE_FEATURES)[number]) => BASE_FEATURES.indexOf(name);
const DAY = 86_400_000;
const visit = (over: Partial<VisitFacts> = {}): VisitFacts => ({
  startMs: Date.parse("2026-03-10T09:30:00Z"),
  bookedMs: Date.parse("2026-03-03T09:30:00Z"),
  type: "consultation",
  video: false,
  reminded: true,
  confirmed: true,
  ...over,
});
const space = { types: ["check-up"], prior: 0.2, zone: "Europe/London" };

describe("featuresOf", () => {
  it.each([
    // [what, facts, history, expected features]
    ["a Tuesday 09:30, a week ahead", visit(), EMPTY_HISTORY, { leadDays: Math.log1p(7), tue: 1, early: 1, afternoon: 0, late: 0, firstVisit: 1, noShowRate: 0.2 }],
    // DST: on 29 Mar 2026 London springs forward; 15:30 UTC is 16:30 BST — a late-day slot, on a Sunday.
    ["the spring-forward Sunday, 16:30 local", visit({ startMs: Date.parse("2026-03-29T15:30:00Z") }), EMPTY_HISTORY, { sun: 1, late: 1, early: 0 }],
    // Autumn back: 25 Oct 2026 01:30 happens twice; 00:30 UTC is the first (BST) one — early.
    ["the fall-back Sunday, 01:30 local", visit({ startMs: Date.parse("2026-10-25T00:30:00Z") }), EMPTY_HISTORY, { sun: 1, early: 1 }],
    ["booked after the start (walk-in typed late)", visit({ bookedMs: Date.parse("2026-03-10T10:00:00Z") }), EMPTY_HISTORY, { leadDays: 0 }],
    ["first visit: the clinic's own rate, no history", visit(), EMPTY_HISTORY, { firstVisit: 1, fewVisits: -0, sinceLast: 0, noShowRate: 0.2 }],
    // Only cancellations so far: cancellations are neither visits nor no-shows, so this is a first visit.
    ["only cancellations before", visit(), { completed: 0, noShows: 0, lastVisitMs: null }, { firstVisit: 1, noShowRate: 0.2 }],
    ["2 no-shows in 3 visits", visit(), { completed: 1, noShows: 2, lastVisitMs: Date.parse("2026-01-09T09:30:00Z") }, { firstVisit: 0, noShowRate: (2 + 0.4) / 5, sinceLast: Math.log1p(60), fewVisits: -Math.log1p(1) }],
    ["unconfirmed, not reminded, video check-up", visit({ confirmed: false, reminded: false, video: true, type: "check-up" }), EMPTY_HISTORY, { notConfirmed: 1, notReminded: 1, video: 1 }],
  ])("%s", (_, facts, history, expected) => {
    const x = featuresOf(facts, history, space);
    for (const [name, value] of Object.entries(expected)) expect(x[f(name as never)], name).toBeCloseTo(value as number, 9);
    expect(x[BASE_FEATURES.length]).toBe(facts.type === "check-up" ? 1 : 0);
  });

  it("smooths a new patient to the clinic's rate and a long record towards its own", () => {
    expect(smoothedRate(EMPTY_HISTORY, 0.1)).toBeCloseTo(0.1);
    expect(smoothedRate({ completed: 0, noShows: 18, lastVisitMs: null }, 0.1)).toBeCloseTo(18.2 / 20);
  });
});

describe("training", () => {
  const history = generateHistory({ seed: 3, days: 120, doctors: 2 }).filter((v) => !v.cancelled);

  it("is deterministic: the same history gives the same model, bit for bit", () => {
    const a = trainModel(history, "Europe/London", 1);
    const b = trainModel(generateHistory({ seed: 3, days: 120, doctors: 2 }).filter((v) => !v.cancelled), "Europe/London", 1);
    expect(a.kind).toBe("trained");
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(trainModel(generateHistory({ seed: 4, days: 120, doctors: 2 }).filter((v) => !v.cancelled), "Europe/London", 1))).not.toBe(JSON.stringify(a));
  });

  it("uses the documented default model under 300 labelled appointments, or with one outcome only", () => {
    expect(trainModel(history.slice(0, 299), "Europe/London", 1)).toMatchObject({ kind: "default", trainingSize: 299 });
    expect(trainModel(history.slice(0, 300), "Europe/London", 1).kind).toBe("trained");
    const allCame = history.slice(0, 400).map((v) => ({ ...v, noShow: false }));
    expect(trainModel(allCame, "Europe/London", 1).kind).toBe("default");
  });

  it("counts each patient's history from earlier appointments only", () => {
    const rows: LabelledVisit[] = [0, 1, 2].map((i) => ({ ...visit({ startMs: Date.parse("2026-03-10T09:30:00Z") + i * DAY }), patientId: "p", noShow: i === 0 }));
    const s = spaceFor(rows, "Europe/London");
    const { X, d } = featureRows(rows, s);
    expect(X[f("firstVisit")]).toBe(1); // first row: nothing known
    expect(X[d + f("noShowRate")]).toBeCloseTo((1 + 2 * s.prior) / 3); // second: the first no-show
    expect(X[2 * d + f("firstVisit")]).toBe(0); // third: one completed visit
  });
});

describe("risk", () => {
  const trained = trainModel(generateHistory({ seed: 5, days: 200, doctors: 2 }).filter((v) => !v.cancelled), "Europe/London", 1);
  const arbFacts = fc.record({
    lead: fc.double({ min: 0, max: 120, noNaN: true }),
    startMs: fc.integer({ min: Date.parse("2026-01-01T00:00:00Z"), max: Date.parse("2027-12-31T00:00:00Z") }),
    type: fc.constantFrom("consultation", "check-up", "follow-up", "vaccination", "other"),
    video: fc.boolean(),
    reminded: fc.boolean(),
    confirmed: fc.boolean(),
    completed: fc.integer({ min: 0, max: 40 }),
    noShows: fc.integer({ min: 0, max: 40 }),
    since: fc.option(fc.integer({ min: 1, max: 2000 }), { nil: null }),
  });

  for (const [name, model] of [["trained", trained], ["default", DEFAULT_MODEL]] as const) {
    it(`${name} model: risk is in [0, 1] and never falls with one more earlier no-show, all else fixed`, () => {
      fc.assert(
        fc.property(arbFacts, (a) => {
          const facts = { startMs: a.startMs, bookedMs: a.startMs - a.lead * DAY, type: a.type, video: a.video, reminded: a.reminded, confirmed: a.confirmed };
          const h = { completed: a.completed, noShows: a.noShows, lastVisitMs: a.since == null ? null : a.startMs - a.since * DAY };
          const p = riskOf(model, "Europe/London", facts, h).probability;
          const p2 = riskOf(model, "Europe/London", facts, { ...h, noShows: h.noShows + 1 }).probability;
          return p >= 0 && p <= 1 && p2 >= p;
        }),
        { numRuns: 300 },
      );
    });
  }

  it("gives the top reasons in words, for the patient staff would worry about", () => {
    const r = riskOf(DEFAULT_MODEL, "Europe/London", visit({ bookedMs: Date.parse("2026-02-17T09:30:00Z"), confirmed: false }), { completed: 1, noShows: 2, lastVisitMs: Date.parse("2025-12-01T09:00:00Z") });
    expect(r.level).toBe("high");
    expect(r.reasons).toEqual(["2 earlier no-shows", "booked 3 weeks ahead", "not confirmed yet"]);
  });

  it.each([
    [0.05, 0.1, "low"],
    [0.1, 0.1, "medium"],
    [0.19, 0.1, "medium"],
    [0.2, 0.1, "high"],
    [0.06, 0.02, "medium"], // a very reliable clinic: 3× its rate but only 4 points above it
    [0.07, 0.02, "high"],
  ])("level of %s at base rate %s is %s", (p, base, level) => expect(riskLevel(p, base)).toBe(level));

  it.each([
    [1, "1 day"],
    [21, "3 weeks"],
    [200, "7 months"],
    [800, "2 years"],
  ])("%s days read as %s", (days, words) => expect(spanWords(days * DAY)).toBe(words));
});
