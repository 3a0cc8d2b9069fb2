import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { BUSY_SUMMARY, initialsOf, renderCalendar, type IcsAppointment, type IcsClinic } from "../../../worker/ics/render";

const clinic = (over: Partial<IcsClinic> = {}): IcsClinic => ({
  id: "c".repeat(32),
  name: "Praxis Süd, Berlin; Mitte",
  timeZone: "Europe/Berlin",
  address: "Hauptstraße 1, 10115 Berlin",
  domain: "praxis.example",
  reminderMinutes: [1440, 60],
  ...over,
});

const appt = (over: Partial<IcsAppointment> = {}): IcsAppointment => ({
  id: "a".repeat(32),
  doctorId: "d".repeat(32),
  doctorName: "Dr. Müller",
  patientName: "Zoë Ångström-Łukasz",
  patientEmail: "zoe@example.org",
  startMs: Date.parse("2026-03-29T07:30:00Z"), // Berlin: the morning after the spring-forward night
  endMs: Date.parse("2026-03-29T08:00:00Z"),
  type: "follow_up",
  status: "confirmed",
  version: 3,
  createdAt: Date.parse("2026-01-01T10:00:00Z"),
  updatedAt: Date.parse("2026-01-02T10:00:00Z"),
  ...over,
});

function parse(text: string) {
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const tz of comp.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
  return comp;
}

describe("renderCalendar", () => {
  it("writes CRLF lines folded at 75 octets and parses back with ical.js", () => {
    const long = "Ä".repeat(60) + ", with; commas\nand a newline";
    const text = renderCalendar({ clinic: clinic({ address: long }), appointments: [appt()], privacy: "full", appUrl: "https://acms.example" });
    expect(text.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/); // no bare CR or LF
    for (const line of text.split("\r\n")) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    const ev = parse(text).getFirstSubcomponent("vevent")!;
    expect(ev.getFirstPropertyValue("location")).toBe(long); // escaping of , ; \n round-trips
    expect(text).toContain("\\,");
    expect(text).toContain("\\;");
    expect(text).toContain("\\n");
    const summary = String(ev.getFirstPropertyValue("summary"));
    expect(summary).toContain("Zoë Ångström-Łukasz");
    expect(summary).toContain("Dr. Müller");
  });

  it("sets UID, SEQUENCE, STATUS, URL, DTSTAMP and two VALARMs", () => {
    const text = renderCalendar({ clinic: clinic(), appointments: [appt()], privacy: "full", appUrl: "https://acms.example/" });
    const ev = parse(text).getFirstSubcomponent("vevent")!;
    expect(ev.getFirstPropertyValue("uid")).toBe(`${"a".repeat(32)}@praxis.example`);
    expect(ev.getFirstPropertyValue("sequence")).toBe(2);
    expect(ev.getFirstPropertyValue("status")).toBe("CONFIRMED");
    expect(ev.getFirstPropertyValue("url")).toBe(`https://acms.example/appointments/${"a".repeat(32)}`);
    expect(text).toMatch(/\r\nDTSTAMP:20260102T100000Z\r\n/);
    const alarms = ev.getAllSubcomponents("valarm").map((a) => String(a.getFirstPropertyValue("trigger")));
    expect(alarms).toEqual(["-P1D", "-PT1H"]);
    expect(text).not.toMatch(/^METHOD:/m);
  });

  it("maps statuses: scheduled → TENTATIVE, cancelled → CANCELLED without alarms", () => {
    const text = renderCalendar({
      clinic: clinic(),
      appointments: [appt({ id: "1".repeat(32), status: "scheduled" }), appt({ id: "2".repeat(32), status: "cancelled" })],
      privacy: "busy",
      appUrl: "https://acms.example",
    });
    const evs = parse(text).getAllSubcomponents("vevent");
    expect(evs.map((e) => e.getFirstPropertyValue("status"))).toEqual(["TENTATIVE", "CANCELLED"]);
    expect(evs[1].getAllSubcomponents("valarm")).toHaveLength(0);
  });

  it("writes wall-clock times with TZID and a VTIMEZONE that resolves correctly on both sides of DST (Europe/Berlin)", () => {
    const winter = appt({ id: "1".repeat(32), startMs: Date.parse("2026-03-28T08:00:00Z"), endMs: Date.parse("2026-03-28T08:30:00Z") });
    const summer = appt({ id: "2".repeat(32), startMs: Date.parse("2026-03-30T07:00:00Z"), endMs: Date.parse("2026-03-30T07:30:00Z") });
    const autumn = appt({ id: "3".repeat(32), startMs: Date.parse("2026-10-25T09:00:00Z"), endMs: Date.parse("2026-10-25T09:30:00Z") });
    const text = renderCalendar({ clinic: clinic(), appointments: [winter, summer, autumn], privacy: "busy", appUrl: "https://x" });
    expect(text).toContain("DTSTART;TZID=Europe/Berlin:20260328T090000");
    expect(text).toContain("DTSTART;TZID=Europe/Berlin:20260330T090000");
    expect(text).toContain("DTSTART;TZID=Europe/Berlin:20261025T100000");
    const comp = parse(text);
    expect(comp.getAllSubcomponents("vtimezone")).toHaveLength(1);
    const starts = comp.getAllSubcomponents("vevent").map((e) => (e.getFirstPropertyValue("dtstart") as ICAL.Time).toJSDate().toISOString());
    expect(starts).toEqual(["2026-03-28T08:00:00.000Z", "2026-03-30T07:00:00.000Z", "2026-10-25T09:00:00.000Z"]);
  });

  it("handles a zone without DST (Asia/Kolkata, +05:30)", () => {
    const a = appt({ startMs: Date.parse("2026-07-01T04:00:00Z"), endMs: Date.parse("2026-07-01T04:15:00Z") });
    const text = renderCalendar({ clinic: clinic({ timeZone: "Asia/Kolkata" }), appointments: [a], privacy: "busy", appUrl: "https://x" });
    expect(text).toContain("DTSTART;TZID=Asia/Kolkata:20260701T093000");
    expect(text).not.toContain("BEGIN:DAYLIGHT");
    const ev = parse(text).getFirstSubcomponent("vevent")!;
    expect((ev.getFirstPropertyValue("dtend") as ICAL.Time).toJSDate().toISOString()).toBe("2026-07-01T04:15:00.000Z");
  });

  it("falls back to UTC times for UTC clinics", () => {
    const text = renderCalendar({ clinic: clinic({ timeZone: "UTC" }), appointments: [appt()], privacy: "busy", appUrl: "https://x" });
    expect(text).toContain("DTSTART:20260329T073000Z");
    expect(text).not.toContain("VTIMEZONE");
  });

  it("keeps privacy levels: busy has no names, minimal only initials, none has notes", () => {
    const a = appt();
    const busy = renderCalendar({ clinic: clinic(), appointments: [a], privacy: "busy", appUrl: "https://x" });
    const minimal = renderCalendar({ clinic: clinic(), appointments: [a], privacy: "minimal", appUrl: "https://x" });
    for (const t of [busy, minimal]) {
      const unfolded = t.replace(/\r\n[ \t]/g, "");
      expect(unfolded).not.toContain("Zoë");
      expect(unfolded).not.toContain("Ångström");
      expect(unfolded).not.toContain("zoe@example.org");
    }
    expect(parse(busy).getFirstSubcomponent("vevent")!.getFirstPropertyValue("summary")).toBe(BUSY_SUMMARY);
    expect(busy).not.toContain("Müller");
    expect(parse(minimal).getFirstSubcomponent("vevent")!.getFirstPropertyValue("summary")).toBe("Z.Å.Ł. - Follow up");
  });

  it("writes METHOD, ORGANIZER and ATTENDEE for invites, and escapes the calendar name", () => {
    const text = renderCalendar({
      clinic: clinic(),
      appointments: [appt()],
      privacy: "full",
      appUrl: "https://x",
      method: "CANCEL",
      calendarName: "Praxis, Süd",
      organizer: { name: "Praxis Süd", email: "calendar@praxis.example" },
    });
    const comp = parse(text);
    expect(comp.getFirstPropertyValue("method")).toBe("CANCEL");
    // NAME and X-WR-CALNAME are TEXT: the comma must be escaped (ical.js keeps x-props raw).
    expect(text).toContain("\r\nNAME:Praxis\\, Süd\r\n");
    expect(text).toContain("\r\nX-WR-CALNAME:Praxis\\, Süd\r\n");
    const ev = comp.getFirstSubcomponent("vevent")!;
    expect(ev.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(String(ev.getFirstPropertyValue("organizer")).toLowerCase()).toBe("mailto:calendar@praxis.example");
    expect(String(ev.getFirstPropertyValue("attendee")).toLowerCase()).toBe("mailto:zoe@example.org");
  });

  it("computes initials", () => {
    expect(initialsOf("Jane Q. Doe")).toBe("J.Q.D.");
    expect(initialsOf("  öz şahin ")).toBe("Ö.Ş.");
    expect(initialsOf("")).toBe("");
  });
});

describe("renderCalendarMemo", () => {
  it("gives byte-identical output to renderCalendar, on first render and from the memo, for every mode", async () => {
    const { renderCalendarMemo, clearRenderMemo } = await import("../../../worker/ics/memo-render");
    clearRenderMemo();
    const many = Array.from({ length: 40 }, (_, i) =>
      appt({
        id: i.toString(16).padStart(32, "0"),
        startMs: Date.parse("2026-03-20T08:00:00Z") + i * 86400_000, // crosses the Berlin DST change
        endMs: Date.parse("2026-03-20T08:30:00Z") + i * 86400_000,
        status: (["scheduled", "confirmed", "cancelled"] as const)[i % 3],
        patientName: i % 2 ? "Zoë Ångström-Łukasz, \"Jr.\"; x" : "Plain Name",
      }),
    );
    const modes = [
      { privacy: "busy" as const, compact: true, ttlSeconds: 900, calendarName: "Dr. Müller - Praxis, Süd" },
      { privacy: "minimal" as const, compact: true },
      { privacy: "full" as const },
      { privacy: "full" as const, method: "REQUEST" as const, organizer: { name: "Praxis", email: "cal@praxis.example" }, stampMs: 1 },
    ];
    for (const m of modes) {
      const o = { clinic: clinic(), appointments: many, appUrl: "https://acms.example/with/a/rather/long/base/path", ...m };
      const plain = renderCalendar(o);
      expect(renderCalendarMemo(o)).toBe(plain); // fills the memo
      expect(renderCalendarMemo(o)).toBe(plain); // served from the memo
    }
    // A changed appointment (new version) is re-rendered, not served stale.
    const o = { clinic: clinic(), appointments: many, appUrl: "https://x", privacy: "minimal" as const, compact: true };
    renderCalendarMemo(o);
    const changed = many.map((a, i) => (i === 5 ? { ...a, version: a.version + 1, updatedAt: a.updatedAt + 1000, startMs: a.startMs + 3600_000, endMs: a.endMs + 3600_000 } : a));
    expect(renderCalendarMemo({ ...o, appointments: changed })).toBe(renderCalendar({ ...o, appointments: changed }));
  });
});
