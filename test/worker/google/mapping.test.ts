// Mapping between ACMS appointments and Google events: privacy on the way out,
// busy/free semantics on the way in. Table-driven.
import { describe, expect, it } from "vitest";
import { fromGoogleEvent, toGoogleEvent, isValidGoogleEventId, EVENT_SUMMARY, type GoogleEvent } from "../../../worker/providers/google/mapping";
import type { OutboundAppointment } from "../../../worker/providers/provider";

const appt: OutboundAppointment = {
  appointmentId: "0123456789abcdef0123456789abcdef",
  doctorId: "d".repeat(32),
  clinicId: "c".repeat(32),
  version: 4,
  startMs: Date.parse("2026-03-10T09:00:00Z"),
  endMs: Date.parse("2026-03-10T09:30:00Z"),
  status: "confirmed",
  url: "https://acms.example/appointments/0123456789abcdef0123456789abcdef",
  timeZone: "Europe/Berlin",
};

describe("Appointment → Google event", () => {
  const ev = toGoogleEvent(appt);
  it("uses the appointment id as a valid base32hex event id", () => {
    expect(ev.id).toBe(appt.appointmentId);
    expect(isValidGoogleEventId(ev.id)).toBe(true);
  });
  it("carries no PHI: fixed summary, link-only description, our ids privately", () => {
    expect(ev.summary).toBe(EVENT_SUMMARY);
    expect(ev.description).toBe(appt.url);
    expect(Object.keys(ev).sort()).toEqual(
      ["colorId", "description", "end", "extendedProperties", "id", "start", "status", "summary", "transparency", "visibility"].sort(),
    );
    expect(ev.extendedProperties.private.acmsAppointmentId).toBe(appt.appointmentId);
    expect(ev).not.toHaveProperty("attendees");
  });
  it("writes explicit instants with the clinic zone and blocks time", () => {
    expect(ev.start).toEqual({ dateTime: "2026-03-10T09:00:00.000Z", timeZone: "Europe/Berlin" });
    expect(ev.transparency).toBe("opaque");
  });
  it.each([
    ["scheduled", "7"],
    ["confirmed", "10"],
    ["completed", "8"],
    ["no_show", "11"],
  ])("status %s → colorId %s", (status, color) => {
    expect(toGoogleEvent({ ...appt, status }).colorId).toBe(color);
  });
  it("a video visit's link (not PHI) is the event's location and in its description; no link, no location", () => {
    const v = toGoogleEvent({ ...appt, videoUrl: "https://meet.jit.si/acms-00112233445566778899aabbccddeeff" });
    expect(v.location).toBe("https://meet.jit.si/acms-00112233445566778899aabbccddeeff");
    expect(v.description).toBe(`${appt.url}\nVideo visit: https://meet.jit.si/acms-00112233445566778899aabbccddeeff`);
    expect("location" in toGoogleEvent(appt)).toBe(false);
  });

  it("refuses an id Google would reject", () => {
    expect(() => toGoogleEvent({ ...appt, appointmentId: "not-an-id!" })).toThrow();
    expect(isValidGoogleEventId("abcd")).toBe(false); // shorter than 5
    expect(isValidGoogleEventId("abcdw")).toBe(false); // w is outside base32hex
  });
});

const tz = "Europe/Berlin";
const timed = (o: Partial<GoogleEvent> = {}): GoogleEvent => ({
  id: "lunch1",
  status: "confirmed",
  etag: '"1"',
  updated: "2026-03-01T10:00:00.000Z",
  summary: "Lunch with Sam",
  start: { dateTime: "2026-03-10T12:00:00+01:00" },
  end: { dateTime: "2026-03-10T13:00:00+01:00" },
  ...o,
});

describe("Google event → busy interval", () => {
  const rows: [string, GoogleEvent, { blocks: boolean; start?: string; end?: string; allDay?: boolean; cancelled?: boolean }][] = [
    ["timed opaque event blocks", timed(), { blocks: true, start: "2026-03-10T11:00:00.000Z", end: "2026-03-10T12:00:00.000Z", allDay: false }],
    ["transparent (free) does not block", timed({ transparency: "transparent" }), { blocks: false }],
    ["declined invitation does not block", timed({ attendees: [{ self: true, responseStatus: "declined" }, { responseStatus: "accepted" }] }), { blocks: false }],
    ["accepted invitation blocks", timed({ attendees: [{ self: true, responseStatus: "accepted" }] }), { blocks: true }],
    ["someone else declining does not matter", timed({ attendees: [{ responseStatus: "declined" }] }), { blocks: true }],
    ["all-day: local midnight to midnight, end exclusive", timed({ start: { date: "2026-03-10" }, end: { date: "2026-03-11" } }), { blocks: true, start: "2026-03-09T23:00:00.000Z", end: "2026-03-10T23:00:00.000Z", allDay: true }],
    ["all-day across DST start (23 h day)", timed({ start: { date: "2026-03-29" }, end: { date: "2026-03-30" } }), { blocks: true, start: "2026-03-28T23:00:00.000Z", end: "2026-03-29T22:00:00.000Z", allDay: true }],
    ["multi-day all-day", timed({ start: { date: "2026-03-10" }, end: { date: "2026-03-13" } }), { blocks: true, start: "2026-03-09T23:00:00.000Z", end: "2026-03-12T23:00:00.000Z" }],
    ["cancelled item (incremental) → removal", { id: "x1", status: "cancelled" }, { blocks: false, cancelled: true }],
    ["tentative still blocks", timed({ status: "tentative" }), { blocks: true }],
    ["recurring instance blocks like any event", timed({ id: "abc_20260310T110000Z", recurringEventId: "abc" }), { blocks: true }],
    ["broken times do not crash, do not block", timed({ start: { dateTime: "garbage" } }), { blocks: false }],
  ];
  it.each(rows)("%s", (_n, ev, want) => {
    const item = fromGoogleEvent(ev, tz);
    expect(item.blocks).toBe(want.blocks);
    if (want.start) expect(new Date(item.timing!.startMs).toISOString()).toBe(want.start);
    if (want.end) expect(new Date(item.timing!.endMs).toISOString()).toBe(want.end);
    if (want.allDay !== undefined) expect(item.timing!.allDay).toBe(want.allDay);
    if (want.cancelled) expect(item.cancelled).toBe(true);
  });
  it("recognises our own events by the private appointment id", () => {
    const item = fromGoogleEvent(timed({ extendedProperties: { private: { acmsAppointmentId: appt.appointmentId } } }), tz);
    expect(item.appointmentId).toBe(appt.appointmentId);
    expect(fromGoogleEvent(timed({ extendedProperties: { private: { acmsAppointmentId: "x" } } }), tz).appointmentId).toBeNull();
  });
});

describe("the status our own event shows (cheap reconnect, issue 9)", () => {
  it.each([
    ["scheduled", "scheduled"],
    ["confirmed", "confirmed"],
    ["completed", "completed"],
    ["no_show", "no_show"],
  ])("an event written for %s reads back as %s", (status, shown) => {
    const written = { ...toGoogleEvent({ ...appt, status }), etag: '"1"', updated: "2026-03-01T10:00:00Z" } as GoogleEvent;
    expect(fromGoogleEvent(written, "Europe/Berlin").shownStatus).toBe(shown);
  });
  it("a colour we never write on our event → null (unknown: the reconnect writes it); foreign events carry no shownStatus", () => {
    const recoloured = { ...toGoogleEvent(appt), colorId: "3" } as GoogleEvent;
    expect(fromGoogleEvent(recoloured, "Europe/Berlin").shownStatus).toBeNull();
    const foreign: GoogleEvent = { id: "abcde12345", start: { dateTime: "2026-03-10T09:00:00Z" }, end: { dateTime: "2026-03-10T10:00:00Z" }, colorId: "10" };
    expect("shownStatus" in fromGoogleEvent(foreign, "Europe/Berlin")).toBe(false);
  });
});
