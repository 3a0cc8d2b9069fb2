// Pure rules behind the receptionist's-day screens (issue #17), table-tested: the calendar's
// address query and "does this time range touch that clinic day".
import { describe, expect, it } from "vitest";
import { calendarQuery, parseCalendarQuery } from "../../../web/calendar/url-query";
import { rangeTouchesDay } from "../../../web/lib/tz";

const A = "a".repeat(32);
const B = "b".repeat(32);

describe("parseCalendarQuery", () => {
  it.each([
    ["", {}],
    ["?view=day&date=2026-12-15", { view: "day", date: "2026-12-15" }],
    [`?view=week&date=2026-01-05&doctors=${A},${B}`, { view: "week", date: "2026-01-05", doctors: [A, B] }],
    ["?view=year", {}], // unknown view: left out
    ["?date=2026-02-30", {}], // no such day
    ["?date=15-12-2026", {}],
    [`?doctors=${A},nonsense,${A}`, { doctors: [A] }], // bad ids dropped, duplicates once
    ["?doctors=", {}],
    [`?doctors=${A.toUpperCase()}`, {}], // ids are lower-case hex
  ])("%s", (q, want) => expect(parseCalendarQuery(q)).toEqual(want));

  it("keeps at most 200 doctors", () => {
    const ids = Array.from({ length: 250 }, (_, i) => i.toString(16).padStart(32, "0"));
    expect(parseCalendarQuery(`?doctors=${ids.join(",")}`).doctors).toHaveLength(200);
  });
});

describe("calendarQuery", () => {
  it.each([
    [{}, ""],
    [{ view: "month" as const }, "?view=month"],
    [{ view: "day" as const, date: "2026-12-15", doctors: [] }, "?view=day&date=2026-12-15"],
    [{ view: "week" as const, date: "2026-01-05", doctors: [A, B] }, `?view=week&date=2026-01-05&doctors=${A},${B}`],
  ])("%j", (s, want) => expect(calendarQuery(s)).toBe(want));

  it("round-trips", () => {
    const s = { view: "week" as const, date: "2026-03-29", doctors: [B, A] };
    expect(parseCalendarQuery(calendarQuery(s))).toEqual(s);
  });
});

describe("rangeTouchesDay", () => {
  it.each([
    ["inside", "2026-12-15T09:00:00Z", "2026-12-15T09:30:00Z", "2026-12-15", "UTC", true],
    ["day before", "2026-12-14T09:00:00Z", "2026-12-14T09:30:00Z", "2026-12-15", "UTC", false],
    ["ends at midnight: not the next day", "2026-12-14T00:00:00Z", "2026-12-15T00:00:00Z", "2026-12-15", "UTC", false],
    ["whole-day block, that day", "2026-12-15T00:00:00Z", "2026-12-16T00:00:00Z", "2026-12-15", "UTC", true],
    ["several days, middle one", "2026-12-14T00:00:00Z", "2026-12-17T00:00:00Z", "2026-12-15", "UTC", true],
    ["clinic zone decides the day", "2026-12-14T23:30:00Z", "2026-12-15T00:00:00Z", "2026-12-15", "Europe/Berlin", true],
    ["…and the other way", "2026-12-15T23:30:00Z", "2026-12-16T00:30:00Z", "2026-12-15", "America/New_York", true],
  ])("%s", (_n, s, e, day, tz, want) => expect(rangeTouchesDay(s, e, day, tz)).toBe(want));
});
