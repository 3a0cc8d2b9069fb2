import { describe, expect, it } from "vitest";
import {
  checkBookingRules,
  freeSlots,
  merge,
  parseWorkingHours,
  subtract,
  workingHoursSchema,
  workingIntervals,
  type Interval,
} from "../../../worker/scheduling";

const Z = (s: string) => Date.parse(s);
const iso = (list: Interval[]) => list.map((i) => [new Date(i.start).toISOString(), new Date(i.end).toISOString()]);
const iv = (s: number, e: number): Interval => ({ start: s, end: e });

describe("interval subtraction", () => {
  const cases: Array<[string, Interval[], Interval[], Interval[]]> = [
    ["nothing to cut", [iv(0, 10)], [], [iv(0, 10)]],
    ["cut in the middle", [iv(0, 10)], [iv(3, 5)], [iv(0, 3), iv(5, 10)]],
    ["cut the start", [iv(0, 10)], [iv(-5, 2)], [iv(2, 10)]],
    ["cut the end", [iv(0, 10)], [iv(8, 20)], [iv(0, 8)]],
    ["cut everything", [iv(0, 10)], [iv(0, 10)], []],
    ["touching cut leaves all", [iv(0, 10)], [iv(10, 12), iv(-2, 0)], [iv(0, 10)]],
    ["overlapping cuts", [iv(0, 10), iv(20, 30)], [iv(2, 4), iv(3, 6), iv(9, 22), iv(25, 26)], [iv(0, 2), iv(6, 9), iv(22, 25), iv(26, 30)]],
    ["unsorted input", [iv(20, 30), iv(0, 10)], [iv(25, 26), iv(5, 6)], [iv(0, 5), iv(6, 10), iv(20, 25), iv(26, 30)]],
  ];
  it.each(cases)("%s", (_n, base, cuts, expected) => expect(subtract(base, cuts)).toEqual(expected));

  it("merges touching and overlapping intervals", () => {
    expect(merge([iv(5, 7), iv(0, 5), iv(6, 9), iv(20, 20)])).toEqual([iv(0, 9)]);
  });
});

describe("working hours → UTC intervals", () => {
  const hours = parseWorkingHours(JSON.stringify({ "1": [["09:00", "12:30"], ["13:30", "17:00"]], "5": [["09:00", "17:00"]], "7": [["01:00", "04:00"]] }));

  it("uses the zone's offset on each date (Berlin winter, summer, and both DST days)", () => {
    expect(iso(workingIntervals("Europe/Berlin", hours, "2026-03-27", "2026-03-30"))).toEqual([
      ["2026-03-27T08:00:00.000Z", "2026-03-27T16:00:00.000Z"], // Friday CET
      ["2026-03-29T00:00:00.000Z", "2026-03-29T02:00:00.000Z"], // Sunday 01:00 CET–04:00 CEST: 2 real hours
      ["2026-03-30T07:00:00.000Z", "2026-03-30T10:30:00.000Z"], // Monday CEST
      ["2026-03-30T11:30:00.000Z", "2026-03-30T15:00:00.000Z"],
    ]);
    // Sunday 2026-10-25 01:00 CEST – 04:00 CET: 4 real hours.
    expect(iso(workingIntervals("Europe/Berlin", hours, "2026-10-25", "2026-10-25"))).toEqual([
      ["2026-10-24T23:00:00.000Z", "2026-10-25T03:00:00.000Z"],
    ]);
  });

  it("works for a zone without DST and with a half-hour offset", () => {
    expect(iso(workingIntervals("Asia/Kolkata", hours, "2026-03-30", "2026-03-30"))).toEqual([
      ["2026-03-30T03:30:00.000Z", "2026-03-30T07:00:00.000Z"],
      ["2026-03-30T08:00:00.000Z", "2026-03-30T11:30:00.000Z"],
    ]);
  });

  it("accepts 24:00 as the end of the day and refuses bad shapes", () => {
    const h = parseWorkingHours('{"2":[["20:00","24:00"]]}');
    expect(iso(workingIntervals("America/New_York", h, "2026-01-06", "2026-01-06"))).toEqual([
      ["2026-01-07T01:00:00.000Z", "2026-01-07T05:00:00.000Z"],
    ]);
    expect(workingHoursSchema.safeParse({ "8": [["09:00", "10:00"]] }).success).toBe(false);
    expect(workingHoursSchema.safeParse({ "1": [["10:00", "09:00"]] }).success).toBe(false);
    expect(workingHoursSchema.safeParse({ "1": [["09:00", "12:00"], ["11:00", "13:00"]] }).success).toBe(false);
    expect(workingHoursSchema.safeParse({ "1": [["9:00", "12:00"]] }).success).toBe(false);
    expect(parseWorkingHours("not json")).toEqual({});
  });
});

describe("free slots", () => {
  const working = workingIntervals("Europe/Berlin", { "1": [["09:00", "12:00"]] }, "2026-01-05", "2026-01-05");

  it("cuts working time into slots on the working-period grid and skips busy ones", () => {
    const busy = [iv(Z("2026-01-05T09:10:00Z"), Z("2026-01-05T09:20:00Z"))]; // 10:10–10:20 local
    expect(iso(freeSlots(working, busy, 30)).map((s) => s[0].slice(11, 16))).toEqual(["08:00", "08:30", "09:30", "10:00", "10:30"]);
  });

  it("drops slots before notBefore and slots that do not fit", () => {
    expect(freeSlots(working, [], 45, Z("2026-01-05T09:00:00Z")).map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual([
      "09:30",
      "10:15",
    ]);
  });
});

describe("booking rules", () => {
  const base = {
    zone: "Europe/Berlin",
    workingHours: { "1": [["09:00", "17:00"]] } as const,
    allowOutsideHours: false,
  };
  const cases: Array<[string, string, string, boolean, string | null]> = [
    ["inside hours", "2026-01-05T08:00:00Z", "2026-01-05T08:30:00Z", false, null],
    ["end before start", "2026-01-05T09:00:00Z", "2026-01-05T08:30:00Z", false, "invalid_range"],
    ["zero length", "2026-01-05T09:00:00Z", "2026-01-05T09:00:00Z", false, "invalid_range"],
    ["4 minutes", "2026-01-05T09:00:00Z", "2026-01-05T09:04:00Z", false, "invalid_duration"],
    ["5 minutes", "2026-01-05T09:00:00Z", "2026-01-05T09:05:00Z", false, null],
    ["over 12 hours", "2026-01-05T08:00:00Z", "2026-01-05T20:01:00Z", true, "invalid_duration"],
    ["12 hours with override", "2026-01-05T06:00:00Z", "2026-01-05T18:00:00Z", true, null],
    ["before opening", "2026-01-05T07:30:00Z", "2026-01-05T08:30:00Z", false, "outside_working_hours"],
    ["past closing", "2026-01-05T15:45:00Z", "2026-01-05T16:15:00Z", false, "outside_working_hours"],
    ["day off (Tuesday)", "2026-01-06T09:00:00Z", "2026-01-06T09:30:00Z", false, "outside_working_hours"],
    ["day off, admin override", "2026-01-06T09:00:00Z", "2026-01-06T09:30:00Z", true, null],
    ["summer offset respected", "2026-07-06T07:00:00Z", "2026-07-06T07:30:00Z", false, null],
    ["summer, 08:30 local", "2026-07-06T06:30:00Z", "2026-07-06T07:30:00Z", false, "outside_working_hours"],
  ];
  it.each(cases)("%s", (_n, s, e, allow, code) => {
    const v = checkBookingRules({ ...base, workingHours: base.workingHours as never, startMs: Z(s), endMs: Z(e), allowOutsideHours: allow });
    expect(v?.code ?? null).toBe(code);
  });
});
