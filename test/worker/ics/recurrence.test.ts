// Table tests for the recurrence expander, one row per class of error in issue #14 (and the
// impossible rules of issue #8). Every expected instant is written out by hand from RFC 5545
// and the zones' published rules (weekdays checked against a printed calendar), never produced
// by the code under test.
import { describe, expect, it } from "vitest";
import { parseIcs } from "../../../worker/ics/import";

/** A Windows-named zone defined only by the file (London's rules), as Outlook writes it. */
const GMT_STANDARD_TIME = [
  "BEGIN:VTIMEZONE", "TZID:GMT Standard Time",
  "BEGIN:STANDARD", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
  "BEGIN:DAYLIGHT", "DTSTART:16010101T010000", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
  "END:VTIMEZONE",
];

const ics = (...events: string[][]) =>
  ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Recurrence//EN", ...GMT_STANDARD_TIME, ...events.flatMap((e) => ["BEGIN:VEVENT", "DTSTAMP:20260101T000000Z", ...e, "END:VEVENT"]), "END:VCALENDAR", ""].join("\r\n");

interface Row {
  name: string;
  events: string[][];
  zone?: string;
  from: string;
  to: string;
  /** [start, end] in UTC, in order. */
  expect?: [string, string][];
  /** Substrings of the one refusal message expected instead. */
  refused?: string[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

const rows: Row[] = [
  // ---- old series must not vanish (the cap counted from DTSTART) ----
  {
    name: "a daily series that began in 1990 still blocks in 2026 (jump to the window)",
    events: [["UID:old-daily", "DTSTART:19900101T090000Z", "DTEND:19900101T100000Z", "RRULE:FREQ=DAILY"]],
    from: "2026-03-01T00:00:00Z",
    to: "2026-03-04T00:00:00Z",
    expect: [
      ["2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z"],
      ["2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"],
      ["2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"],
    ],
  },
  {
    name: "COUNT is honoured across the jump: DAILY;COUNT=10 from 20 Feb ends on 1 March",
    events: [["UID:count-jump", "DTSTART:20260220T090000Z", "DTEND:20260220T100000Z", "RRULE:FREQ=DAILY;COUNT=10"]],
    from: "2026-03-01T00:00:00Z",
    to: "2026-03-10T00:00:00Z",
    expect: [["2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z"]],
  },
  {
    // Thu 1 Jan (DTSTART, 1st), Mon 5, Thu 8, Mon 12, Thu 15, Mon 19, Thu 22, Mon 26 (8th), Thu 29 (9th).
    name: "COUNT with a partial first week: WEEKLY;BYDAY=MO,TH;COUNT=9 from Thursday 1 Jan",
    events: [["UID:weekly-count", "DTSTART:20260101T100000Z", "DTEND:20260101T110000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=9"]],
    from: "2026-01-26T00:00:00Z",
    to: "2026-02-28T00:00:00Z",
    expect: [
      ["2026-01-26T10:00:00Z", "2026-01-26T11:00:00Z"],
      ["2026-01-29T10:00:00Z", "2026-01-29T11:00:00Z"],
    ],
  },
  {
    name: "a monthly 2nd-Tuesday series with COUNT=10^9 since 1970 reaches the window",
    events: [["UID:old-monthly", "DTSTART:19700113T150000Z", "DTEND:19700113T160000Z", "RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=1000000000"]],
    from: "2026-03-01T00:00:00Z",
    to: "2026-05-01T00:00:00Z",
    expect: [
      ["2026-03-10T15:00:00Z", "2026-03-10T16:00:00Z"],
      ["2026-04-14T15:00:00Z", "2026-04-14T16:00:00Z"],
    ],
  },
  {
    name: "a huge RDATE list from 2000 on still finds its one date in the window",
    events: [
      [
        "UID:rdates",
        "DTSTART:20000101T080000Z",
        "DTEND:20000101T083000Z",
        `RDATE:${Array.from({ length: 3000 }, (_, i) => new Date(Date.UTC(2000, 0, 2 + i, 8)).toISOString().replace(/[-:]|\.000/g, "")).join(",")}`,
        "RDATE:20260302T080000Z",
      ],
    ],
    from: "2026-03-01T00:00:00Z",
    to: "2026-03-10T00:00:00Z",
    expect: [["2026-03-02T08:00:00Z", "2026-03-02T08:30:00Z"]],
  },
  // ---- invalid dates are skipped, never rolled over (RFC 5545 §3.3.10) ----
  {
    name: "MONTHLY on the 31st skips February, April and June",
    events: [["UID:m31", "DTSTART:20260131T100000Z", "DTEND:20260131T110000Z", "RRULE:FREQ=MONTHLY"]],
    from: "2026-01-01T00:00:00Z",
    to: "2026-07-01T00:00:00Z",
    expect: [
      ["2026-01-31T10:00:00Z", "2026-01-31T11:00:00Z"],
      ["2026-03-31T10:00:00Z", "2026-03-31T11:00:00Z"],
      ["2026-05-31T10:00:00Z", "2026-05-31T11:00:00Z"],
    ],
  },
  {
    name: "YEARLY on 29 February happens in leap years only",
    events: [["UID:feb29", "DTSTART:20240229T100000Z", "DTEND:20240229T110000Z", "RRULE:FREQ=YEARLY"]],
    from: "2024-03-01T00:00:00Z",
    to: "2029-01-01T00:00:00Z",
    expect: [["2028-02-29T10:00:00Z", "2028-02-29T11:00:00Z"]],
  },
  {
    // 2026 starts on a Thursday: 53 ISO weeks, week 53 = Mon 28 Dec 2026. 2027 and 2028 have 52.
    name: "BYWEEKNO=53 only in years that have a week 53",
    events: [["UID:w53", "DTSTART:20261228T090000Z", "DTEND:20261228T100000Z", "RRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO"]],
    from: "2026-12-01T00:00:00Z",
    to: "2028-12-31T00:00:00Z",
    expect: [["2026-12-28T09:00:00Z", "2026-12-28T10:00:00Z"]],
  },
  // ---- ordinal BYDAY in YEARLY ----
  {
    // First Monday of 2026 is 5 Jan → 20th is 18 May; of 2027, 4 Jan → 17 May.
    name: "BYDAY=20MO in a YEARLY rule is one day a year",
    events: [["UID:20mo", "DTSTART:20260518T090000Z", "DTEND:20260518T100000Z", "RRULE:FREQ=YEARLY;BYDAY=20MO"]],
    from: "2026-01-01T00:00:00Z",
    to: "2028-01-01T00:00:00Z",
    expect: [
      ["2026-05-18T09:00:00Z", "2026-05-18T10:00:00Z"],
      ["2027-05-17T09:00:00Z", "2027-05-17T10:00:00Z"],
    ],
  },
  {
    // 31 Dec 2026 is a Thursday → last Friday 25 Dec; 2027 begins and so ends on a Friday → 31 Dec.
    name: "BYDAY=-1FR in a YEARLY rule: the last Friday of the year",
    events: [["UID:lastfri", "DTSTART:20261225T090000Z", "DTEND:20261225T100000Z", "RRULE:FREQ=YEARLY;BYDAY=-1FR"]],
    from: "2026-01-01T00:00:00Z",
    to: "2028-01-01T00:00:00Z",
    expect: [
      ["2026-12-25T09:00:00Z", "2026-12-25T10:00:00Z"],
      ["2027-12-31T09:00:00Z", "2027-12-31T10:00:00Z"],
    ],
  },
  {
    name: "BYMONTH=3;BYDAY=-1SU counts within the month: the last Sunday of March",
    events: [["UID:lastsun", "DTSTART:20260329T120000Z", "DTEND:20260329T130000Z", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"]],
    from: "2026-01-01T00:00:00Z",
    to: "2028-01-01T00:00:00Z",
    expect: [
      ["2026-03-29T12:00:00Z", "2026-03-29T13:00:00Z"],
      ["2027-03-28T12:00:00Z", "2027-03-28T13:00:00Z"],
    ],
  },
  {
    name: "BYSETPOS=-1 over weekdays: the last working day of each month",
    events: [["UID:setpos", "DTSTART:20260130T170000Z", "DTEND:20260130T180000Z", "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"]],
    from: "2026-01-01T00:00:00Z",
    to: "2026-04-01T00:00:00Z",
    expect: [
      ["2026-01-30T17:00:00Z", "2026-01-30T18:00:00Z"],
      ["2026-02-27T17:00:00Z", "2026-02-27T18:00:00Z"],
      ["2026-03-31T17:00:00Z", "2026-03-31T18:00:00Z"],
    ],
  },
  {
    // RFC 5545 §3.3.10: BYSETPOS=-2 picks the second-to-last of the period's set; a one-element set has none.
    // (`rrule` picks the only element instead: a known divergence of that library.)
    name: "BYSETPOS=-2 on a one-element set selects nothing (only DTSTART remains)",
    events: [["UID:setpos2", "DTSTART:20260115T090000Z", "DTEND:20260115T100000Z", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15;BYSETPOS=-2"]],
    from: "2026-01-01T00:00:00Z",
    to: "2026-04-01T00:00:00Z",
    expect: [["2026-01-15T09:00:00Z", "2026-01-15T10:00:00Z"]],
  },
  {
    // A BYDAY list is a union (RFC 5545 §3.3.10): the first Tuesday and every Friday. (dateutil/`rrule` intersect them.)
    name: "BYDAY=1TU,FR mixes an ordinal and a plain weekday as a union",
    events: [["UID:mixed", "DTSTART:20260303T090000Z", "DTEND:20260303T100000Z", "RRULE:FREQ=MONTHLY;BYDAY=1TU,FR"]],
    from: "2026-03-01T00:00:00Z",
    to: "2026-04-01T00:00:00Z",
    expect: [
      ["2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"],
      ["2026-03-06T09:00:00Z", "2026-03-06T10:00:00Z"],
      ["2026-03-13T09:00:00Z", "2026-03-13T10:00:00Z"],
      ["2026-03-20T09:00:00Z", "2026-03-20T10:00:00Z"],
      ["2026-03-27T09:00:00Z", "2026-03-27T10:00:00Z"],
    ],
  },
  // ---- DST gaps: a nonexistent local time takes the offset before the gap (RFC 5545 §3.3.5) ----
  {
    // London springs forward on 29 March 2026 at 01:00 GMT: 01:30 does not exist → 01:30 GMT = 02:30 BST.
    name: "daily 01:30 Europe/London keeps the spring-forward day, an hour later on the wall",
    events: [["UID:gap-london", "DTSTART;TZID=Europe/London:20260328T013000", "DTEND;TZID=Europe/London:20260328T023000", "RRULE:FREQ=DAILY;COUNT=3"]],
    from: "2026-03-27T00:00:00Z",
    to: "2026-04-01T00:00:00Z",
    expect: [
      ["2026-03-28T01:30:00Z", "2026-03-28T02:30:00Z"],
      ["2026-03-29T01:30:00Z", "2026-03-29T02:30:00Z"],
      ["2026-03-30T00:30:00Z", "2026-03-30T01:30:00Z"],
    ],
  },
  {
    name: "the same gap in a zone the file defines itself (VTIMEZONE \"GMT Standard Time\")",
    events: [["UID:gap-vtz", "DTSTART;TZID=GMT Standard Time:20260328T013000", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3"]],
    from: "2026-03-27T00:00:00Z",
    to: "2026-04-01T00:00:00Z",
    expect: [
      ["2026-03-28T01:30:00Z", "2026-03-28T02:30:00Z"],
      ["2026-03-29T01:30:00Z", "2026-03-29T02:30:00Z"],
      ["2026-03-30T00:30:00Z", "2026-03-30T01:30:00Z"],
    ],
  },
  {
    // London falls back on 25 Oct 2026 at 02:00 BST: 01:30 happens twice; RFC 5545 §3.3.5 takes the first (BST, 00:30Z).
    name: "a repeated local time is the first of the two (IANA and file-defined zones alike)",
    events: [
      ["UID:fold-iana", "DTSTART;TZID=Europe/London:20261025T013000", "DURATION:PT15M"],
      ["UID:fold-vtz", "DTSTART;TZID=GMT Standard Time:20261025T013000", "DURATION:PT15M"],
    ],
    from: "2026-10-24T00:00:00Z",
    to: "2026-10-27T00:00:00Z",
    expect: [
      ["2026-10-25T00:30:00Z", "2026-10-25T00:45:00Z"],
      ["2026-10-25T00:30:00Z", "2026-10-25T00:45:00Z"],
    ],
  },
  {
    // Lord Howe: +10:30 → +11:00 on Sunday 4 October 2026 at 02:00; 02:15 is in the 30-minute gap.
    name: "Australia/Lord_Howe's 30-minute gap",
    events: [["UID:gap-lhi", "DTSTART;TZID=Australia/Lord_Howe:20261003T021500", "DURATION:PT30M", "RRULE:FREQ=DAILY;COUNT=3"]],
    from: "2026-10-01T00:00:00Z",
    to: "2026-10-10T00:00:00Z",
    expect: [
      ["2026-10-02T15:45:00Z", "2026-10-02T16:15:00Z"],
      ["2026-10-03T15:45:00Z", "2026-10-03T16:15:00Z"],
      ["2026-10-04T15:15:00Z", "2026-10-04T15:45:00Z"],
    ],
  },
  {
    name: "a TZID weekly series keeps its local time across DST (Berlin, 09:00 CET then CEST)",
    events: [["UID:berlin", "DTSTART;TZID=Europe/Berlin:20260323T090000", "DTEND;TZID=Europe/Berlin:20260323T100000", "RRULE:FREQ=WEEKLY;COUNT=2"]],
    from: "2026-03-01T00:00:00Z",
    to: "2026-04-30T00:00:00Z",
    expect: [
      ["2026-03-23T08:00:00Z", "2026-03-23T09:00:00Z"],
      ["2026-03-30T07:00:00Z", "2026-03-30T08:00:00Z"],
    ],
  },
  // ---- durations across DST (RFC 5545 §3.3.6): hours exact, days nominal ----
  {
    // London falls back on 25 October 2026 at 02:00 BST. 12:00 BST on the 24th = 11:00Z.
    name: "DURATION:PT24H across the autumn change is 24 hours",
    events: [["UID:pt24h", "DTSTART;TZID=Europe/London:20261024T120000", "DURATION:PT24H"]],
    from: "2026-10-01T00:00:00Z",
    to: "2026-11-01T00:00:00Z",
    expect: [["2026-10-24T11:00:00Z", "2026-10-25T11:00:00Z"]],
  },
  {
    name: "DURATION:P1D across the autumn change is 25 hours (same wall time next day)",
    events: [["UID:p1d", "DTSTART;TZID=Europe/London:20261024T120000", "DURATION:P1D", "RRULE:FREQ=DAILY;COUNT=2"]],
    from: "2026-10-01T00:00:00Z",
    to: "2026-11-01T00:00:00Z",
    expect: [
      ["2026-10-24T11:00:00Z", "2026-10-25T12:00:00Z"],
      ["2026-10-25T12:00:00Z", "2026-10-26T12:00:00Z"],
    ],
  },
  // ---- RDATE;VALUE=PERIOD and VALUE=DATE ----
  {
    name: "RDATE;VALUE=PERIOD adds periods with their own end or duration",
    events: [
      [
        "UID:period",
        "DTSTART:20260302T090000Z",
        "DTEND:20260302T100000Z",
        "RDATE;VALUE=PERIOD:20260305T140000Z/20260305T153000Z,20260306T080000Z/PT2H",
      ],
    ],
    from: "2026-03-01T00:00:00Z",
    to: "2026-03-10T00:00:00Z",
    expect: [
      ["2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"],
      ["2026-03-05T14:00:00Z", "2026-03-05T15:30:00Z"],
      ["2026-03-06T08:00:00Z", "2026-03-06T10:00:00Z"],
    ],
  },
  {
    name: "RDATE;VALUE=DATE on an all-day series (clinic zone Europe/Berlin, CET)",
    zone: "Europe/Berlin",
    events: [["UID:alldays", "DTSTART;VALUE=DATE:20260302", "DTEND;VALUE=DATE:20260303", "RDATE;VALUE=DATE:20260310"]],
    from: "2026-03-01T00:00:00Z",
    to: "2026-03-31T00:00:00Z",
    expect: [
      ["2026-03-01T23:00:00Z", "2026-03-02T23:00:00Z"],
      ["2026-03-09T23:00:00Z", "2026-03-10T23:00:00Z"],
    ],
  },
  // ---- EXDATE, UNTIL, overrides ----
  {
    name: "EXDATE in another notation (UTC) removes the TZID instance; UNTIL in UTC is inclusive",
    events: [
      [
        "UID:exdate",
        "DTSTART;TZID=Europe/Berlin:20260302T090000",
        "DTEND;TZID=Europe/Berlin:20260302T093000",
        "RRULE:FREQ=DAILY;UNTIL=20260305T080000Z",
        "EXDATE:20260303T080000Z",
      ],
    ],
    from: "2026-03-01T00:00:00Z",
    to: "2026-03-10T00:00:00Z",
    expect: [
      ["2026-03-02T08:00:00Z", "2026-03-02T08:30:00Z"],
      ["2026-03-04T08:00:00Z", "2026-03-04T08:30:00Z"],
      ["2026-03-05T08:00:00Z", "2026-03-05T08:30:00Z"],
    ],
  },
  {
    name: "an override moves an instance from outside the window into it",
    events: [
      ["UID:moved", "DTSTART:20260227T090000Z", "DTEND:20260227T100000Z", "RRULE:FREQ=WEEKLY;COUNT=2"],
      ["UID:moved", "RECURRENCE-ID:20260227T090000Z", "DTSTART:20260302T150000Z", "DTEND:20260302T160000Z"],
    ],
    from: "2026-03-01T00:00:00Z",
    to: "2026-03-10T00:00:00Z",
    expect: [
      ["2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z"],
      ["2026-03-06T09:00:00Z", "2026-03-06T10:00:00Z"],
    ],
  },
  // ---- rules that can never match, and bounds: refused per event, naming it (issue #8) ----
  {
    name: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 is refused, not looped on",
    events: [["UID:feb30", "SUMMARY:Never", "DTSTART:20260101T090000Z", "DTEND:20260101T100000Z", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"]],
    from: "2026-01-01T00:00:00Z",
    to: "2027-01-01T00:00:00Z",
    refused: ['Event "Never" (UID feb30)', "can never produce a date"],
  },
  {
    name: "31 February in a YEARLY rule is refused (never rolled over into March)",
    events: [["UID:feb31", "DTSTART:20260131T090000Z", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31"]],
    from: "2026-01-01T00:00:00Z",
    to: "2027-01-01T00:00:00Z",
    refused: ["UID feb31", "can never produce a date"],
  },
  {
    name: "BYYEARDAY=60 (29 Feb or 1 Mar) contradicts BYMONTH=1",
    events: [["UID:yd", "DTSTART:20260101T090000Z", "RRULE:FREQ=YEARLY;BYYEARDAY=60;BYMONTH=1"]],
    from: "2026-01-01T00:00:00Z",
    to: "2027-01-01T00:00:00Z",
    refused: ["UID yd", "can never produce a date"],
  },
  {
    name: "MONTHLY;BYDAY=6MO (no month has six Mondays)",
    events: [["UID:6mo", "DTSTART:20260101T090000Z", "RRULE:FREQ=MONTHLY;BYDAY=6MO"]],
    from: "2026-01-01T00:00:00Z",
    to: "2027-01-01T00:00:00Z",
    refused: ["UID 6mo", "can never produce a date"],
  },
  {
    name: "UNTIL before DTSTART",
    events: [["UID:until", "DTSTART:20260301T090000Z", "RRULE:FREQ=DAILY;UNTIL=20260201T000000Z"]],
    from: "2026-01-01T00:00:00Z",
    to: "2027-01-01T00:00:00Z",
    refused: ["UID until", "UNTIL is before its DTSTART"],
  },
  {
    name: "a non-uniform COUNT rule that would need millions of steps to reach the window is refused visibly",
    events: [["UID:minutely", "DTSTART:19700101T090000Z", "RRULE:FREQ=MINUTELY;BYHOUR=9;COUNT=1000000000"]],
    from: "2026-01-01T00:00:00Z",
    to: "2026-02-01T00:00:00Z",
    refused: ["UID minutely", "could not be expanded within"],
  },
];

describe("recurrence expansion (hand-computed RFC 5545 expectations)", () => {
  for (const row of rows)
    it(row.name, () => {
      const r = parseIcs(ics(...row.events), { clinicZone: row.zone ?? "UTC", fromMs: Date.parse(row.from), toMs: Date.parse(row.to) });
      if (row.refused) {
        expect(r.occurrences).toEqual([]);
        expect(r.failed).toHaveLength(1);
        for (const part of row.refused) expect(r.failed[0].message).toContain(part);
      } else {
        expect(r.failed).toEqual([]);
        expect(r.occurrences.map((o) => [iso(o.startMs), iso(o.endMs)])).toEqual(row.expect);
      }
    });

  it("keeps the other events of a file when one event is refused", () => {
    const r = parseIcs(
      ics(["UID:bad", "DTSTART:20260101T090000Z", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"], ["UID:good", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z"]),
      { clinicZone: "UTC", fromMs: Date.parse("2026-01-01T00:00:00Z"), toMs: Date.parse("2026-02-01T00:00:00Z") },
    );
    expect(r.failed.map((f) => f.uid)).toEqual(["bad"]);
    expect(r.occurrences.map((o) => o.uid)).toEqual(["good"]);
  });

  it("recurrence ids of expanded instances keep the series' notation (re-imports match)", () => {
    const r = parseIcs(ics(["UID:rid", "DTSTART;TZID=Europe/Berlin:20260302T090000", "DTEND;TZID=Europe/Berlin:20260302T100000", "RRULE:FREQ=DAILY;COUNT=2"]), {
      clinicZone: "UTC",
      fromMs: Date.parse("2026-03-01T00:00:00Z"),
      toMs: Date.parse("2026-03-10T00:00:00Z"),
    });
    expect(r.occurrences.map((o) => o.recurrenceId)).toEqual(["20260302T090000", "20260303T090000"]);
  });
});
