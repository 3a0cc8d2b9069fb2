// The phrases receptionists type, parsed into slot constraints in the clinic's zone.
import { describe, expect, it } from "vitest";
import { parseRequest } from "../../../worker/suggestions/parse-request";

// Thursday 3 Dec 2026, 10:00 in Berlin (09:00 UTC).
const ctx = {
  now: Date.parse("2026-12-03T09:00:00Z"),
  zone: "Europe/Berlin",
  doctors: [
    { id: "d-patel", name: "Dr Anika Patel" },
    { id: "d-ng", name: "Dr Wei Ng" },
  ],
  types: ["consultation", "follow-up", "check-up", "vaccination"],
};

describe("parseRequest", () => {
  it.each([
    ["next Tuesday afternoon with Dr Patel, 30 min", { fromDate: "2026-12-08", toDate: "2026-12-08", fromMinute: 720, toMinute: 1020, doctorId: "d-patel", minutes: 30 }, "Tue 8 Dec, 12:00–17:00, Dr Anika Patel, 30 min"],
    ["earliest after 5pm this week", { earliest: true, fromMinute: 1020, fromDate: "2026-12-03", toDate: "2026-12-06" }, "earliest, Thu 3 Dec – Sun 6 Dec, after 17:00"],
    ["tomorrow morning", { fromDate: "2026-12-04", toDate: "2026-12-04", fromMinute: 480, toMinute: 720 }, "Fri 4 Dec, 08:00–12:00"],
    ["friday 2pm with ng", { fromDate: "2026-12-04", fromMinute: 840, toMinute: 930, doctorId: "d-ng" }, "Fri 4 Dec, 14:00–15:30, Dr Wei Ng"],
    ["next week, follow-up, 1 hour", { fromDate: "2026-12-07", toDate: "2026-12-13", type: "follow-up", minutes: 60 }, "Mon 7 Dec – Sun 13 Dec, follow-up, 60 min"],
    ["monday or wednesday before 10", { fromDate: "2026-12-07", toDate: "2026-12-09", weekdays: [1, 3], toMinute: 600 }, "Mon 7 Dec – Wed 9 Dec, Mon/Wed only, before 10:00"],
    ["between 2 and 4pm on 14 Dec", { fromDate: "2026-12-14", toDate: "2026-12-14", fromMinute: 840, toMinute: 960 }, "Mon 14 Dec, 14:00–16:00"],
    ["asap with Dr Wei Ng for a vaccination", { earliest: true, doctorId: "d-ng", type: "vaccination" }, "earliest, Dr Wei Ng, vaccination"],
    ["in 2 weeks", { fromDate: "2026-12-17", toDate: "2026-12-17" }, "Thu 17 Dec"],
    ["half an hour this afternoon", { minutes: 30, fromMinute: 720, toMinute: 1020 }, "12:00–17:00, 30 min"],
    ["", {}, "nothing specific: the best times over the next days"],
  ])("%s", (text, expected, summary) => {
    const r = parseRequest(text, ctx);
    expect(r.understood).toMatchObject(expected);
    expect(r.summary).toBe(summary);
  });

  it("reads dates in the clinic's zone, not UTC: at 23:30 UTC it is already tomorrow in Berlin", () => {
    const r = parseRequest("tomorrow", { ...ctx, now: Date.parse("2026-12-03T23:30:00Z") });
    expect(r.understood.fromDate).toBe("2026-12-05");
  });

  it("ignores an impossible duration and hostile input without throwing", () => {
    expect(parseRequest("9999 min", ctx).understood.minutes).toBeUndefined();
    expect(() => parseRequest("((((".repeat(500), ctx)).not.toThrow();
  });
});
