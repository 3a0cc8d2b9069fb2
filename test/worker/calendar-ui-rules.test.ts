// Table tests for the calendar's pure rules (web/): working time from doctors' hours, drag
// feedback, status buttons, appointment type durations, doctor initials. They run here (the
// project's unit runner) because they are plain TypeScript with no DOM.
import { describe, expect, it } from "vitest";
import type { Appointment, BlockedTime, Doctor, SessionUser } from "../../web/api-client/types";
import { dayRange, idleWeekendDays, offHoursEvents, offReason, offSpans } from "../../web/calendar/working-time";
import { dropProblem } from "../../web/calendar/drag-check";
import { offeredStatuses, slotStillFree } from "../../web/details/status-rules";
import { DEFAULT_TYPES, minutesOf, typesFor } from "../../web/booking/appointment-types";
import { blockedText, initialsOf } from "../../web/calendar/events";

const doc = (id: string, name: string, workingHours: unknown, extra: Partial<Doctor> = {}): Doctor => ({ id, name, specialty: "", color: "#123456", slotMinutes: 30, workingHours, userId: null, ...extra });
const weekdays = (ranges: [string, string][]) => Object.fromEntries(["1", "2", "3", "4", "5"].map((d) => [d, ranges]));
const okafor = doc("d1", "Dr Okafor", weekdays([["09:00", "12:30"], ["13:30", "17:00"]]));
const early = doc("d2", "Dr Early", { ...weekdays([["07:30", "15:00"]]), "6": [["08:00", "12:00"]] });
// 2026-11-30 is a Monday, 2026-12-05 a Saturday, 2026-12-06 a Sunday.
const MON = "2026-11-30";
const SAT = "2026-12-05";

describe("working time", () => {
  it.each([
    { doctors: [okafor], want: { slotMinTime: "09:00", slotMaxTime: "17:00" } },
    { doctors: [okafor, early], want: { slotMinTime: "07:00", slotMaxTime: "17:00" } },
    { doctors: [], want: { slotMinTime: "08:00", slotMaxTime: "18:00" } },
    { doctors: [doc("x", "Dr Late", { "1": [["20:00", "24:00"]] })], want: { slotMinTime: "20:00", slotMaxTime: "24:00" } },
  ])("visible hours span the earliest start to the latest end ($want.slotMinTime–$want.slotMaxTime)", ({ doctors, want }) => {
    expect(dayRange(doctors)).toEqual(want);
  });

  it("widens the visible hours for an appointment booked outside them", () => {
    expect(dayRange([okafor], [{ startMin: 18 * 60, endMin: 18 * 60 + 30 }])).toEqual({ slotMinTime: "09:00", slotMaxTime: "19:00" });
  });

  it.each([
    { doctors: [okafor], hidden: [6, 0] },
    { doctors: [okafor, early], hidden: [0] },
    { doctors: [doc("w", "Dr Weekend", { "7": [["10:00", "12:00"]] })], hidden: [6] },
  ])("hides weekend days nobody works: $hidden", ({ doctors, hidden }) => {
    expect(idleWeekendDays(doctors)).toEqual(hidden);
  });

  it.each([
    ["2026-11-30T08:30", "Outside Dr Okafor's working hours"],
    ["2026-11-30T09:00", ""],
    ["2026-11-30T12:45", "Dr Okafor's lunch break (12:30–13:30)"],
    ["2026-11-30T13:30", ""],
    ["2026-11-30T17:00", "Outside Dr Okafor's working hours"],
    ["2026-12-05T10:00", "Dr Okafor's day off"],
  ])("the reason %s is not bookable: %j", (wall, reason) => {
    expect(offReason(okafor, wall)).toBe(reason);
  });

  it("calls a mid-morning gap a break, not lunch", () => {
    const d = doc("b", "Dr B", { "1": [["08:00", "10:00"], ["10:15", "12:00"]] });
    expect(offSpans(d, MON, 8 * 60, 12 * 60)).toEqual([{ start: 600, end: 615, reason: "Dr B's break (10:00–10:15)" }]);
  });

  it("shades per doctor side by side, and only common off time in the combined view", () => {
    const from = new Date(2026, 10, 30);
    const to = new Date(2026, 11, 1);
    const range = dayRange([okafor, early]); // 07:00–17:00
    const side = offHoursEvents([okafor, early], from, to, true, range);
    expect(side.filter((e) => (e.resourceIds as string[])[0] === "d1").map((e) => [e.start, e.end])).toEqual([
      ["2026-11-30T07:00", "2026-11-30T09:00"],
      ["2026-11-30T12:30", "2026-11-30T13:30"],
    ]);
    expect(side.filter((e) => (e.resourceIds as string[])[0] === "d2").map((e) => [e.start, e.end])).toEqual([
      ["2026-11-30T07:00", "2026-11-30T07:30"],
      ["2026-11-30T15:00", "2026-11-30T17:00"],
    ]);
    // Combined: 07:00–07:30 (nobody yet); Okafor's lunch is covered by Dr Early, so not shaded.
    const combined = offHoursEvents([okafor, early], from, to, false, range);
    expect(combined.map((e) => [e.start, e.end, e.title])).toEqual([["2026-11-30T07:00", "2026-11-30T07:30", "Outside working hours"]]);
  });

  it("shades a whole day off", () => {
    const ev = offHoursEvents([okafor], new Date(2026, 11, 5), new Date(2026, 11, 6), true, { slotMinTime: "09:00", slotMaxTime: "17:00" });
    expect(ev.map((e) => [e.start, e.end, e.title])).toEqual([[`${SAT}T09:00`, `${SAT}T17:00`, "Dr Okafor's day off"]]);
  });
});

describe("drag feedback", () => {
  const at = (h: number, m = 0) => new Date(2026, 10, 30, h, m);
  const isoAt = (h: number, m = 0) => `2026-11-30T${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00.000Z`;
  const appt = (id: string, doctorId: string, h: number, status: Appointment["status"] = "scheduled") =>
    ({ id, doctorId, patientName: `P${id}`, start: isoAt(h), end: isoAt(h, 30), status }) as Appointment;
  const reception = { role: "receptionist", doctorId: null } as unknown as SessionUser;
  const drOkafor = { role: "doctor", doctorId: "d1" } as unknown as SessionUser;
  const ctx = (user: SessionUser, appointments: Appointment[], blocked: BlockedTime[] = []) => ({
    user,
    doctors: [okafor, early],
    appointments,
    blocked,
    fmt: (iso: string) => iso.slice(11, 16),
  });
  const cand = (doctorId: string, h: number, m = 0) => ({ id: "me", doctorId, start: at(h, m), end: at(h, m + 30), startIso: isoAt(h, m), endIso: isoAt(h, m + 30) });

  it.each([
    { name: "free time", c: cand("d1", 10), user: reception, appts: [], want: null },
    { name: "a taken slot", c: cand("d1", 10, 15), user: reception, appts: [appt("x", "d1", 10)], want: "taken" },
    { name: "a cancelled one does not count", c: cand("d1", 10), user: reception, appts: [appt("x", "d1", 10, "cancelled")], want: null },
    { name: "another doctor's booking does not count", c: cand("d1", 10), user: reception, appts: [appt("x", "d2", 10)], want: null },
    { name: "the lunch break", c: cand("d1", 12, 30), user: reception, appts: [], want: "off" },
    { name: "a doctor into a colleague's column", c: cand("d2", 10), user: drOkafor, appts: [], want: "forbidden" },
    { name: "a doctor in their own column", c: cand("d1", 10), user: drOkafor, appts: [], want: null },
  ])("$name → $want", ({ c, user, appts, want }) => {
    expect(dropProblem(c, ctx(user, appts))?.kind ?? null).toBe(want);
  });

  it("names what is in the way", () => {
    expect(dropProblem(cand("d1", 10), ctx(reception, [appt("x", "d1", 10)]))?.text).toBe("Not allowed: Dr Okafor already has Px at 10:00.");
    const lunch = { id: "b", doctorId: "d1", start: isoAt(11), end: isoAt(12), source: "google", label: "", allDay: false } as BlockedTime;
    expect(dropProblem(cand("d1", 11), ctx(reception, [], [lunch]))?.text).toBe("Not allowed: blocked (busy).");
    expect(blockedText(lunch)).toBe("Blocked: Busy (Google)");
  });
});

describe("status buttons", () => {
  const now = Date.parse("2026-11-30T10:00:00Z");
  it.each([
    { status: "scheduled", start: "2026-11-30T11:00:00Z", want: ["confirmed"] },
    { status: "confirmed", start: "2026-11-30T11:00:00Z", want: ["scheduled"] },
    { status: "confirmed", start: "2026-11-30T09:30:00Z", want: ["scheduled", "completed", "no_show"] },
    { status: "completed", start: "2026-11-30T09:30:00Z", want: ["scheduled", "confirmed", "no_show"] },
    { status: "cancelled", start: "2026-11-30T09:30:00Z", want: [] },
  ] as const)("$status starting $start → $want", ({ status, start, want }) => {
    expect(offeredStatuses({ status, start }, now)).toEqual(want);
  });

  it("restores a cancelled appointment only while nothing active overlaps it", () => {
    const a = { id: "a", doctorId: "d1", start: "2026-11-30T10:00:00Z", end: "2026-11-30T10:30:00Z", status: "cancelled" } as Appointment;
    const other = (status: Appointment["status"], doctorId = "d1") => ({ ...a, id: "b", status, doctorId }) as Appointment;
    expect(slotStillFree(a, [a])).toBe(true);
    expect(slotStillFree(a, [a, other("scheduled")])).toBe(false);
    expect(slotStillFree(a, [a, other("cancelled")])).toBe(true);
    expect(slotStillFree(a, [a, other("scheduled", "d2")])).toBe(true);
  });
});

describe("appointment types and doctor tags", () => {
  it("uses the doctor's own valid types, else the defaults", () => {
    expect(typesFor(undefined)).toBe(DEFAULT_TYPES);
    const own = doc("t", "Dr T", {}, { appointmentTypes: [{ name: "long visit", minutes: 45 }, { name: "", minutes: 10 }, { name: "bad", minutes: 3 }] } as never);
    expect(typesFor(own)).toEqual([{ name: "long visit", minutes: 45 }]);
    expect(typesFor(doc("u", "Dr U", {}, { appointmentTypes: "nonsense" } as never))).toBe(DEFAULT_TYPES);
    expect(minutesOf(DEFAULT_TYPES, "procedure", 30)).toBe(60);
    expect(minutesOf(DEFAULT_TYPES, "unknown", 25)).toBe(25);
  });

  it.each([
    ["Dr Gregory House", "GH"],
    ["Dr House", "HO"],
    ["Prof. Ada Lovelace-King", "AL"],
    ["Okafor", "OK"],
  ])("%s → %s", (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });
});
