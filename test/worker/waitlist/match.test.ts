// Waitlist matching as a pure function: preferences × slot × DST day × duration, and the order
// patients are asked in.
import { describe, expect, it } from "vitest";
import { byWaitlistOrder, entryFits, type MatchEntry, parsePreferences, PRESETS, rankFitting } from "../../../worker/waitlist/match";
import { localToUtc } from "../../../worker/scheduling/zone";

const LON = "Europe/London";
const NY = "America/New_York";
const entry = (o: Partial<MatchEntry> = {}): MatchEntry => ({
  id: "e1",
  doctorId: null,
  minutes: 30,
  earliestDate: "2027-01-01",
  latestDate: "2027-12-31",
  preferences: [],
  priority: 0,
  createdAt: 0,
  ...o,
});
const slot = (zone: string, date: string, from: string, minutes = 30, doctorId = "d1") => {
  const startMs = localToUtc(zone, date, from);
  return { doctorId, startMs, endMs: startMs + minutes * 60_000, zone };
};

describe("entryFits", () => {
  const tueThuAfter15 = [{ days: [2, 4], from: "15:00", to: "24:00" }];
  // 2027-03-09 is a Tuesday, 2027-03-10 a Wednesday, 2027-03-11 a Thursday.
  // London springs forward on Sunday 2027-03-28 (01:00 → 02:00) and falls back on 2027-10-31 (02:00 → 01:00);
  // New York on 2027-03-14 and 2027-11-07.
  it.each([
    // [what, entry, slot, fits]
    ["any time, any doctor", entry(), slot(LON, "2027-03-10", "10:00"), true],
    ["another doctor only", entry({ doctorId: "d2" }), slot(LON, "2027-03-10", "10:00"), false],
    ["that doctor", entry({ doctorId: "d1" }), slot(LON, "2027-03-10", "10:00"), true],
    ["60-minute type in a 30-minute slot", entry({ minutes: 60 }), slot(LON, "2027-03-10", "10:00"), false],
    ["15-minute type in a 30-minute slot", entry({ minutes: 15 }), slot(LON, "2027-03-10", "10:00"), true],
    ["60-minute type in a 60-minute slot", entry({ minutes: 60 }), slot(LON, "2027-03-10", "10:00", 60), true],
    ["before the earliest date", entry({ earliestDate: "2027-03-11" }), slot(LON, "2027-03-10", "10:00"), false],
    ["on the earliest date", entry({ earliestDate: "2027-03-10" }), slot(LON, "2027-03-10", "10:00"), true],
    ["on the latest date", entry({ latestDate: "2027-03-10" }), slot(LON, "2027-03-10", "16:00"), true],
    ["after the latest date", entry({ latestDate: "2027-03-09" }), slot(LON, "2027-03-10", "10:00"), false],
    // The clinic-local date decides, not the UTC one: 20:00 in New York is already the next day in UTC.
    ["local date in New York evening", entry({ latestDate: "2027-03-10" }), slot(NY, "2027-03-10", "20:00"), true],
    ["mornings at 09:00", entry({ preferences: [PRESETS.mornings] }), slot(LON, "2027-03-10", "09:00"), true],
    ["mornings: 11:30–12:00 ends at noon", entry({ preferences: [PRESETS.mornings] }), slot(LON, "2027-03-10", "11:30"), true],
    ["mornings: 11:45 runs past noon", entry({ preferences: [PRESETS.mornings] }), slot(LON, "2027-03-10", "11:45"), false],
    ["mornings at 14:00", entry({ preferences: [PRESETS.mornings] }), slot(LON, "2027-03-10", "14:00"), false],
    ["Tue/Thu after 15:00 on Tuesday 15:30", entry({ preferences: tueThuAfter15 }), slot(LON, "2027-03-09", "15:30"), true],
    ["Tue/Thu after 15:00 on Thursday 14:30", entry({ preferences: tueThuAfter15 }), slot(LON, "2027-03-11", "14:30"), false],
    ["Tue/Thu after 15:00 on Wednesday 16:00", entry({ preferences: tueThuAfter15 }), slot(LON, "2027-03-10", "16:00"), false],
    ["either of two preferences", entry({ preferences: [...tueThuAfter15, PRESETS.mornings] }), slot(LON, "2027-03-10", "09:00"), true],
    ["evenings: 23:30–24:00 ends at midnight", entry({ preferences: [PRESETS.evenings] }), slot(LON, "2027-03-10", "23:30"), true],
    ["evenings: 23:45 for 30 minutes crosses midnight", entry({ preferences: [PRESETS.evenings] }), slot(LON, "2027-03-10", "23:45", 60), false],
    // DST: wall-clock preferences hold on the transition days.
    ["London spring-forward Monday 09:00 mornings", entry({ preferences: [PRESETS.mornings] }), slot(LON, "2027-03-29", "09:00"), true],
    ["London spring-forward Sunday 03:00, mornings", entry({ preferences: [{ days: [7], from: "03:00", to: "12:00" }] }), slot(LON, "2027-03-28", "03:00"), true],
    ["London fall-back Sunday 01:30 (first), before 02:00", entry({ preferences: [{ days: [7], from: "00:00", to: "02:00" }] }), slot(LON, "2027-10-31", "01:00"), true],
    ["New York fall-back Sunday 12:00 afternoons", entry({ preferences: [PRESETS.afternoons] }), slot(NY, "2027-11-07", "12:00"), true],
    ["New York spring-forward Sunday 11:30 mornings", entry({ preferences: [PRESETS.mornings] }), slot(NY, "2027-03-14", "11:30"), true],
    // A 60-minute visit across the London fall-back hour: 01:30 BST + 60 min = 01:30 GMT on the wall.
    ["fall-back: 01:30 (BST) for 60 min ends 01:30 (GMT) on the wall", entry({ minutes: 60, preferences: [{ days: [], from: "01:00", to: "02:00" }] }), slot(LON, "2027-10-31", "01:30", 60), true],
    ["zero minutes never fits", entry({ minutes: 0 }), slot(LON, "2027-03-10", "10:00"), false],
  ])("%s", (_what, e, s, fits) => expect(entryFits(e, s, s.zone)).toBe(fits));
});

describe("order", () => {
  it("asks by staff priority, then who waited longest, then id", () => {
    const list = [
      entry({ id: "c", priority: 0, createdAt: 5 }),
      entry({ id: "a", priority: 1, createdAt: 9 }),
      entry({ id: "b", priority: 0, createdAt: 1 }),
      entry({ id: "d", priority: 0, createdAt: 1 }),
      entry({ id: "x", priority: 5, createdAt: 0, doctorId: "other" }),
    ];
    expect([...list].sort(byWaitlistOrder).map((e) => e.id)).toEqual(["x", "a", "b", "d", "c"]);
    expect(rankFitting(list, slot(LON, "2027-03-10", "10:00"), LON).map((e) => e.id)).toEqual(["a", "b", "d", "c"]);
  });

  it("reads stored preferences, refusing broken ones as 'any time' rather than crashing", () => {
    expect(parsePreferences('[{"days":[2,4],"from":"15:00"}]')).toEqual([{ days: [2, 4], from: "15:00", to: "24:00" }]);
    expect(parsePreferences("not json")).toEqual([]);
    expect(parsePreferences('[{"from":"15:00","to":"09:00"}]')).toEqual([]);
  });
});
