// Pure CalDAV mapping, table-driven: our VEVENT (rendered by worker/ics/render.ts) and
// resources → engine items (expanded by worker/ics/import.ts parseIcs).
import { describe, expect, it } from "vitest";
import { goneItem, itemsOfResource, renderOwnEvent } from "../../../worker/providers/caldav/mapping";

const appt = {
  appointmentId: "0123456789abcdef0123456789abcdef",
  doctorId: "d".repeat(32),
  clinicId: "c".repeat(32),
  version: 3,
  startMs: Date.parse("2026-07-06T09:00:00Z"),
  endMs: Date.parse("2026-07-06T09:30:00Z"),
  status: "confirmed",
  url: "https://acms.example/appointments/0123456789abcdef0123456789abcdef",
  timeZone: "Europe/Berlin",
};
const window = { startMs: Date.parse("2026-07-01T00:00:00Z"), endMs: Date.parse("2026-08-01T00:00:00Z") };
const opts = { zone: "Europe/London", window, ownAddresses: ["mailto:me@icloud.test"] };
const cal = (...lines: string[]) => ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:x", ...lines, "END:VCALENDAR"].join("\r\n");

describe("renderOwnEvent", () => {
  const text = renderOwnEvent(appt, { name: "Riverside Clinic", domain: "riverside.example" }, Date.parse("2026-06-01T10:00:00Z"));
  const lines = text.replace(/\r\n[ \t]/g, "").split("\r\n");
  it.each([
    ["SUMMARY:Patient Appointment"],
    [`UID:${appt.appointmentId}@riverside.example`],
    ["SEQUENCE:2"],
    ["CLASS:PRIVATE"],
    ["TRANSP:OPAQUE"],
    ["DTSTART;TZID=Europe/Berlin:20260706T110000"],
    ["DTEND;TZID=Europe/Berlin:20260706T113000"],
    [`X-ACMS-APPOINTMENT-ID:${appt.appointmentId}`],
    ["X-ACMS-VERSION:3"],
    [`URL;VALUE=URI:${appt.url}`],
  ])("has %s", (line) => expect(lines).toContain(line));
  it("has a VTIMEZONE, no VALARM, one VEVENT", () => {
    expect(text).toContain("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin");
    expect(text).not.toContain("VALARM");
    expect(text.match(/BEGIN:VEVENT/g)).toHaveLength(1);
  });
  it("round-trips as ours with its timing", () => {
    const { own, items } = itemsOfResource({ href: "/cal/x.ics", etag: '"1"', ics: text }, opts);
    expect(own).toBe(true);
    expect(items).toEqual([
      expect.objectContaining({ id: "/cal/x.ics", appointmentId: appt.appointmentId, timing: { startMs: appt.startMs, endMs: appt.endMs, allDay: false }, updatedMs: Date.parse("2026-06-01T10:00:00Z") }),
    ]);
  });
});

describe("itemsOfResource (foreign)", () => {
  const ev = (...l: string[]) => ["BEGIN:VEVENT", "UID:u1", "DTSTAMP:20260601T000000Z", ...l, "END:VEVENT"].join("\r\n");
  const cases: [string, string, { blocks: boolean[]; starts?: string[] }][] = [
    ["busy", cal(ev("DTSTART:20260706T120000Z", "DTEND:20260706T130000Z")), { blocks: [true], starts: ["2026-07-06T12:00:00.000Z"] }],
    ["transparent", cal(ev("TRANSP:TRANSPARENT", "DTSTART:20260706T120000Z", "DTEND:20260706T130000Z")), { blocks: [false] }],
    ["cancelled", cal(ev("STATUS:CANCELLED", "DTSTART:20260706T120000Z", "DTEND:20260706T130000Z")), { blocks: [false] }],
    ["declined by me", cal(ev("DTSTART:20260706T120000Z", "DTEND:20260706T130000Z", "ATTENDEE;PARTSTAT=DECLINED:mailto:ME@icloud.test")), { blocks: [false] }],
    ["declined by someone else", cal(ev("DTSTART:20260706T120000Z", "DTEND:20260706T130000Z", "ATTENDEE;PARTSTAT=DECLINED:mailto:other@x.test")), { blocks: [true] }],
    ["floating time → clinic zone", cal(ev("DTSTART:20260706T120000", "DTEND:20260706T130000")), { blocks: [true], starts: ["2026-07-06T11:00:00.000Z"] }],
    ["all-day (London midnight in summer)", cal(ev("DTSTART;VALUE=DATE:20260706", "DTEND;VALUE=DATE:20260707")), { blocks: [true], starts: ["2026-07-05T23:00:00.000Z"] }],
    ["daily x3 with an EXDATE", cal(ev("DTSTART:20260706T070000Z", "DTEND:20260706T080000Z", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20260707T070000Z")), { blocks: [true, true], starts: ["2026-07-06T07:00:00.000Z", "2026-07-08T07:00:00.000Z"] }],
    ["outside the window", cal(ev("DTSTART:20270706T120000Z", "DTEND:20270706T130000Z")), { blocks: [] }],
  ];
  for (const [name, text, want] of cases)
    it(name, () => {
      const { own, items } = itemsOfResource({ href: "/cal/e.ics", etag: '"e"', ics: text }, opts);
      expect(own).toBe(false);
      expect(items.map((i) => i.blocks)).toEqual(want.blocks);
      if (want.starts) expect(items.map((i) => new Date(i.timing!.startMs).toISOString())).toEqual(want.starts);
      for (const i of items) expect(i.id.startsWith("/cal/e.ics_")).toBe(true);
    });

  it("unparseable text throws (the client skips that resource)", () => {
    expect(() => itemsOfResource({ href: "/x.ics", etag: null, ics: "garbage" }, opts)).toThrow();
  });
  it("a gone resource drops everything under its href", () => {
    expect(goneItem("/cal/e.ics")).toMatchObject({ id: "/cal/e.ics", cancelled: true, blocks: false });
  });
});
