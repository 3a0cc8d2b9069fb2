// The pure Outlook mapping, table-driven: what we send (no PHI, zone, ids), what
// blocks the doctor, and Windows zone names.
import { describe, expect, it } from "vitest";
import {
  EVENT_SUBJECT,
  PROP_APPOINTMENT,
  fromGraphEvent,
  graphTime,
  parseGraphTime,
  toGraphEvent,
  transactionIdFor,
  type GraphEvent,
} from "../../../worker/providers/microsoft/mapping";
import { ianaZoneOf } from "../../../worker/providers/microsoft/zones";

const APPT = "0123456789abcdef0123456789abcdef";
const base = {
  appointmentId: APPT,
  doctorId: "d".repeat(32),
  clinicId: "c".repeat(32),
  version: 3,
  startMs: Date.parse("2026-07-06T08:00:00Z"),
  endMs: Date.parse("2026-07-06T08:30:00Z"),
  status: "scheduled",
  url: "https://acms.example/appointments/" + APPT,
  timeZone: "Europe/London",
};

describe("toGraphEvent", () => {
  it("carries no PHI: fixed subject, link only, private, busy, no attendees, our ids in our extended property", () => {
    const ev = toGraphEvent(base);
    expect(ev.subject).toBe(EVENT_SUBJECT);
    expect(ev.body.content).toBe(`Open in ACMS: ${base.url}`);
    expect(ev.showAs).toBe("busy");
    expect(ev.sensitivity).toBe("private");
    expect(ev).not.toHaveProperty("attendees");
    expect(ev).not.toHaveProperty("location");
    expect(ev.singleValueExtendedProperties).toContainEqual({ id: PROP_APPOINTMENT, value: APPT });
    expect(PROP_APPOINTMENT).toMatch(/^String \{[0-9a-f-]{36}\} Name acmsAppointmentId$/);
  });

  it("a Jitsi video link rides in the body (never as a location); a Teams meeting carries its own", () => {
    const url = "https://meet.jit.si/acms-00112233445566778899aabbccddeeff";
    const ev = toGraphEvent({ ...base, videoUrl: url });
    expect(ev.body.content).toBe(`Open in ACMS: ${base.url}\nVideo visit: ${url}`);
    expect(ev).not.toHaveProperty("location");
    const teams = toGraphEvent({ ...base, videoUrl: url, appointmentType: "video" }, { workAccount: true, teamsTypes: ["video"] });
    expect(teams.body.content).toBe(`Open in ACMS: ${base.url}`);
  });

  it.each([
    // [case, start UTC, zone, expected]
    ["summer in London (BST)", "2026-07-06T08:00:00Z", "Europe/London", { dateTime: "2026-07-06T09:00:00", timeZone: "Europe/London" }],
    ["winter in London (GMT)", "2026-12-07T09:00:00Z", "Europe/London", { dateTime: "2026-12-07T09:00:00", timeZone: "Europe/London" }],
    ["New York", "2026-12-07T14:30:00Z", "America/New_York", { dateTime: "2026-12-07T09:30:00", timeZone: "America/New_York" }],
    // 01:30 happens twice in London on 2026-10-25: written in UTC so it names the right instant.
    ["repeated autumn hour → UTC", "2026-10-25T01:30:00Z", "Europe/London", { dateTime: "2026-10-25T01:30:00", timeZone: "UTC" }],
  ])("start/end in the clinic's IANA zone: %s", (_c, iso, zone, want) => {
    expect(graphTime(Date.parse(iso), zone)).toEqual(want);
  });

  it("transactionId: the same for every retry of one create, new for a new version or a re-create", () => {
    expect(transactionIdFor(APPT, 3)).toBe(transactionIdFor(APPT, 3));
    expect(transactionIdFor(APPT, 4)).not.toBe(transactionIdFor(APPT, 3));
    expect(transactionIdFor(APPT, 3, "AAMkOld1")).not.toBe(transactionIdFor(APPT, 3));
    expect(transactionIdFor(APPT, 3, "AAMkOld1")).not.toBe(transactionIdFor(APPT, 3, "AAMkOld2"));
  });
});

const ev = (o: Partial<GraphEvent>): GraphEvent => ({
  id: "AAMk1",
  "@odata.etag": 'W/"abc"',
  lastModifiedDateTime: "2026-12-01T10:00:00Z",
  subject: "Dentist",
  start: { dateTime: "2026-12-07T12:00:00.0000000", timeZone: "UTC" },
  end: { dateTime: "2026-12-07T13:00:00.0000000", timeZone: "UTC" },
  showAs: "busy",
  type: "singleInstance",
  ...o,
});

describe("fromGraphEvent: what blocks", () => {
  it.each<[string, Partial<GraphEvent>, boolean]>([
    ["busy", {}, true],
    ["out of office", { showAs: "oof" }, true],
    ["working elsewhere", { showAs: "workingElsewhere" }, true],
    ["tentative (default: blocks)", { showAs: "tentative" }, true],
    ["unknown (better safe)", { showAs: "unknown" }, true],
    ["free", { showAs: "free" }, false],
    ["cancelled", { isCancelled: true }, false],
    ["declined by the doctor", { responseStatus: { response: "declined" } }, false],
    ["accepted invitation", { responseStatus: { response: "accepted" } }, true],
    ["occurrence of a series", { type: "occurrence", seriesMasterId: "M" }, true],
    ["moved occurrence (exception)", { type: "exception", seriesMasterId: "M" }, true],
    ["series master (its occurrences block instead)", { type: "seriesMaster" }, false],
    ["@removed", { "@removed": { reason: "deleted" } }, false],
    ["end before start", { end: { dateTime: "2026-12-07T11:00:00", timeZone: "UTC" } }, false],
    ["garbage time", { start: { dateTime: "tomorrow-ish", timeZone: "UTC" } }, false],
    ["unknown zone name", { start: { dateTime: "2026-12-07T12:00:00", timeZone: "Mars Standard Time" } }, false],
  ])("%s", (_c, o, blocks) => {
    expect(fromGraphEvent(ev(o), "Europe/London").blocks).toBe(blocks);
  });

  it("tentative does not block when the doctor turned it off", () => {
    expect(fromGraphEvent(ev({ showAs: "tentative" }), "Europe/London", { blockTentative: false }).blocks).toBe(false);
  });

  it("all-day events block the clinic-zone day(s), not UTC days", () => {
    const item = fromGraphEvent(
      ev({ isAllDay: true, start: { dateTime: "2026-07-06T00:00:00.0000000", timeZone: "UTC" }, end: { dateTime: "2026-07-08T00:00:00.0000000", timeZone: "UTC" } }),
      "Europe/London",
    );
    expect(item.timing).toEqual({ startMs: Date.parse("2026-07-05T23:00:00Z"), endMs: Date.parse("2026-07-07T23:00:00Z"), allDay: true });
  });

  it("reads etag, lastModifiedDateTime, our appointment id (only a well-formed one)", () => {
    const ours = fromGraphEvent(ev({ singleValueExtendedProperties: [{ id: PROP_APPOINTMENT, value: APPT }] }), "UTC");
    expect(ours).toMatchObject({ id: "AAMk1", etag: 'W/"abc"', updatedMs: Date.parse("2026-12-01T10:00:00Z"), appointmentId: APPT, title: "Dentist" });
    expect(fromGraphEvent(ev({ singleValueExtendedProperties: [{ id: PROP_APPOINTMENT, value: "x' or 1=1" }] }), "UTC").appointmentId).toBeNull();
  });

  it("delta answers carry no extended properties: our event is recognised by the transactionId we created it with", () => {
    expect(fromGraphEvent(ev({ transactionId: transactionIdFor(APPT, 3) }), "UTC").appointmentId).toBe(APPT);
    expect(fromGraphEvent(ev({ transactionId: transactionIdFor(APPT, 4, "AAMkOld") }), "UTC").appointmentId).toBe(APPT);
    // Another app's transactionId, or one that only looks like ours: not ours.
    expect(fromGraphEvent(ev({ transactionId: "7E163156-7762-4BEB-A1C6-729EA81755A7" }), "UTC").appointmentId).toBeNull();
    expect(fromGraphEvent(ev({ transactionId: `acms-${APPT}-v3-x` }), "UTC").appointmentId).toBeNull();
    expect(fromGraphEvent(ev({}), "UTC").appointmentId).toBeNull();
  });
});

describe("Windows zone names (CLDR windowsZones via windows-iana)", () => {
  it.each([
    ["W. Europe Standard Time", "Europe/Berlin"],
    ["GMT Standard Time", "Europe/London"],
    ["Pacific Standard Time", "America/Los_Angeles"],
    ["Eastern Standard Time", "America/New_York"],
    ["India Standard Time", "Asia/Calcutta"],
    ["UTC", "UTC"],
    ["Europe/Paris", "Europe/Paris"],
    ["Not A Zone", null],
    ["", null],
  ])("%s → %s", (win, iana) => {
    const got = ianaZoneOf(win);
    if (iana === "Asia/Calcutta") expect(["Asia/Calcutta", "Asia/Kolkata"]).toContain(got);
    else expect(got).toBe(iana);
  });

  it("an event time in a Windows zone is read as that zone's wall time", () => {
    // 09:00 in Berlin in winter = 08:00 UTC.
    expect(parseGraphTime({ dateTime: "2026-12-07T09:00:00.0000000", timeZone: "W. Europe Standard Time" })?.ms).toBe(Date.parse("2026-12-07T08:00:00Z"));
    expect(parseGraphTime({ dateTime: "2026-12-07T09:00:00.0000000", timeZone: "UTC" })?.ms).toBe(Date.parse("2026-12-07T09:00:00Z"));
  });
});
