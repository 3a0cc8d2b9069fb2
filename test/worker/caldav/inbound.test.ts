// CalDAV → ACMS against a real Radicale: foreign events become exactly the right
// busy time (recurrences, overrides, all-day, multi-day, Windows zone names with
// their VTIMEZONE, free/cancelled/declined not blocking), incremental polls through
// sync-collection + multiget, an idle poll costs one request per calendar, an
// invalid sync token resyncs cleanly.
import { describe, expect, it } from "vitest";
import { vtimezoneFor } from "../../../worker/ics/render";
import { authed } from "../../helpers";
import { at, blocks, connectDoctor, env, ics, metrics, poll, putRaw, settle, spans } from "./harness";
import { dayPlus, icsDay } from "../../days";

const cal = (url: string) => new URL(url).pathname.split("/").filter(Boolean).at(-1)!;

const WINDOWS_ZONE = [
  "BEGIN:VTIMEZONE",
  "TZID:W. Europe Standard Time",
  "BEGIN:STANDARD",
  "DTSTART:16010101T030000",
  "TZOFFSETFROM:+0200",
  "TZOFFSETTO:+0100",
  "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
  "END:STANDARD",
  "BEGIN:DAYLIGHT",
  "DTSTART:16010101T020000",
  "TZOFFSETFROM:+0100",
  "TZOFFSETTO:+0200",
  "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
  "END:DAYLIGHT",
  "END:VTIMEZONE",
].join("\r\n");

const ev = (uid: string, lines: string[]) => ["BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20261101T000000Z", ...lines, "END:VEVENT"].join("\r\n");

describe("CalDAV inbound (Radicale)", () => {
  it("foreign events → exactly the right busy time; changes and deletions follow on the next poll", async () => {
    const c = await connectDoctor();
    const w = cal(c.writeCal);
    const me = c.dav.user;
    await putRaw(c.dav, w, "lunch.ics", ics(ev("lunch", ["SUMMARY:Lunch", `DTSTART:${icsDay(0)}T120000Z`, `DTEND:${icsDay(0)}T130000Z`])));
    await putRaw(c.dav, w, "free.ics", ics(ev("free", ["SUMMARY:Focus (free)", "TRANSP:TRANSPARENT", `DTSTART:${icsDay(0)}T090000Z`, `DTEND:${icsDay(0)}T100000Z`])));
    await putRaw(c.dav, w, "cancelled.ics", ics(ev("cancelled", ["SUMMARY:Called off", "STATUS:CANCELLED", `DTSTART:${icsDay(0)}T100000Z`, `DTEND:${icsDay(0)}T110000Z`])));
    await putRaw(c.dav, w, "declined.ics", ics(ev("declined", [
      "SUMMARY:Board meeting", `DTSTART:${icsDay(0)}T110000Z`, `DTEND:${icsDay(0)}T113000Z`,
      "ORGANIZER:mailto:boss@mail.test", `ATTENDEE;PARTSTAT=DECLINED:mailto:${me}`, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:other@mail.test",
    ])));
    await putRaw(c.dav, w, "allday.ics", ics(ev("allday", ["SUMMARY:Conference", `DTSTART;VALUE=DATE:${icsDay(4)}`, `DTEND;VALUE=DATE:${icsDay(5)}`])));
    await putRaw(c.dav, w, "night.ics", ics(ev("night", ["SUMMARY:Night shift", `DTSTART:${icsDay(2)}T200000Z`, `DTEND:${icsDay(3)}T020000Z`])));
    await putRaw(c.dav, w, "windows.ics", ics(WINDOWS_ZONE, ev("windows", ["SUMMARY:Call with Berlin", `DTSTART;TZID=W. Europe Standard Time:${icsDay(0)}T150000`, `DTEND;TZID=W. Europe Standard Time:${icsDay(0)}T160000`])));
    const weekly = (exdates: string[]) =>
      ics(
        vtimezoneFor("Europe/London")!.block.trim(),
        ev("weekly", ["SUMMARY:Team", `DTSTART;TZID=Europe/London:${icsDay(0)}T160000`, `DTEND;TZID=Europe/London:${icsDay(0)}T163000`, "RRULE:FREQ=WEEKLY;COUNT=4", ...exdates.map((d) => `EXDATE;TZID=Europe/London:${d}`)]),
        ev("weekly", ["SUMMARY:Team (moved)", `RECURRENCE-ID;TZID=Europe/London:${icsDay(14)}T160000`, `DTSTART;TZID=Europe/London:${icsDay(15)}T090000`, `DTEND;TZID=Europe/London:${icsDay(15)}T093000`]),
      );
    const weeklyEtag = await putRaw(c.dav, w, "weekly.ics", weekly([`${icsDay(7)}T160000`]));

    const m0 = await metrics(c.integrationId);
    await poll(c);
    const m1 = await metrics(c.integrationId);
    // Changed calendar: getctag/sync-token PROPFIND + one sync-collection + one calendar-multiget.
    expect(m1.ok + m1.failed - (m0.ok + m0.failed)).toBe(3);
    expect(await spans(c.doctorId)).toEqual([
      [at("12:00"), at("13:00"), false], // lunch
      [at("14:00"), at("15:00"), false], // 15:00 W. Europe = 14:00 London in December
      [at("16:00"), at("16:30"), false], // weekly, 1st
      [`${dayPlus(2)}T20:00:00.000Z`, `${dayPlus(3)}T02:00:00.000Z`, false], // multi-day
      [`${dayPlus(4)}T00:00:00.000Z`, `${dayPlus(5)}T00:00:00.000Z`, true], // all-day (London midnight)
      [`${dayPlus(15)}T09:00:00.000Z`, `${dayPlus(15)}T09:30:00.000Z`, false], // the moved occurrence
      [`${dayPlus(21)}T16:00:00.000Z`, `${dayPlus(21)}T16:30:00.000Z`, false], // weekly, 4th (2nd is EXDATE)
    ]);
    const avail = await (await c.doctor.get(`/api/availability?doctorId=${c.doctorId}&from=${dayPlus(0)}&to=${dayPlus(0)}`)).json<any>();
    const starts = avail.slots.map((s: any) => s.start);
    expect(starts).toContain(at("09:00")); // free
    expect(starts).toContain(at("10:00")); // cancelled
    expect(starts).toContain(at("11:00")); // declined
    expect(starts).not.toContain(at("14:00")); // Windows zone
    expect(starts).not.toContain(at("16:00")); // weekly
    expect(JSON.stringify(await blocks(c.doctorId))).not.toContain("Lunch"); // labels off by default

    // Another client adds an EXDATE and deletes lunch: both reflected, nothing duplicated.
    await putRaw(c.dav, w, "weekly.ics", weekly([`${icsDay(7)}T160000`, `${icsDay(21)}T160000`]), weeklyEtag!);
    await c.dav.req("DELETE", `/${c.dav.user}/${w}/lunch.ics`);
    await poll(c);
    expect(await spans(c.doctorId)).toEqual([
      [at("14:00"), at("15:00"), false],
      [at("16:00"), at("16:30"), false],
      [`${dayPlus(2)}T20:00:00.000Z`, `${dayPlus(3)}T02:00:00.000Z`, false],
      [`${dayPlus(4)}T00:00:00.000Z`, `${dayPlus(5)}T00:00:00.000Z`, true],
      [`${dayPlus(15)}T09:00:00.000Z`, `${dayPlus(15)}T09:30:00.000Z`, false],
    ]);

    // Idle: one PROPFIND per synced calendar, nothing else.
    const m2 = await metrics(c.integrationId);
    await poll(c);
    const m3 = await metrics(c.integrationId);
    expect(m3.ok + m3.failed - (m2.ok + m2.failed)).toBe(1);

    // An invalid sync token → a clean full resync: same blocks, no duplicates.
    const row = await env.DB.prepare("SELECT sync_cursor FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(c.integrationId, c.writeCal).first<{ sync_cursor: string }>();
    const [fullAt] = row!.sync_cursor.split("~");
    await env.DB.prepare("UPDATE integration_calendars SET sync_cursor = ? WHERE integration_id = ? AND calendar_id = ?")
      .bind(`${fullAt}~${JSON.stringify({ st: "http://radicale.org/ns/sync/0000000000bogus", ct: "stale" })}`, c.integrationId, c.writeCal)
      .run();
    const before = await spans(c.doctorId);
    await poll(c);
    expect(await spans(c.doctorId)).toEqual(before);
    const after = await env.DB.prepare("SELECT sync_cursor FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(c.integrationId, c.writeCal).first<{ sync_cursor: string }>();
    expect(after!.sync_cursor).not.toContain("bogus");
    expect((await env.DB.prepare("SELECT last_error FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<any>()).last_error).toBeNull();
  });

  it("Sync now: polls at once, then at most once a minute (429 + Retry-After); only the owner", async () => {
    const c = await connectDoctor();
    await putRaw(c.dav, cal(c.writeCal), "gym.ics", ics(ev("gym", [`DTSTART:${icsDay(0)}T170000Z`, `DTEND:${icsDay(0)}T180000Z`])));
    await env.DB.prepare("UPDATE integration_calendars SET last_polled_at = ? WHERE integration_id = ?").bind(Date.now() - 120_000, c.integrationId).run();
    const res = await c.doctor.post(`/api/integrations/caldav/${c.integrationId}/sync`, {});
    expect(res.status).toBe(202);
    await settle(c.doctorId);
    expect(await spans(c.doctorId)).toEqual([[at("17:00"), at("18:00"), false]]);
    const again = await c.doctor.post(`/api/integrations/caldav/${c.integrationId}/sync`, {});
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    const other = authed(c.f.doctors[1].token);
    expect((await other.post(`/api/integrations/caldav/${c.integrationId}/sync`, {})).status).toBe(404);
  });
});
