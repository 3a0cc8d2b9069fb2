// The free-slot scorer and ranking: pure, table-tested.
import { describe, expect, it } from "vitest";
import { habitMatch, compactness, scoreSlot, type SlotFacts } from "../../../worker/suggestions/score";
import { rankSlots, type DoctorInfo, type RankInput } from "../../../worker/suggestions/rank";
import { DEFAULT_SETTINGS } from "../../../worker/suggestions/settings";
import { fittingStarts } from "../../../worker/scheduling/slots";

const H = 3_600_000;
const M = 60_000;
const at = (h: number, m = 0) => Date.UTC(2026, 5, 2, h, m); // Tue 2 Jun 2026 (UTC clinic)

describe("compactness", () => {
  const working = [{ start: at(9), end: at(17) }];
  const busy = [{ start: at(10), end: at(10, 30) }, { start: at(12), end: at(13) }];
  const shortest = 15 * M;
  it.each([
    ["right after an appointment", at(10, 30), at(11), { adjacent: true, atEdge: false, shortGap: false }],
    ["right before one", at(11, 30), at(12), { adjacent: true, atEdge: false, shortGap: false }],
    ["at the start of the day", at(9), at(9, 30), { adjacent: false, atEdge: true, shortGap: false }],
    ["leaving 10 minutes before the next (shorter than any visit)", at(9, 20), at(9, 50), { adjacent: false, atEdge: false, shortGap: true }],
    ["leaving 10 minutes after the last", at(13, 10), at(13, 40), { adjacent: false, atEdge: false, shortGap: true }],
    ["in the middle of free time", at(14), at(14, 30), { adjacent: false, atEdge: false, shortGap: false }],
    ["outside working time", at(18), at(18, 30), { adjacent: false, atEdge: false, shortGap: false }],
  ])("%s", (_, start, end, expected) => expect(compactness({ start, end }, working, busy, shortest)).toEqual(expected));
});

describe("habitMatch", () => {
  const tueMornings = [{ weekday: 2, hour: 9 }, { weekday: 2, hour: 10 }, { weekday: 2, hour: 9 }, { weekday: 4, hour: 15 }];
  it.each([
    ["Tuesday 09:00 for a Tuesday-morning patient", tueMornings, 2, 9, { share: 3 / 4, alike: 3 }],
    ["Friday 15:00: only the time matches once", tueMornings, 5, 15, { share: 0.4 / 4, alike: 0 }],
    ["a first-visit patient has no habits", [], 2, 9, { share: 0, alike: 0 }],
    ["one visit is not a habit", [{ weekday: 2, hour: 9 }], 2, 9, { share: 0, alike: 0 }],
  ])("%s", (_, habits, weekday, hour, expected) => {
    const r = habitMatch(habits, weekday, hour);
    expect(r.share).toBeCloseTo(expected.share, 9);
    expect(r.alike).toBe(expected.alike);
  });
});

describe("scoreSlot", () => {
  const base: SlotFacts = {
    weekday: 2, hour: 9, dayPart: "Tuesday morning", habits: [], adjacent: false, atEdge: false, shortGap: false,
    doctorLoad: null, doctorName: "Dr Patel", risk: 0.1, baseRate: 0.1, daysAhead: 7, horizonDays: 14, urgent: false,
  };
  const w = DEFAULT_SETTINGS.weights;
  it.each([
    ["adjacent beats an unusable gap", { adjacent: true }, { shortGap: true }],
    ["a patient's usual time beats another", { habits: [{ weekday: 2, hour: 9 }, { weekday: 2, hour: 9 }] }, { habits: [{ weekday: 4, hour: 15 }, { weekday: 4, hour: 15 }] }],
    ["lower no-show risk beats higher", { risk: 0.05 }, { risk: 0.3 }],
    ["a lighter doctor beats a fuller one (any doctor)", { doctorLoad: 0.2 }, { doctorLoad: 0.9 }],
    ["sooner beats later", { daysAhead: 1 }, { daysAhead: 12 }],
  ] as [string, Partial<SlotFacts>, Partial<SlotFacts>][])("%s", (_, better, worse) => {
    expect(scoreSlot({ ...base, ...better }, w).score).toBeGreaterThan(scoreSlot({ ...base, ...worse }, w).score);
  });

  it("weighs sooner three times as much for urgent types", () => {
    const gain = (urgent: boolean) => scoreSlot({ ...base, urgent, daysAhead: 0 }, w).score - scoreSlot({ ...base, urgent, daysAhead: 14 }, w).score;
    expect(gain(true)).toBeCloseTo(3 * gain(false), 9);
  });

  it("explains itself: the parts that helped most, plus warnings", () => {
    const r = scoreSlot({ ...base, habits: [{ weekday: 2, hour: 9 }, { weekday: 2, hour: 10 }], adjacent: true, risk: 0.04 }, w);
    expect(r.reasons).toEqual(["Tuesday morning, like 2 of 2 earlier visits", "right next to another appointment", "low no-show risk at this time (4 %)"]);
    expect(scoreSlot({ ...base, shortGap: true, risk: 0.35 }, w).reasons).toEqual(["leaves a gap too short for another visit", "higher no-show risk at this time (35 %)"]);
  });

  it("says so when nothing stands out", () => expect(scoreSlot(base, w).reasons).toEqual(["free; nothing for or against it"]));

  it("a weight of 0 switches a criterion off", () => {
    expect(scoreSlot({ ...base, risk: 0.01 }, { ...w, risk: 0 }).score).toBe(scoreSlot({ ...base, risk: 0.3 }, { ...w, risk: 0 }).score);
  });
});

describe("rankSlots", () => {
  const hours = (from: string, to: string) => JSON.stringify(Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [[from, to]]])));
  const doctor = (id: string, name: string, from = "09:00", to = "12:00"): DoctorInfo => ({ id, name, slot_minutes: 30, working_hours: hours(from, to), appointment_types: "[]" });
  const input = (over: Partial<RankInput> = {}): RankInput => ({
    now: Date.parse("2026-06-01T06:00:00Z"), // Mon 1 Jun, 07:00 London
    zone: "Europe/London",
    query: { type: "consultation", limit: 5 },
    doctors: [doctor("a", "Dr A")],
    busy: new Map(),
    habits: [],
    settings: { ...DEFAULT_SETTINGS, horizonDays: 3 },
    riskAt: () => 0.1,
    baseRate: 0.1,
    ...over,
  });

  it("offers only free starts where the whole visit fits, at most two per doctor and day", () => {
    const busy = new Map([["a", [{ start: Date.parse("2026-06-01T09:00:00Z"), end: Date.parse("2026-06-01T10:00:00Z") }]]]);
    const r = rankSlots(input({ busy }));
    expect(r).toHaveLength(5);
    for (const s of r) expect(Date.parse(s.start) >= Date.parse("2026-06-01T10:00:00Z") || Date.parse(s.end) <= Date.parse("2026-06-01T09:00:00Z")).toBe(true);
    const perDay = new Map<string, number>();
    for (const s of r) perDay.set(s.start.slice(0, 10), (perDay.get(s.start.slice(0, 10)) ?? 0) + 1);
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(2);
    // Next to the busy hour (10:00–11:00 BST) is best: 09:30 BST before it ties with 11:00 after it; sooner first.
    expect(r.slice(0, 2).map((s) => s.start)).toEqual(["2026-06-01T08:30:00.000Z", "2026-06-01T10:00:00.000Z"]);
    expect(r[0].reasons).toContain("right next to another appointment");
  });

  it("spreads load: with any doctor, the free doctor's day wins", () => {
    const full = [...Array(5)].map((_, i) => ({ start: Date.parse("2026-06-01T08:00:00Z") + i * 30 * 60_000, end: Date.parse("2026-06-01T08:30:00Z") + i * 30 * 60_000 }));
    const r = rankSlots(input({ doctors: [doctor("a", "Dr A"), doctor("b", "Dr B")], busy: new Map([["a", full]]), settings: { ...DEFAULT_SETTINGS, horizonDays: 1, weights: { ...DEFAULT_SETTINGS.weights, compact: 0 } }, query: { type: "consultation", limit: 1 } }));
    expect(r[0].doctorId).toBe("b");
    expect(r[0].reasons[0]).toMatch(/^Dr B has a lighter day/);
  });

  it("follows the request's window and weekdays, and 'earliest' is by time only", () => {
    const r = rankSlots(input({ query: { type: "consultation", fromMinute: 10 * 60 + 30, toMinute: 11 * 60 + 30, weekdays: [2], earliest: true } }));
    expect(r.map((s) => s.start)).toEqual(["2026-06-02T09:30:00.000Z", "2026-06-02T10:00:00.000Z"]);
  });

  it("on the spring-forward day keeps wall-clock working hours (09:00 BST = 08:00 UTC)", () => {
    const r = rankSlots(input({ now: Date.parse("2026-03-29T00:00:00Z"), settings: { ...DEFAULT_SETTINGS, horizonDays: 1 }, query: { type: "consultation", earliest: true, limit: 1 } }));
    expect(r[0].start).toBe("2026-03-29T08:00:00.000Z");
  });

  it("uses the risk of this patient at that time", () => {
    const riskAt = (ms: number) => (new Date(ms).getUTCHours() < 10 ? 0.4 : 0.02);
    const r = rankSlots(input({ riskAt, settings: { ...DEFAULT_SETTINGS, horizonDays: 1, weights: { habit: 0, compact: 0, spread: 0, soon: 0, risk: 1 } } }));
    expect(Date.parse(r[0].start)).toBeGreaterThanOrEqual(Date.parse("2026-06-01T10:00:00Z"));
    expect(r[0].riskLevel).toBe("low");
  });
});

describe("fittingStarts", () => {
  it("joins consecutive grid slots for a longer visit, as the booking dialog does", () => {
    const grid = [{ start: 0, end: 30 }, { start: 30, end: 60 }, { start: 90, end: 120 }].map((s) => ({ start: s.start * M, end: s.end * M }));
    expect(fittingStarts(grid, 45 * M)).toEqual([{ start: 0, end: 45 * M }]);
    expect(fittingStarts(grid, 30 * M).map((s) => s.start / M)).toEqual([0, 30, 90]);
  });
});
