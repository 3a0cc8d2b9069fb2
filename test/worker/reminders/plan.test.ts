// Reminder scheduling as a pure function: offsets × booking lead time × quiet hours × DST × status.
// Every expected instant below is written out by hand (UTC), not produced by the code under test.
import { describe, expect, it } from "vitest";
import { type PlanInput, planReminders, quietEnd, inQuietHours } from "../../../worker/reminders/plan";

const Z = (s: string) => Date.parse(s);
const NIGHT = { startMin: 21 * 60, endMin: 8 * 60 };
const base = (o: Partial<PlanInput>): PlanInput => ({
  startMs: Z("2027-03-10T14:00:00Z"),
  now: Z("2027-03-01T10:00:00Z"),
  status: "scheduled",
  type: "consultation",
  zone: "Europe/London",
  rules: [
    { offsetMinutes: 1440, channel: "email" },
    { offsetMinutes: 120, channel: "sms" },
  ],
  quiet: NIGHT,
  noReminderTypes: [],
  patient: { hasEmail: true, smsOk: true },
  ...o,
});
const plan = (o: Partial<PlanInput>) => planReminders(base(o)).map((r) => `${r.channel}@${new Date(r.dueAt).toISOString()}`);

describe("planReminders", () => {
  const cases: [string, Partial<PlanInput>, string[]][] = [
    ["booked days ahead: 24 h e-mail and 2 h SMS", {}, ["email@2027-03-09T14:00:00.000Z", "sms@2027-03-10T12:00:00.000Z"]],
    ["booked 1 h ahead: both reminders would be late → none", { now: Z("2027-03-10T13:00:00Z") }, []],
    ["booked 3 h ahead: only the 2 h SMS", { now: Z("2027-03-10T11:00:00Z") }, ["sms@2027-03-10T12:00:00.000Z"]],
    ["09:00 appointment: the 07:00 SMS waits for the end of quiet hours (08:00)", { startMs: Z("2027-03-10T09:00:00Z") }, ["email@2027-03-09T09:00:00.000Z", "sms@2027-03-10T08:00:00.000Z"]],
    ["08:00 appointment: quiet hours end when it starts → no SMS", { startMs: Z("2027-03-10T08:00:00Z") }, ["email@2027-03-09T08:00:00.000Z"]],
    ["22:30 SMS (00:30 appointment) is held until 08:00, after the start → none", { startMs: Z("2027-03-11T00:30:00Z") }, ["email@2027-03-10T00:30:00.000Z"]],
    ["no quiet hours (start = end): the 07:00 SMS goes at 07:00", { startMs: Z("2027-03-10T09:00:00Z"), quiet: { startMin: 0, endMin: 0 } }, ["email@2027-03-09T09:00:00.000Z", "sms@2027-03-10T07:00:00.000Z"]],
    ["e-mail is not held by quiet hours", { startMs: Z("2027-03-10T06:00:00Z"), rules: [{ offsetMinutes: 60, channel: "email" }] }, ["email@2027-03-10T05:00:00.000Z"]],
    ["London spring-forward day: 09:00 BST start, SMS held to 08:00 BST (07:00Z)", { startMs: Z("2027-03-28T08:00:00Z"), now: Z("2027-03-20T00:00:00Z") }, ["email@2027-03-27T08:00:00.000Z", "sms@2027-03-28T07:00:00.000Z"]],
    ["New York fall-back day: offsets are exact hours; SMS held to 08:00 EST (13:00Z)", { zone: "America/New_York", startMs: Z("2027-11-07T14:00:00Z"), now: Z("2027-11-01T00:00:00Z") }, ["email@2027-11-06T14:00:00.000Z", "sms@2027-11-07T13:00:00.000Z"]],
    ["Sydney autumn change (southern hemisphere): SMS held to 08:00 AEST (22:00Z)", { zone: "Australia/Sydney", startMs: Z("2027-04-03T23:00:00Z"), now: Z("2027-03-30T00:00:00Z") }, ["email@2027-04-02T23:00:00.000Z", "sms@2027-04-03T22:00:00.000Z"]],
    ["a daytime quiet span (12:00–14:00) holds a 13:00 SMS to 14:00", { startMs: Z("2027-03-10T15:00:00Z"), quiet: { startMin: 12 * 60, endMin: 14 * 60 } }, ["email@2027-03-09T15:00:00.000Z", "sms@2027-03-10T14:00:00.000Z"]],
    ["confirmed appointments are reminded", { status: "confirmed" }, ["email@2027-03-09T14:00:00.000Z", "sms@2027-03-10T12:00:00.000Z"]],
    ["cancelled → none", { status: "cancelled" }, []],
    ["completed → none", { status: "completed" }, []],
    ["no-show → none", { status: "no_show" }, []],
    ["type with reminders off → none", { noReminderTypes: ["consultation"] }, []],
    ["no e-mail address → SMS only", { patient: { hasEmail: false, smsOk: true } }, ["sms@2027-03-10T12:00:00.000Z"]],
    ["no SMS consent (or opted out) → e-mail only", { patient: { hasEmail: true, smsOk: false } }, ["email@2027-03-09T14:00:00.000Z"]],
    ["the same rule twice is planned once", { rules: [{ offsetMinutes: 120, channel: "sms" }, { offsetMinutes: 120, channel: "sms" }] }, ["sms@2027-03-10T12:00:00.000Z"]],
    ["three rules incl. a 7-day e-mail", { rules: [{ offsetMinutes: 7 * 1440, channel: "email" }, { offsetMinutes: 1440, channel: "email" }, { offsetMinutes: 120, channel: "sms" }] }, ["email@2027-03-03T14:00:00.000Z", "email@2027-03-09T14:00:00.000Z", "sms@2027-03-10T12:00:00.000Z"]],
  ];
  for (const [name, o, want] of cases) it(name, () => expect(plan(o)).toEqual(want));
});

describe("quiet hours", () => {
  it("know which side of midnight they are on", () => {
    expect(inQuietHours(Z("2027-03-10T20:59:00Z"), NIGHT, "Europe/London")).toBe(false);
    expect(inQuietHours(Z("2027-03-10T21:00:00Z"), NIGHT, "Europe/London")).toBe(true);
    expect(inQuietHours(Z("2027-03-11T07:59:00Z"), NIGHT, "Europe/London")).toBe(true);
    expect(inQuietHours(Z("2027-03-11T08:00:00Z"), NIGHT, "Europe/London")).toBe(false);
    // 21:30 local → ends 08:00 the next morning; 05:00 local → ends 08:00 the same day.
    expect(new Date(quietEnd(Z("2027-03-10T21:30:00Z"), NIGHT, "Europe/London")).toISOString()).toBe("2027-03-11T08:00:00.000Z");
    expect(new Date(quietEnd(Z("2027-03-11T05:00:00Z"), NIGHT, "Europe/London")).toISOString()).toBe("2027-03-11T08:00:00.000Z");
    // Kolkata (+05:30): 23:00 IST = 17:30Z → ends 08:00 IST = 02:30Z.
    expect(new Date(quietEnd(Z("2027-03-10T17:30:00Z"), NIGHT, "Asia/Kolkata")).toISOString()).toBe("2027-03-11T02:30:00.000Z");
  });
});

describe("quietEnd across DST changes: the first instant after the one held whose wall clock reads the end time", () => {
  const Q = (start: string, end: string) => ({ startMin: +start.slice(0, 2) * 60 + +start.slice(3), endMin: +end.slice(0, 2) * 60 + +end.slice(3) });
  it.each([
    // New York falls back 2026-11-01 02:00 EDT → 01:00 EST: 01:00–02:00 happens twice (05:00Z–06:00Z EDT, 06:00Z–07:00Z EST).
    ["New York, fall back: 01:10 EST (the second 01:10) → 01:30 EST, not 01:30 EDT an hour before", "America/New_York", "22:00", "01:30", "2026-11-01T06:10:00Z", "2026-11-01T06:30:00Z"],
    ["New York, fall back: 01:00 EST → 01:30 EST", "America/New_York", "22:00", "01:30", "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z"],
    ["New York, fall back: 01:29 EST → 01:30 EST", "America/New_York", "22:00", "01:30", "2026-11-01T06:29:00Z", "2026-11-01T06:30:00Z"],
    ["New York, fall back: 01:10 EDT (the first) → 01:30 EDT", "America/New_York", "22:00", "01:30", "2026-11-01T05:10:00Z", "2026-11-01T05:30:00Z"],
    ["New York, fall back: 23:00 EDT the evening before → 01:30 EDT", "America/New_York", "22:00", "01:30", "2026-11-01T03:00:00Z", "2026-11-01T05:30:00Z"],
    ["New York, fall back, daytime-style span 00:30–01:45: 01:40 EST → 01:45 EST", "America/New_York", "00:30", "01:45", "2026-11-01T06:40:00Z", "2026-11-01T06:45:00Z"],
    ["New York, fall back, span ending 08:00: 01:10 EST → 08:00 EST", "America/New_York", "22:00", "08:00", "2026-11-01T06:10:00Z", "2026-11-01T13:00:00Z"],
    // New York springs forward 2026-03-08 02:00 EST → 03:00 EDT: 02:30 does not exist, moved forward to 03:30 EDT.
    ["New York, spring forward: 23:00 EST, end 02:30 in the gap → 03:30 EDT", "America/New_York", "22:00", "02:30", "2026-03-08T04:00:00Z", "2026-03-08T07:30:00Z"],
    ["New York, spring forward: 01:50 EST, end 02:30 in the gap → 03:30 EDT", "America/New_York", "22:00", "02:30", "2026-03-08T06:50:00Z", "2026-03-08T07:30:00Z"],
    ["New York, spring forward: 23:00 EST → 07:00 EDT", "America/New_York", "22:00", "07:00", "2026-03-08T04:00:00Z", "2026-03-08T11:00:00Z"],
    // London falls back 2026-10-25 02:00 BST → 01:00 GMT: 01:00–02:00 twice (00:00Z–01:00Z BST, 01:00Z–02:00Z GMT).
    ["London, fall back: 01:10 GMT (the second) → 01:30 GMT", "Europe/London", "22:00", "01:30", "2026-10-25T01:10:00Z", "2026-10-25T01:30:00Z"],
    ["London, fall back: 01:10 BST (the first) → 01:30 BST", "Europe/London", "22:00", "01:30", "2026-10-25T00:10:00Z", "2026-10-25T00:30:00Z"],
    ["London, fall back: 23:00 BST the evening before → 01:30 BST", "Europe/London", "22:00", "01:30", "2026-10-24T22:00:00Z", "2026-10-25T00:30:00Z"],
    ["London, fall back: 23:00 BST → 08:00 GMT", "Europe/London", "21:00", "08:00", "2026-10-24T22:00:00Z", "2026-10-25T08:00:00Z"],
    // Sydney falls back 2026-04-05 03:00 AEDT → 02:00 AEST: 02:00–03:00 twice (15:00Z–16:00Z AEDT, 16:00Z–17:00Z AEST).
    ["Sydney, fall back: 02:10 AEST (the second) → 02:30 AEST", "Australia/Sydney", "22:00", "02:30", "2026-04-04T16:10:00Z", "2026-04-04T16:30:00Z"],
    ["Sydney, fall back: 02:10 AEDT (the first) → 02:30 AEDT", "Australia/Sydney", "22:00", "02:30", "2026-04-04T15:10:00Z", "2026-04-04T15:30:00Z"],
    ["Sydney, fall back: 23:00 AEDT the evening before → 02:30 AEDT", "Australia/Sydney", "22:00", "02:30", "2026-04-04T12:00:00Z", "2026-04-04T15:30:00Z"],
    // Sydney springs forward 2026-10-04 02:00 AEST → 03:00 AEDT.
    ["Sydney, spring forward: 23:00 AEST, end 02:30 in the gap → 03:30 AEDT", "Australia/Sydney", "22:00", "02:30", "2026-10-03T13:00:00Z", "2026-10-03T16:30:00Z"],
    ["Sydney, spring forward: 01:50 AEST, end 02:30 in the gap → 03:30 AEDT", "Australia/Sydney", "22:00", "02:30", "2026-10-03T15:50:00Z", "2026-10-03T16:30:00Z"],
    ["Sydney, spring forward: 23:00 AEST → 08:00 AEDT", "Australia/Sydney", "21:00", "08:00", "2026-10-03T13:00:00Z", "2026-10-03T21:00:00Z"],
  ])("%s", (_what, zone, start, end, at, expected) => {
    const quiet = Q(start, end);
    const ms = Z(at);
    expect(inQuietHours(ms, quiet, zone)).toBe(true);
    const got = quietEnd(ms, quiet, zone);
    expect(new Date(got).toISOString()).toBe(new Date(Z(expected)).toISOString());
    expect(got).toBeGreaterThan(ms);
    expect(inQuietHours(got, quiet, zone)).toBe(false);
  });

  it("plans an SMS due in New York's repeated hour (01:10 EST) for 01:30 EST, after its raw due time, not 01:30 EDT before it", () => {
    const quiet = Q("22:00", "01:30");
    const due = Z("2026-11-01T06:10:00Z"); // 01:10 EST
    expect(
      plan({ zone: "America/New_York", quiet, now: Z("2026-10-30T12:00:00Z"), startMs: due + 120 * 60_000, rules: [{ offsetMinutes: 120, channel: "sms" }] }),
    ).toEqual(["sms@2026-11-01T06:30:00.000Z"]);
  });
});
