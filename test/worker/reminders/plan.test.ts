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
