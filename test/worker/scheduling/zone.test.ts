import { describe, expect, it } from "vitest";
import { isValidTimeZone, localToUtc, offsetAt, resolveLocal, utcToLocal } from "../../../worker/scheduling/zone";

const Z = (s: string) => Date.parse(s);
const H = 3_600_000;

describe("resolveLocal: wall time in a zone → UTC, DST explicit", () => {
  const cases: Array<[string, string, string, string, string, string?]> = [
    // zone, date, time, kind, utc (earlier), later (overlaps only)
    ["Europe/Berlin", "2026-01-15", "09:00", "exact", "2026-01-15T08:00:00Z"],
    ["Europe/Berlin", "2026-07-15", "09:00", "exact", "2026-07-15T07:00:00Z"],
    // Spring forward 2026-03-29: 02:00 CET → 03:00 CEST; 02:30 does not exist.
    ["Europe/Berlin", "2026-03-29", "01:30", "exact", "2026-03-29T00:30:00Z"],
    ["Europe/Berlin", "2026-03-29", "02:00", "gap", "2026-03-29T01:00:00Z"],
    ["Europe/Berlin", "2026-03-29", "02:30", "gap", "2026-03-29T01:30:00Z"],
    ["Europe/Berlin", "2026-03-29", "03:00", "exact", "2026-03-29T01:00:00Z"],
    ["Europe/Berlin", "2026-03-29", "03:30", "exact", "2026-03-29T01:30:00Z"],
    // Fall back 2026-10-25: 03:00 CEST → 02:00 CET; 02:30 happens twice.
    ["Europe/Berlin", "2026-10-25", "01:59", "exact", "2026-10-24T23:59:00Z"],
    ["Europe/Berlin", "2026-10-25", "02:30", "overlap", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"],
    ["Europe/Berlin", "2026-10-25", "03:00", "exact", "2026-10-25T02:00:00Z"],
    // New York: spring forward 2026-03-08 02:00 EST → 03:00 EDT; fall back 2026-11-01 02:00 EDT → 01:00 EST.
    ["America/New_York", "2026-03-08", "02:30", "gap", "2026-03-08T07:30:00Z"],
    ["America/New_York", "2026-03-08", "09:00", "exact", "2026-03-08T13:00:00Z"],
    ["America/New_York", "2026-03-07", "09:00", "exact", "2026-03-07T14:00:00Z"],
    ["America/New_York", "2026-11-01", "01:30", "overlap", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"],
    ["America/New_York", "2026-11-01", "09:00", "exact", "2026-11-01T14:00:00Z"],
    // Kolkata: +05:30 all year, no DST.
    ["Asia/Kolkata", "2026-03-29", "09:00", "exact", "2026-03-29T03:30:00Z"],
    ["Asia/Kolkata", "2026-10-25", "02:30", "exact", "2026-10-24T21:00:00Z"],
    ["Asia/Kolkata", "2026-12-31", "23:45", "exact", "2026-12-31T18:15:00Z"],
  ];
  it.each(cases)("%s %s %s → %s %s", (zone, date, time, kind, utc, later) => {
    const r = resolveLocal(zone, date, time);
    expect(r.kind).toBe(kind);
    expect(new Date(r.utcMs).toISOString()).toBe(new Date(Z(utc)).toISOString());
    if (later) expect(r.kind === "overlap" && new Date(r.laterMs).toISOString()).toBe(new Date(Z(later)).toISOString());
    expect(localToUtc(zone, date, time)).toBe(Z(utc));
  });

  it("round-trips every quarter hour of both Berlin transition days except the gap", () => {
    for (const date of ["2026-03-29", "2026-10-25"]) {
      for (let m = 0; m < 24 * 60; m += 15) {
        const time = `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
        const r = resolveLocal("Europe/Berlin", date, time);
        const back = utcToLocal("Europe/Berlin", r.utcMs);
        if (r.kind === "gap") expect(back.time > time).toBe(true);
        else expect(back).toMatchObject({ date, time });
      }
    }
  });
});

describe("utcToLocal and offsets", () => {
  it.each([
    ["Europe/Berlin", "2026-03-29T00:59:00Z", "2026-03-29", "01:59", 7, 1],
    ["Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-29", "03:00", 7, 2],
    ["Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-25", "02:30", 7, 2],
    ["Europe/Berlin", "2026-10-25T01:30:00Z", "2026-10-25", "02:30", 7, 1],
    ["America/New_York", "2026-01-05T03:00:00Z", "2026-01-04", "22:00", 7, -5],
    ["Asia/Kolkata", "2026-01-04T20:00:00Z", "2026-01-05", "01:30", 1, 5.5],
  ])("%s at %s is %s %s (weekday %i, UTC%+d h)", (zone, utc, date, time, weekday, offH) => {
    expect(utcToLocal(zone, Z(utc))).toEqual({ date, time, weekday });
    expect(offsetAt(zone, Z(utc))).toBe(offH * H);
  });

  it("knows real zones from made-up ones", () => {
    expect(isValidTimeZone("Asia/Kolkata")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
