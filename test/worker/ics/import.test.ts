import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { IMPORT_MAX_BYTES, IMPORT_MAX_EVENTS } from "../../../worker/ics/import";
import { authed, countRows, makeClinic } from "../../helpers";
import { insertAppointment } from "./fixtures";

const CRLF = (s: string) => s.trim().split("\n").map((l) => l.trim()).join("\r\n") + "\r\n";

/** A file with: a weekly TZID series (DST crossing, one EXDATE, one moved occurrence, one cancelled),
 *  an all-day event, a floating event, a UTC event, a Windows-zone event with its own VTIMEZONE,
 *  a free (TRANSPARENT) event and one far outside the window. */
const FILE = CRLF(`
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Import//EN
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:weekly-1@test
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20260316T090000
DTEND;TZID=Europe/Berlin:20260316T100000
RRULE:FREQ=WEEKLY;COUNT=5
EXDATE;TZID=Europe/Berlin:20260323T090000
SUMMARY:Team meeting
END:VEVENT
BEGIN:VEVENT
UID:weekly-1@test
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260330T090000
DTSTART;TZID=Europe/Berlin:20260330T140000
DTEND;TZID=Europe/Berlin:20260330T150000
SUMMARY:Team meeting (moved)
END:VEVENT
BEGIN:VEVENT
UID:weekly-1@test
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260406T090000
DTSTART;TZID=Europe/Berlin:20260406T090000
DTEND;TZID=Europe/Berlin:20260406T100000
STATUS:CANCELLED
SUMMARY:Team meeting
END:VEVENT
BEGIN:VEVENT
UID:allday@test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260320
DTEND;VALUE=DATE:20260322
SUMMARY:Conference
END:VEVENT
BEGIN:VEVENT
UID:floating@test
DTSTAMP:20260101T000000Z
DTSTART:20260317T120000
DTEND:20260317T123000
SUMMARY:Lunch
END:VEVENT
BEGIN:VEVENT
UID:utc@test
DTSTAMP:20260101T000000Z
DTSTART:20260318T160000Z
DTEND:20260318T170000Z
SUMMARY:Call
END:VEVENT
BEGIN:VEVENT
UID:windows@test
DTSTAMP:20260101T000000Z
DTSTART;TZID=W. Europe Standard Time:20260701T080000
DTEND;TZID=W. Europe Standard Time:20260701T090000
SUMMARY:Summer thing
END:VEVENT
BEGIN:VEVENT
UID:free@test
DTSTAMP:20260101T000000Z
DTSTART:20260319T160000Z
DTEND:20260319T170000Z
TRANSP:TRANSPARENT
SUMMARY:Reminder only
END:VEVENT
BEGIN:VEVENT
UID:far@test
DTSTAMP:20260101T000000Z
DTSTART:20300101T100000Z
DTEND:20300101T110000Z
SUMMARY:Far away
END:VEVENT
END:VCALENDAR
`);

const WINDOW = "from=2026-03-01T00:00:00Z&to=2026-12-31T00:00:00Z";

function upload(token: string, doctorId: string, body: BodyInit, query = WINDOW, contentType = "text/calendar; charset=utf-8") {
  return authed(token)(`/api/doctors/${doctorId}/import/ics?${query}`, { method: "POST", body, headers: { "content-type": contentType } });
}

describe("POST /api/doctors/:id/import/ics", () => {
  it("previews without writing: expands RRULE/EXDATE/RECURRENCE-ID, all-day, TZID, floating, UTC and VTIMEZONE-only zones", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    const before = await countRows("blocked_times", "doctor_id = ?", d.doctor.id);
    const res = await upload(d.token, d.doctor.id, FILE, `${WINDOW}&preview=1`);
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(body.preview).toBe(true);
    expect(await countRows("blocked_times", "doctor_id = ?", d.doctor.id)).toBe(before);
    const created = body.items.filter((i: any) => i.action === "create").map((i: any) => [i.uid, i.start, i.end, i.allDay]);
    expect(created).toEqual([
      ["weekly-1@test", "2026-03-16T08:00:00.000Z", "2026-03-16T09:00:00.000Z", false], // CET
      ["floating@test", "2026-03-17T11:00:00.000Z", "2026-03-17T11:30:00.000Z", false], // floating → clinic zone (CET)
      ["utc@test", "2026-03-18T16:00:00.000Z", "2026-03-18T17:00:00.000Z", false],
      ["allday@test", "2026-03-19T23:00:00.000Z", "2026-03-21T23:00:00.000Z", true], // two days, Berlin midnights
      ["weekly-1@test", "2026-03-30T12:00:00.000Z", "2026-03-30T13:00:00.000Z", false], // moved, CEST
      ["weekly-1@test", "2026-04-13T07:00:00.000Z", "2026-04-13T08:00:00.000Z", false], // CEST after the DST switch
      ["windows@test", "2026-07-01T06:00:00.000Z", "2026-07-01T07:00:00.000Z", false], // file's own VTIMEZONE
    ]);
    const skipped = Object.fromEntries(body.items.filter((i: any) => i.action === "skip").map((i: any) => [`${i.uid} ${i.start}`, i.reason]));
    expect(skipped).toEqual({
      "weekly-1@test 2026-04-06T07:00:00.000Z": "cancelled",
      "free@test 2026-03-19T16:00:00.000Z": "free",
      "far@test 2030-01-01T10:00:00.000Z": "out_of_window",
    });
    expect(body.counts).toMatchObject({ events: 9, create: 7, skip: 3 });
  });

  it("commits blocked time (source ics) in one go, and a re-import creates nothing new", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    const apptId = await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[0].id, start: "2026-03-18T16:15:00Z" });
    const res = await upload(d.token, d.doctor.id, FILE);
    expect(res.status).toBe(201);
    const body = await res.json<any>();
    expect(body.created).toBe(7);
    expect(body.items.find((i: any) => i.uid === "utc@test").overlaps).toBe("appointment");
    const rows = await env.DB.prepare("SELECT source, label, all_day, created_by FROM blocked_times WHERE doctor_id = ? ORDER BY start_ms").bind(d.doctor.id).all<any>();
    expect(rows.results).toHaveLength(7);
    expect(rows.results.every((r: any) => r.source === "ics" && r.label === "Busy (imported)" && r.created_by === d.user.id)).toBe(true);
    expect(rows.results.filter((r: any) => r.all_day === 1)).toHaveLength(1);
    expect(await countRows("imported_events", "doctor_id = ?", d.doctor.id)).toBe(7);
    expect(await countRows("audit_log", "entity_id = ? AND action = 'ics.import'", d.doctor.id)).toBe(1);
    expect(await countRows("appointments", "id = ? AND status = 'scheduled'", apptId)).toBe(1); // blocking cancels nothing

    const again = await upload(d.token, d.doctor.id, FILE);
    expect(again.status).toBe(201);
    const b2 = await again.json<any>();
    expect(b2.created).toBe(0);
    expect(b2.counts.byReason.already_imported).toBe(7);
    expect(await countRows("blocked_times", "doctor_id = ?", d.doctor.id)).toBe(7);
  });

  it("accepts multipart uploads and can keep summaries as labels", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    const form = new FormData();
    form.set("file", new File([FILE], "calendar.ics", { type: "text/calendar" }));
    // Encode the form as a browser would (multipart boundary in the content type).
    const encoded = new Request("http://x/", { method: "POST", body: form });
    const res = await upload(f.tokens.admin, d.doctor.id, await encoded.arrayBuffer(), `${WINDOW}&labels=summary`, encoded.headers.get("content-type")!);
    expect(res.status).toBe(201);
    const labels = await env.DB.prepare("SELECT label FROM blocked_times WHERE doctor_id = ? ORDER BY start_ms").bind(d.doctor.id).all<any>();
    expect(labels.results.map((r: any) => r.label)).toContain("Team meeting (moved)");
  });

  it("imports appointments for a chosen patient, skipping conflicts, without sending invites", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin", patients: [{ email: "imp@mail.example" }] });
    const d = f.doctors[0];
    await insertAppointment({ clinicId: f.clinic.id, doctorId: d.doctor.id, patientId: f.patients[0].id, start: "2026-03-18T16:00:00Z", minutes: 60 });
    const res = await upload(f.tokens.receptionist, d.doctor.id, FILE, `${WINDOW}&mode=appointments&patientId=${f.patients[0].id}`);
    expect(res.status).toBe(201);
    const body = await res.json<any>();
    const reasons = Object.fromEntries(body.items.filter((i: any) => i.action === "skip").map((i: any) => [i.uid + " " + i.start, i.reason]));
    expect(reasons["utc@test 2026-03-18T16:00:00.000Z"]).toBe("conflict");
    expect(reasons["allday@test 2026-03-19T23:00:00.000Z"]).toBe("too_long");
    // The three Monday occurrences; the lunch-hour and 08:00 events are outside working hours (receptionist).
    expect(body.created).toBe(3);
    expect(body.failed.map((x: any) => `${x.uid} ${x.code}`).sort()).toEqual(["floating@test outside_working_hours", "windows@test outside_working_hours"]);
    expect(await countRows("appointments", "doctor_id = ?", d.doctor.id)).toBe(4);
    expect(await countRows("email_outbox", "to_address = ?", "imp@mail.example")).toBe(0);
    const again = await (await upload(f.tokens.receptionist, d.doctor.id, FILE, `${WINDOW}&mode=appointments&patientId=${f.patients[0].id}`)).json<any>();
    expect(again.created).toBe(0);
  });

  it("holds a non-admin's appointment import to the doctor's working hours (per item); an admin's may go outside them, audited as an override", async () => {
    const f = await makeClinic({ timeZone: "Europe/London", patients: 2 });
    const q = (patientId: string) => `from=2027-01-01T00:00:00Z&to=2027-12-31T00:00:00Z&mode=appointments&patientId=${patientId}`;
    const cal = (...events: [string, string, string][]) =>
      CRLF(`BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//Test//EN
        X-WR-CALNAME:Elsewhere
        ${events.map(([uid, s, e]) => `BEGIN:VEVENT\nUID:${uid}\nDTSTAMP:20270101T000000Z\nDTSTART:${s}\nDTEND:${e}\nEND:VEVENT`).join("\n")}
        END:VCALENDAR`);
    // Monday 1 March 2027 (London = UTC): 10:00 is working time, 12:00 is the lunch hour, 19:00 evening.
    const file = cal(["in@test", "20270301T100000Z", "20270301T103000Z"], ["lunch@test", "20270301T120000Z", "20270301T123000Z"], ["late@test", "20270301T190000Z", "20270301T193000Z"]);
    const rows = async (doctorId: string) =>
      (await env.DB.prepare("SELECT id, start_ms, status FROM appointments WHERE doctor_id = ? ORDER BY start_ms").bind(doctorId).all<any>()).results;

    const d0 = f.doctors[0].doctor.id;
    const rec = await (await upload(f.tokens.receptionist, d0, file, q(f.patients[0].id))).json<any>();
    expect(rec.created).toBe(1);
    expect(rec.failed.map((x: any) => `${x.uid} ${x.code}`).sort()).toEqual(["late@test outside_working_hours", "lunch@test outside_working_hours"]);
    expect((await rows(d0)).map((r: any) => new Date(r.start_ms).toISOString())).toEqual(["2027-03-01T10:00:00.000Z"]);
    // Nor may a re-import move the one it made out of hours: refused, the appointment stays.
    const moved = await (await upload(f.tokens.receptionist, d0, cal(["in@test", "20270301T200000Z", "20270301T203000Z"]), q(f.patients[0].id))).json<any>();
    expect(moved).toMatchObject({ updated: 0, failed: [{ uid: "in@test", code: "outside_working_hours" }] });
    expect((await rows(d0)).map((r: any) => [new Date(r.start_ms).toISOString(), r.status])).toEqual([["2027-03-01T10:00:00.000Z", "scheduled"]]);
    // A doctor importing into their own calendar is held to the hours as well.
    const doc = await (await upload(f.doctors[0].token, d0, cal(["dawn@test", "20270302T060000Z", "20270302T063000Z"]), q(f.patients[0].id))).json<any>();
    expect(doc).toMatchObject({ created: 0, failed: [{ uid: "dawn@test", code: "outside_working_hours" }] });

    // An admin may: all three, and the audit says which were an override.
    const d1 = f.doctors[1].doctor.id;
    const adm = await (await upload(f.tokens.admin, d1, file, q(f.patients[1].id))).json<any>();
    expect(adm).toMatchObject({ created: 3, failed: [] });
    const audits = (
      await env.DB.prepare("SELECT a.start_ms, l.summary FROM audit_log l JOIN appointments a ON a.id = l.entity_id WHERE a.doctor_id = ? AND l.action = 'appointment.create' ORDER BY a.start_ms")
        .bind(d1)
        .all<any>()
    ).results.map((r: any) => [new Date(r.start_ms).toISOString().slice(11, 16), !!JSON.parse(r.summary).overrideHours]);
    expect(audits).toEqual([["10:00", false], ["12:00", true], ["19:00", true]]);
  });

  it("refuses malformed files, wrong types, oversize and too many events with a clear 4xx and writes nothing", async () => {
    const f = await makeClinic();
    const d = f.doctors[0];
    const count = () => countRows("blocked_times", "doctor_id = ?", d.doctor.id);

    const garbage = await upload(d.token, d.doctor.id, "this is not a calendar");
    expect(garbage.status).toBe(422);
    expect((await garbage.json<any>()).error).toMatchObject({ code: "invalid_ics", details: [{ path: "file" }] });

    const broken = FILE.replace("DTSTART:20260318T160000Z\r\n", "").replace("DTEND;TZID=Europe/Berlin:20260316T100000", "DTEND;TZID=Europe/Berlin:20260316T080000");
    const br = await upload(d.token, d.doctor.id, broken);
    expect(br.status).toBe(422);
    const brBody = await br.json<any>();
    expect(brBody.error.code).toBe("invalid_ics");
    expect(brBody.error.details.map((p: any) => p.message)).toEqual(expect.arrayContaining(["has no DTSTART"]));

    const wrongType = await upload(d.token, d.doctor.id, FILE, WINDOW, "application/pdf");
    expect(wrongType.status).toBe(415);

    const big = "BEGIN:VCALENDAR\r\n" + "X-PAD:" + "a".repeat(IMPORT_MAX_BYTES) + "\r\nEND:VCALENDAR\r\n";
    const tooBig = await upload(d.token, d.doctor.id, big);
    expect(tooBig.status).toBe(413);

    const many =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" +
      Array.from({ length: IMPORT_MAX_EVENTS + 1 }, (_, i) => `BEGIN:VEVENT\r\nUID:e${i}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260401T100000Z\r\nDTEND:20260401T101000Z\r\nEND:VEVENT\r\n`).join("") +
      "END:VCALENDAR\r\n";
    const tooMany = await upload(d.token, d.doctor.id, many);
    expect(tooMany.status).toBe(422);
    expect((await tooMany.json<any>()).error.code).toBe("too_many_events");

    expect(await count()).toBe(0);
    expect(await countRows("imported_events", "doctor_id = ?", d.doctor.id)).toBe(0);
  });

  it("accepts a 2,000-event file larger than the general 256 KiB API body limit", async () => {
    const f = await makeClinic();
    const d = f.doctors[0];
    const pad = "x".repeat(120);
    const big =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" +
      Array.from({ length: IMPORT_MAX_EVENTS }, (_, i) => {
        const start = new Date(Date.UTC(2026, 3, 1) + i * 3600_000).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
        return `BEGIN:VEVENT\r\nUID:big-${i}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:${start}\r\nDURATION:PT30M\r\nSUMMARY:${pad}\r\nEND:VEVENT\r\n`;
      }).join("") +
      "END:VCALENDAR\r\n";
    expect(big.length).toBeGreaterThan(256 * 1024);
    const res = await upload(d.token, d.doctor.id, big);
    expect(res.status).toBe(201);
    expect((await res.json<any>()).created).toBe(IMPORT_MAX_EVENTS);
    expect(await countRows("blocked_times", "doctor_id = ? AND source = 'ics'", d.doctor.id)).toBe(IMPORT_MAX_EVENTS);
  });

  it("fetches a calendar URL once (webcal:// or https://), with the same limits", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin" });
    const d = f.doctors[0];
    // Test-only network: the Worker's outbound fetch to https://calendar.test is answered here
    // (tests and the Worker share one isolate; see test/fakes/google/router.ts).
    const original = globalThis.fetch;
    const seen: string[] = [];
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input as RequestInfo, init);
      const u = new URL(req.url);
      if (u.host !== "calendar.test") return original(req);
      seen.push(u.pathname);
      if (u.pathname === "/ok.ics") return new Response(FILE, { headers: { "content-type": "text/calendar; charset=utf-8" } });
      if (u.pathname === "/html") return new Response("<html></html>", { headers: { "content-type": "text/html" } });
      if (u.pathname === "/big.ics") return new Response("X".repeat(IMPORT_MAX_BYTES + 10), { headers: { "content-type": "text/calendar" } });
      return new Response("nope", { status: 404 });
    }) as typeof fetch;
    try {
      const api = authed(d.token);
      const path = `/api/doctors/${d.doctor.id}/import/ics?${WINDOW}&preview=1`;
      const ok = await api.post(path, { url: "webcal://calendar.test/ok.ics" });
      expect(ok.status).toBe(200);
      expect((await ok.json<any>()).counts.create).toBe(7);
      expect(seen).toEqual(["/ok.ics"]);
      expect((await api.post(path, { url: "https://calendar.test/missing.ics" })).status).toBe(422);
      expect((await api.post(path, { url: "https://calendar.test/html" })).status).toBe(415);
      expect((await api.post(path, { url: "https://calendar.test/big.ics" })).status).toBe(413);
      const insecure = await api.post(path, { url: "http://calendar.test/ok.ics" });
      expect(insecure.status).toBe(422);
      expect((await insecure.json<any>()).error.details[0].path).toBe("url");
    } finally {
      globalThis.fetch = original;
    }
  });

  it("lets doctors import only into their own calendar", async () => {
    const f = await makeClinic();
    expect((await upload(f.doctors[1].token, f.doctors[0].doctor.id, FILE, `${WINDOW}&preview=1`)).status).toBe(403);
    const other = await makeClinic();
    expect((await upload(other.tokens.admin, f.doctors[0].doctor.id, FILE, `${WINDOW}&preview=1`)).status).toBe(404);
  });
});
