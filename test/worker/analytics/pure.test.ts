// Table tests of the pure parts of Analytics: statistics, clinic-zone buckets, who cancelled,
// periods, slots offered, and CSV.
import { describe, expect, it } from "vitest";
import { blockedByCell, capacityByCell } from "../../../worker/analytics/busiest";
import { bucketOf, cancelByOf, leadBucket } from "../../../worker/analytics/facts";
import { addMonths, datesOf, monthList, previousOf } from "../../../worker/analytics/period";
import { npsOf, quantileOf, rateOf, wilson } from "../../../worker/analytics/stats";
import { toCsv } from "../../../worker/analytics/tables";
import { availability, weekdayCounts, workingMinutes } from "../../../worker/analytics/utilization";

describe("wilson", () => {
  it.each([
    // k, n, low, high (reference values from the Wilson score formula, z = 1.96)
    [0, 10, 0, 0.2775],
    [3, 5, 0.2307, 0.8824],
    [50, 100, 0.4038, 0.5962],
    [10, 10, 0.7225, 1],
    [1, 200, 0.0009, 0.0277],
  ])("%i of %i", (k, n, low, high) => {
    const ci = wilson(k, n)!;
    expect(ci.low).toBeCloseTo(low, 3);
    expect(ci.high).toBeCloseTo(high, 3);
  });
  it("no interval without appointments; few below 20", () => {
    expect(wilson(0, 0)).toBeNull();
    expect(rateOf(0, 0)).toMatchObject({ rate: null, low: null, few: true });
    expect(rateOf(2, 19).few).toBe(true);
    expect(rateOf(2, 20).few).toBe(false);
  });
});

describe("latency quantiles from the fixed-bucket histogram", () => {
  it.each([
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.5, null],
    [[10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.95, 250],
    [[5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.5, 250],
    [[5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.51, 500],
    [[90, 0, 0, 0, 0, 9, 1, 0, 0, 0, 0, 0], 0.95, 5000],
    [[90, 0, 0, 0, 0, 4, 6, 0, 0, 0, 0, 0], 0.95, 10000],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3], 0.5, Infinity],
  ])("%j q=%d → %s", (hist, q, want) => expect(quantileOf(hist as number[], q as number)).toBe(want));
});

describe("NPS", () => {
  it.each([
    [[], null, 0],
    [[10, 9, 8, 7, 6, 0], 0, 6], // 2 promoters, 2 detractors
    [[10, 10, 10], 100, 3],
    [[0, 6, 3], -100, 3],
    [[9, 9, 7, 2], 25, 4],
  ])("%j → %s", (scores, score, n) => expect(npsOf(scores as number[])).toMatchObject({ score, n }));
  it("counts grouped rows", () => expect(npsOf([{ score: 10, count: 3 }, { score: 5, count: 1 }]).score).toBe(50));
});

describe("clinic-zone buckets", () => {
  it.each([
    ["Europe/London", "2026-10-23T08:00:00Z", { month: "2026-10", weekday: 5, hour: 9 }], // BST
    ["Europe/London", "2026-10-26T09:00:00Z", { month: "2026-10", weekday: 1, hour: 9 }], // GMT
    ["Europe/London", "2026-10-25T00:30:00Z", { month: "2026-10", weekday: 7, hour: 1 }], // first 01:30
    ["Europe/London", "2026-10-25T01:30:00Z", { month: "2026-10", weekday: 7, hour: 1 }], // second 01:30
    ["Europe/London", "2026-03-29T01:30:00Z", { month: "2026-03", weekday: 7, hour: 2 }], // 02:30 BST after the gap
    ["Europe/London", "2026-10-31T23:30:00Z", { month: "2026-10", weekday: 6, hour: 23 }],
    ["Europe/Berlin", "2026-10-31T23:30:00Z", { month: "2026-11", weekday: 7, hour: 0 }],
    ["America/New_York", "2026-11-01T03:00:00Z", { month: "2026-10", weekday: 6, hour: 23 }],
  ])("%s %s", (zone, at, want) => expect(bucketOf(zone, Date.parse(at))).toEqual(want));

  it.each([
    ["2026-11-02T08:00:00Z", "2026-11-02T17:00:00Z", 0],
    ["2026-11-01T23:30:00Z", "2026-11-02T09:00:00Z", 1],
    ["2026-11-02T08:00:00Z", "2026-11-04T09:00:00Z", 1],
    ["2026-11-02T08:00:00Z", "2026-11-05T09:00:00Z", 2],
    ["2026-11-02T08:00:00Z", "2026-11-09T09:00:00Z", 2],
    ["2026-11-02T08:00:00Z", "2026-11-10T09:00:00Z", 3],
    ["2026-11-02T08:00:00Z", "2026-11-16T09:00:00Z", 3],
    ["2026-11-02T08:00:00Z", "2026-11-17T09:00:00Z", 4],
    ["2026-11-02T08:00:00Z", "2026-11-01T09:00:00Z", 0], // booked after it started (imports)
  ])("lead %s → %s is bucket %i", (created, start, b) => expect(leadBucket("Europe/London", Date.parse(created), Date.parse(start))).toBe(b));
});

describe("who cancelled", () => {
  it.each([
    [{ label: "jane@clinic" }, "acms", "staff"],
    [{ label: "patient via link" }, "acms", "link"],
    [{ label: "patient via SMS" }, "acms", "sms"],
    [{ label: "system:google-sync" }, "google", "provider"],
    [{ label: "system:caldav-sync" }, null, "provider"],
    [{ label: "0123456789abcdef0123456789abcdef" }, null, "staff"], // updated_by of a staff change is the user id
    [{ label: "system:ics-import" }, "ics", "staff"],
  ])("%j via %s → %s", (actor, origin, want) => expect(cancelByOf(actor, origin as never)).toBe(want));
});

describe("periods", () => {
  it("previous period of the same length, month lists and dates", () => {
    expect(previousOf({ from: "2026-01", to: "2026-03" })).toEqual({ from: "2025-10", to: "2025-12" });
    expect(previousOf({ from: "2026-11", to: "2026-11" })).toEqual({ from: "2026-10", to: "2026-10" });
    expect(monthList({ from: "2025-11", to: "2026-02" })).toEqual(["2025-11", "2025-12", "2026-01", "2026-02"]);
    expect(datesOf({ from: "2024-02", to: "2024-02" })).toEqual({ first: "2024-02-01", last: "2024-02-29" });
    expect(addMonths("2026-12", 1)).toBe("2027-01");
  });
});

describe("slots offered and bookable time", () => {
  it("counts slot starts per weekday-hour times the weekdays in the period", () => {
    const cap = capacityByCell([{ working_hours: JSON.stringify({ "1": [["09:00", "10:45"]], "6": [["23:00", "24:00"]] }), slot_minutes: 30 }], { from: "2026-11", to: "2026-11" });
    // Mondays in Nov 2026: 2, 9, 16, 23, 30 = 5. 09:00, 09:30 → hour 9; 10:00 (10:30 would end at 11:00 > 10:45) → hour 10.
    expect(cap.get("1:9")).toBe(10);
    expect(cap.get("1:10")).toBe(5);
    expect(cap.get("6:23")).toBe(8); // 4 Saturdays × 2
    expect(cap.get("2:9")).toBeUndefined();
  });
  it("free slots lose the slots time off and the doctors' own busy time cover (London, October 2026 with the DST change)", () => {
    const Z = (s: string) => Date.parse(s);
    const week = JSON.stringify(Object.fromEntries(["1", "2", "3", "4", "5"].map((d) => [d, [["09:00", "12:00"], ["13:00", "17:00"]]])));
    const doctors = [
      { id: "a", working_hours: week, slot_minutes: 30 },
      { id: "b", working_hours: week, slot_minutes: 60 },
    ];
    const blocks = [
      // Mon 5 Oct 09:00–10:00 BST time off, overlapped by busy 09:30–10:30 BST: merged 09:00–10:30 → 09:00, 09:30, 10:00.
      { doctor_id: "a", start_ms: Z("2026-10-05T08:00:00Z"), end_ms: Z("2026-10-05T09:00:00Z") },
      { doctor_id: "a", start_ms: Z("2026-10-05T08:30:00Z"), end_ms: Z("2026-10-05T09:30:00Z") },
      // Tue 27 Oct (GMT after the change) busy 14:15–15:00 → 14:00 and 14:30 (a half-covered slot is not bookable).
      { doctor_id: "a", start_ms: Z("2026-10-27T14:15:00Z"), end_ms: Z("2026-10-27T15:00:00Z") },
      // Wed 7 Oct 18:00–19:00 BST: outside working hours, nothing.
      { doctor_id: "a", start_ms: Z("2026-10-07T17:00:00Z"), end_ms: Z("2026-10-07T18:00:00Z") },
      // Thu 8 Oct 23:00 BST → Fri 9 Oct 09:45 BST, across midnight → Friday 09:00, 09:30.
      { doctor_id: "a", start_ms: Z("2026-10-08T22:00:00Z"), end_ms: Z("2026-10-09T08:45:00Z") },
      // From 30 Sep (before the period) to Thu 1 Oct 09:30 BST → Thursday 09:00 only.
      { doctor_id: "a", start_ms: Z("2026-09-30T20:00:00Z"), end_ms: Z("2026-10-01T08:30:00Z") },
      // Doctor b (hour slots), Mon 5 Oct 09:00–09:10 BST → Monday 09:00.
      { doctor_id: "b", start_ms: Z("2026-10-05T08:00:00Z"), end_ms: Z("2026-10-05T08:10:00Z") },
      // Another doctor's block is not theirs.
      { doctor_id: "c", start_ms: Z("2026-10-06T08:00:00Z"), end_ms: Z("2026-10-06T16:00:00Z") },
    ];
    const from = Z("2026-09-30T23:00:00Z"); // 1 Oct 00:00 BST
    const to = Z("2026-11-01T00:00:00Z"); // 1 Nov 00:00 GMT
    const got = Object.fromEntries([...blockedByCell("Europe/London", doctors, blocks, from, to)].sort());
    expect(got).toEqual({ "1:9": 3, "1:10": 1, "2:14": 2, "4:9": 1, "5:9": 2 });
    // Nothing blocked, nothing taken off.
    expect(blockedByCell("Europe/London", doctors, [], from, to).size).toBe(0);
  });
  it("weekday counts and working minutes of a period", () => {
    // November 2026 starts on a Sunday: 30 days = 4 weeks + Sun, Mon.
    expect(weekdayCounts("2026-11-01", "2026-11-30").slice(1)).toEqual([5, 4, 4, 4, 4, 4, 5]);
    expect(weekdayCounts("2026-10-01", "2026-11-30").slice(1).reduce((a, b) => a + b, 0)).toBe(61);
    const hours = { "1": [["09:00", "12:00"], ["13:00", "17:00"]], "7": [["10:00", "24:00"]] } as never;
    expect(workingMinutes(hours, weekdayCounts("2026-11-01", "2026-11-30"))).toBe(5 * 420 + 5 * 840);
  });
  it("time off and external busy count only inside working time, apart", () => {
    const h = 3_600_000;
    const av = availability([{ start: 0, end: 8 * h }], [
      { start: -h, end: h, manual: true }, // 1 h off inside
      { start: 0.5 * h, end: 2 * h, manual: false }, // overlaps the time off: 1 h more
      { start: 9 * h, end: 10 * h, manual: false }, // outside working time
    ]);
    expect(av).toEqual({ working: 480, timeOff: 60, externalBusy: 60, bookable: 360 });
  });
});

describe("CSV", () => {
  it("quotes, and defuses spreadsheet formulas", () => {
    const csv = toCsv([{ id: "t", title: "T", columns: ["a", "b"], rows: [["x,y", '"q"'], ["=1+1", null], [-3, "@x"]] }]);
    expect(csv).toBe('T\r\na,b\r\n"x,y","""q"""\r\n\'=1+1,\r\n-3,\'@x\r\n');
  });
});
