// Adversarial recurrence corpus through the real route (issue #8, "a recurrence rule that never
// matches hangs the whole Worker"): every file answers within 1 s with a 4xx or a bounded result,
// writes nothing, and the next request to the API answers normally.
import { describe, expect, it } from "vitest";
import { authed, countRows, makeClinic } from "../../helpers";

const WINDOW = "from=2026-03-01T00:00:00Z&to=2027-03-01T00:00:00Z";

const vevent = (uid: string, lines: string[]) => ["BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20260101T000000Z", `SUMMARY:Probe ${uid}`, ...lines, "END:VEVENT"];
const file = (...events: string[][]) => ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Probe//Corpus//EN", ...events.flat(), "END:VCALENDAR", ""].join("\r\n");
const one = (uid: string, dtstart: string, rrule: string, extra: string[] = []) => file(vevent(uid, [`DTSTART:${dtstart}`, "DURATION:PT30M", `RRULE:${rrule}`, ...extra]));

const ALL_HOURS = Array.from({ length: 24 }, (_, i) => i).join(",");
const ALL_MINUTES = Array.from({ length: 60 }, (_, i) => i).join(",");
const rdates = (n: number) =>
  Array.from({ length: n }, (_, i) => new Date(Date.UTC(1990, 0, 1, 8) + i * 3600_000).toISOString().replace(/[-:]|\.000/g, ""));

/** name → file. `refuse` lists UIDs that must be reported as refused (by name) in the preview. */
const CORPUS: { name: string; body: string; refuse?: string[] }[] = [
  { name: "DAILY;BYMONTH=2;BYMONTHDAY=30", body: one("feb30", "20260101T090000Z", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"), refuse: ["feb30"] },
  { name: "MINUTELY;BYMONTH=2;BYMONTHDAY=30", body: one("feb30m", "20260101T090000Z", "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30"), refuse: ["feb30m"] },
  { name: "SECONDLY;BYMONTH=4;BYMONTHDAY=-31", body: one("apr31", "19700101T000000Z", "FREQ=SECONDLY;BYMONTH=4;BYMONTHDAY=-31"), refuse: ["apr31"] },
  { name: "YEARLY;BYYEARDAY=366;BYMONTH=1", body: one("yd366", "20260101T090000Z", "FREQ=YEARLY;BYYEARDAY=366;BYMONTH=1"), refuse: ["yd366"] },
  { name: "YEARLY;BYWEEKNO=1;BYMONTH=7", body: one("wk1jul", "20260101T090000Z", "FREQ=YEARLY;BYWEEKNO=1;BYMONTH=7"), refuse: ["wk1jul"] },
  { name: "MONTHLY;BYDAY=6FR", body: one("6fr", "20260101T090000Z", "FREQ=MONTHLY;BYDAY=6FR"), refuse: ["6fr"] },
  { name: "UNTIL before DTSTART", body: one("until", "20260301T090000Z", "FREQ=DAILY;UNTIL=19990101T000000Z"), refuse: ["until"] },
  { name: "SECONDLY, huge INTERVAL, no COUNT, from 1970", body: one("sec-int", "19700101T000000Z", "FREQ=SECONDLY;INTERVAL=999999999") },
  { name: "MINUTELY, huge INTERVAL, no COUNT, from 1970", body: one("min-int", "19700101T000000Z", "FREQ=MINUTELY;INTERVAL=1000003") },
  { name: "SECONDLY with no COUNT inside the window (too many occurrences)", body: one("sec", "20260301T000000Z", "FREQ=SECONDLY") },
  { name: "SECONDLY;BYSECOND=0;BYMINUTE=0;BYHOUR=9 since 1970", body: one("sec-lim", "19700101T000000Z", "FREQ=SECONDLY;BYHOUR=9;BYMINUTE=0;BYSECOND=0") },
  { name: "MINUTELY;BYHOUR=9;COUNT=10^9 since 1970 (budget)", body: one("min-count", "19700101T090000Z", "FREQ=MINUTELY;BYHOUR=9;COUNT=1000000000"), refuse: ["min-count"] },
  { name: "DAILY;COUNT=10^9 since 1970", body: one("daily-count", "19700101T090000Z", "FREQ=DAILY;COUNT=1000000000") },
  { name: "HOURLY;BYDAY=MO;COUNT=10^9 since 1900", body: one("hourly-count", "19000101T090000Z", "FREQ=HOURLY;BYDAY=MO;COUNT=1000000000") },
  { name: "BYSETPOS=366 on a one-element set", body: one("setpos", "20260101T090000Z", "FREQ=MONTHLY;BYDAY=1MO;BYSETPOS=366") },
  { name: "BYSETPOS=-366 weekly", body: one("setpos-neg", "20260101T090000Z", "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=-366") },
  {
    name: "YEARLY over every minute of every day with BYSETPOS=-1 (a 525,600-element period)",
    body: one("huge-period", "20260101T000000Z", `FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=${ALL_HOURS};BYMINUTE=${ALL_MINUTES};BYSETPOS=-1`),
    refuse: ["huge-period"],
  },
  { name: "UNTIL far in the future", body: one("until-far", "20260301T090000Z", "FREQ=WEEKLY;UNTIL=99991231T235959Z") },
  { name: "very old DTSTART (year 1) YEARLY;BYDAY=20MO;COUNT=10^9", body: one("year1", "00010101T090000Z", "FREQ=YEARLY;BYDAY=20MO;COUNT=1000000000") },
  { name: "DTSTART 1601 WEEKLY with INTERVAL and COUNT", body: one("y1601", "16010101T090000Z", "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR;COUNT=900000") },
  { name: "MONTHLY;INTERVAL=2;BYMONTH=2 never aligned with a January DTSTART", body: one("misaligned", "20260115T090000Z", "FREQ=MONTHLY;INTERVAL=2;BYMONTH=2") },
  { name: "a 40,000-date RDATE list from 1990", body: file(vevent("rdates", ["DTSTART:19900101T080000Z", "DURATION:PT30M", `RDATE:${rdates(40_000).join(",")}`])) },
  {
    name: "2,000 impossible events (file budget)",
    body: file(...Array.from({ length: 2000 }, (_, i) => vevent(`imp${i}`, ["DTSTART:20260101T090000Z", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"]))),
    refuse: ["imp0", "imp1999"],
  },
  {
    name: "300 costly COUNT rules from 1900 (file budget)",
    body: file(...Array.from({ length: 300 }, (_, i) => vevent(`wk${i}`, ["DTSTART:19000101T090000Z", "RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO;COUNT=1000000000"]))),
  },
];

describe("adversarial RRULE corpus through POST /api/doctors/:id/import/ics?preview=1", () => {
  it("every file: answered within 1 s with a 4xx or a bounded result, nothing written, and the API still answers", async () => {
    const f = await makeClinic({ timeZone: "Europe/London" });
    const d = f.doctors[0];
    const api = authed(d.token);
    // Warm the isolate (first-request module work is not what we measure).
    await api(`/api/doctors/${d.doctor.id}/import/ics?preview=1&${WINDOW}`, { method: "POST", body: one("warm", "20260301T090000Z", "FREQ=DAILY;COUNT=2"), headers: { "content-type": "text/calendar" } });
    const report: string[] = [];
    for (const c of CORPUS) {
      const t0 = performance.now();
      const res = await api(`/api/doctors/${d.doctor.id}/import/ics?preview=1&${WINDOW}`, { method: "POST", body: c.body, headers: { "content-type": "text/calendar" } });
      const body = await res.json<any>();
      const ms = performance.now() - t0;
      report.push(`${c.name}: ${res.status} in ${ms.toFixed(0)} ms`);
      expect(ms, c.name).toBeLessThan(1000);
      if (res.status === 200) {
        expect(body.items.length, c.name).toBeLessThanOrEqual(500);
        expect(body.counts.create, c.name).toBeLessThanOrEqual(2000);
        for (const uid of c.refuse ?? []) {
          const r = body.refused.find((x: any) => x.uid === uid);
          expect(r, `${c.name}: ${uid} refused`).toBeTruthy();
          expect(r.message, c.name).toContain(`UID ${uid}`);
        }
      } else {
        expect(res.status, c.name).toBeGreaterThanOrEqual(400);
        expect(res.status, c.name).toBeLessThan(500);
        expect(body.error.code, c.name).toMatch(/^[a-z_]+$/);
        expect(c.refuse, `${c.name} should have been a preview listing the refused events`).toBeUndefined();
      }
      const me = await api("/api/auth/me");
      expect(me.status, `${c.name}: next request`).toBe(200);
    }
    console.log(report.join("\n"));
    expect(await countRows("blocked_times", "doctor_id = ?", d.doctor.id)).toBe(0);
    expect(await countRows("imported_events", "doctor_id = ?", d.doctor.id)).toBe(0);
  });

  it("the commit refuses a file with an unexpandable event: 422 naming it, nothing written", async () => {
    const f = await makeClinic({ timeZone: "Europe/London" });
    const d = f.doctors[0];
    const body = file(
      vevent("ok", ["DTSTART:20260310T090000Z", "DTEND:20260310T100000Z"]),
      vevent("never", ["DTSTART:20260101T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"]),
    );
    const res = await authed(d.token)(`/api/doctors/${d.doctor.id}/import/ics?${WINDOW}`, { method: "POST", body, headers: { "content-type": "text/calendar" } });
    expect(res.status).toBe(422);
    const err = (await res.json<any>()).error;
    expect(err.code).toBe("events_refused");
    expect(JSON.stringify(err)).toContain("UID never");
    expect(await countRows("blocked_times", "doctor_id = ?", d.doctor.id)).toBe(0);
    expect(await countRows("imported_events", "doctor_id = ?", d.doctor.id)).toBe(0);
  });
});
