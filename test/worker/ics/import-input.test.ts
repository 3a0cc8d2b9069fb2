// Import input rules: folds unfolded on octets (a fold may split a UTF-8
// character), invalid DATE/DATE-TIME values refused with the JSON API's rules, and
// unknown TZIDs reported instead of read in the clinic's zone. The preview lists each
// bad event in `refused` with why (the good ones are still planned); a commit of such
// a file is refused whole with 422, nothing written.
import { describe, expect, it } from "vitest";
import { decodeIcs, unfoldOctets } from "../../../worker/ics/import-decode";
import { dateValueProblem } from "../../../worker/ics/import-validate";
import { authed, countRows, makeClinic } from "../../helpers";

const WINDOW = "from=2027-01-01T00:00:00Z&to=2027-12-31T00:00:00Z";
const cal = (...events: string[]) => ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", ...events, "END:VCALENDAR", ""].join("\r\n");
const ev = (uid: string, ...lines: string[]) => ["BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20270101T000000Z", ...lines, "END:VEVENT"].join("\r\n");

function upload(token: string, doctorId: string, body: BodyInit, query: string) {
  return authed(token)(`/api/doctors/${doctorId}/import/ics?${query}`, { method: "POST", body, headers: { "content-type": "text/calendar" } });
}

describe("octet unfolding", () => {
  it("joins a fold that splits a UTF-8 sequence before decoding", () => {
    const enc = new TextEncoder();
    // "SUMMARY:Ä" with the fold between C3 and 84, as a writer folding at 75 octets may do.
    const bytes = new Uint8Array([...enc.encode("SUMMARY:"), 0xc3, 0x0d, 0x0a, 0x20, 0x84, ...enc.encode("rztin\r\n")]);
    expect(decodeIcs(bytes)).toBe("SUMMARY:Ärztin\r\n");
    // Tab folds and bare-LF folds too; a line break not followed by whitespace stays.
    expect(new TextDecoder().decode(unfoldOctets(enc.encode("A:x\r\n\ty\nB:z\n y\r\n")))).toBe("A:xy\nB:zy\r\n");
    expect(() => decodeIcs(new Uint8Array([0x41, 0xc3, 0x0d, 0x0a, 0x41]))).toThrow();
  });

  it("imports the summary intact through the API (labels=summary)", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    const enc = new TextEncoder();
    const head = enc.encode(cal(ev("fold@test", "DTSTART:20270301T090000Z", "DTEND:20270301T100000Z", "SUMMARY:Termin bei der Hausärztin")).split("SUMMARY:")[0] + "SUMMARY:Termin bei der Haus");
    const tail = enc.encode("rztin\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    const body = new Uint8Array([...head, 0xc3, 0x0d, 0x0a, 0x20, 0xa4, ...tail]); // "ä" = C3 A4, folded in between
    const res = await upload(d.token, d.doctor.id, body, `${WINDOW}&labels=summary`);
    expect(res.status).toBe(201);
    const row = await (await import("cloudflare:workers")).env.DB.prepare("SELECT label FROM blocked_times WHERE doctor_id = ?").bind(d.doctor.id).first<{ label: string }>();
    expect(row?.label).toBe("Termin bei der Hausärztin");
  });
});

describe("invalid dates and unknown time zones", () => {
  it.each([
    ["2027-02-30", "date", "20270230 is not a real calendar date"],
    ["2027-02-30T::", "date-time", "20270230 is not a real calendar date"],
    ["2026-02-29T10:00:00Z", "date-time", "20260229T100000Z is not a real calendar date"],
    ["2028-02-29T10:00:00Z", "date-time", null],
    ["2027-13-01", "date", "20271301 is not a real calendar date"],
    ["2027-01-01T24:00:00", "date-time", "20270101T240000 is not a real time of day"],
    ["2027-01-01T10:60:00", "date-time", "20270101T106000 is not a real time of day"],
    ["2027-01-01T10:00:60Z", "date-time", "20270101T100060Z is not a real time of day"],
    ["1850-06-01", "date", "18500601 is outside the years 1900–2200"],
    ["9999-12-31T00:00:00Z", "date-time", "99991231T000000Z is outside the years 1900–2200"],
    ["2027-01-3", "date", "2027013 is not a valid DATE"],
    ["2027-03-01T09:00:00Z", "date-time", null],
  ])("dateValueProblem(%j, %s) → %j", (value, type, want) => {
    expect(dateValueProblem(value, type)).toBe(want);
  });

  it("lists each bad event as refused in the preview, refuses the commit whole, and never reads an unknown zone as the clinic's", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    const file = cal(
      ev("good@test", "DTSTART:20270301T090000Z", "DTEND:20270301T100000Z"),
      ev("feb30@test", "DTSTART:20270230", "SUMMARY:impossible"),
      ev("feb30-date@test", "DTSTART;VALUE=DATE:20270230"),
      ev("hour25@test", "DTSTART:20270301T090000Z", "DTEND:20270301T250000Z"),
      ev("exdate@test", "DTSTART:20270301T090000Z", "DTEND:20270301T100000Z", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20270132T090000Z"),
      ev("until@test", "DTSTART:20270301T090000Z", "DTEND:20270301T100000Z", "RRULE:FREQ=DAILY;UNTIL=20270231T000000Z"),
      ev("mars@test", "DTSTART;TZID=Mars/Olympus_Mons:20270301T090000", "DTEND;TZID=Mars/Olympus_Mons:20270301T100000"),
      // An override with a bad RECURRENCE-ID takes its whole event (same UID) out.
      ev("series@test", "DTSTART:20270302T090000Z", "DTEND:20270302T100000Z", "RRULE:FREQ=DAILY;COUNT=2"),
      ev("series@test", "RECURRENCE-ID:20270231T090000Z", "DTSTART:20270302T120000Z", "DTEND:20270302T130000Z"),
    );
    const preview = await upload(d.token, d.doctor.id, file, `${WINDOW}&preview=1`);
    expect(preview.status).toBe(200);
    const p = await preview.json<any>();
    const byUid = Object.fromEntries(p.refused.map((x: any) => [x.uid, x.message]));
    expect(byUid).toEqual({
      "feb30@test": 'Event "impossible" (UID feb30@test): DTSTART 20270230 is not a real calendar date',
      "feb30-date@test": 'Event "feb30-date@test" (UID feb30-date@test): DTSTART 20270230 is not a real calendar date',
      "hour25@test": 'Event "hour25@test" (UID hour25@test): DTEND 20270301T250000Z is not a real time of day',
      "exdate@test": 'Event "exdate@test" (UID exdate@test): EXDATE 20270132T090000Z is not a real calendar date',
      "until@test": 'Event "until@test" (UID until@test): RRULE UNTIL 20270231T000000Z is not a real calendar date',
      "mars@test": 'Event "mars@test" (UID mars@test): DTSTART uses the time zone "Mars/Olympus_Mons", which is not an IANA zone and has no VTIMEZONE in the file',
      "series@test": 'Event "series@test" (UID series@test): RECURRENCE-ID 20270231T090000Z is not a real calendar date',
    });
    expect(p.counts).toMatchObject({ create: 1 });
    expect(p.items.map((i: any) => i.uid)).toEqual(["good@test"]);
    expect(p.warnings).toEqual([]);

    const commit = await upload(d.token, d.doctor.id, file, WINDOW);
    expect(commit.status).toBe(422);
    const e = (await commit.json<any>()).error;
    expect(e.code).toBe("events_refused");
    expect(e.details.map((x: any) => x.path).sort()).toEqual(Object.keys(byUid).map((u) => `VEVENT UID ${u}`).sort());
    expect(await countRows("blocked_times", "doctor_id = ?", d.doctor.id)).toBe(0);
    expect(await countRows("imported_events", "doctor_id = ?", d.doctor.id)).toBe(0);
  });

  it("refuses a file in which no event can be imported with a 422 naming them", async () => {
    const f = await makeClinic();
    const d = f.doctors[0];
    const res = await upload(d.token, d.doctor.id, cal(ev("only@test", "DTSTART:nonsense"), ev("zone@test", "DTSTART;TZID=Nowhere/Special:20270301T090000")), `${WINDOW}&preview=1`);
    expect(res.status).toBe(422);
    const e = (await res.json<any>()).error;
    expect(e.code).toBe("invalid_ics");
    expect(e.details).toEqual([
      { path: "VEVENT UID only@test", message: 'Event "only@test" (UID only@test): DTSTART nonsense is not a valid DATE-TIME' },
      { path: "VEVENT UID zone@test", message: 'Event "zone@test" (UID zone@test): DTSTART uses the time zone "Nowhere/Special", which is not an IANA zone and has no VTIMEZONE in the file' },
    ]);
    expect(await countRows("blocked_times", "doctor_id = ?", d.doctor.id)).toBe(0);
  });

  it("still reads a TZID that has its own VTIMEZONE, and IANA names without one", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    const vtz = ["BEGIN:VTIMEZONE", "TZID:Custom Zone", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0300", "TZOFFSETTO:+0300", "END:STANDARD", "END:VTIMEZONE"].join("\r\n");
    const file = cal(vtz, ev("custom@test", "DTSTART;TZID=Custom Zone:20270301T090000", "DTEND;TZID=Custom Zone:20270301T100000"), ev("ny@test", "DTSTART;TZID=America/New_York:20270301T090000", "DTEND;TZID=America/New_York:20270301T100000"));
    const p = await (await upload(d.token, d.doctor.id, file, `${WINDOW}&preview=1`)).json<any>();
    expect(p.refused).toEqual([]);
    expect(p.items.map((i: any) => [i.uid, i.start])).toEqual([
      ["custom@test", "2027-03-01T06:00:00.000Z"],
      ["ny@test", "2027-03-01T14:00:00.000Z"],
    ]);
  });
});
