// Every iCalendar renderer path — staff download, range export, subscribed feed
// (memoized renderer, gzip and plain) and the invite e-mail's calendar part — read
// back by a strict reader (./strict.ts) on both DST-change days of five zones:
// Europe/London, America/New_York, Australia/Sydney (southern hemisphere),
// Asia/Kolkata (no DST, +05:30) and Australia/Lord_Howe (30-minute DST).
// Appointments start every 15 minutes from 90 minutes before to 90 minutes after
// each change and last 30, 60 or 90 minutes, so starts and ends fall before, in
// and after the repeated (or skipped) hour. An independent reader must get the
// appointment's exact UTC instants from our bytes through the file's VTIMEZONE.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { sendInvite } from "../../../worker/email/outbox";
import { setEmailSenderOverride, type OutgoingEmail } from "../../../worker/email/sender";
import { clearRenderMemo, renderCalendarMemo } from "../../../worker/ics/memo-render";
import { renderCalendar, type IcsAppointment, type IcsClinic } from "../../../worker/ics/render";
import { authed, makeClinic, worker } from "../../helpers";
import { newId } from "../../../worker/ids";
import { nextTransitions, strictProblems, type Expected } from "./strict";

const ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Australia/Lord_Howe"];
const MIN = 60_000;

afterEach(() => setEmailSenderOverride(null));

/** Both DST-change instants of a zone in the coming year; zones without DST use London's days. */
function changeDays(zone: string): number[] {
  const t = nextTransitions(zone, Date.now() + 86400_000);
  return t.length ? t : nextTransitions("Europe/London", Date.now() + 86400_000);
}

function slotsAround(t: number): { startMs: number; endMs: number }[] {
  const out: { startMs: number; endMs: number }[] = [];
  for (let k = -6; k <= 6; k++) for (const len of [30, 60, 90]) out.push({ startMs: t + k * 15 * MIN, endMs: t + k * 15 * MIN + len * MIN });
  return out;
}

describe("the issue's case: Europe/London 2027-10-31 00:30–01:30Z (the repeated hour)", () => {
  const clinic: IcsClinic = { id: "c".repeat(32), name: "Clinic", timeZone: "Europe/London", address: "1 Road", domain: "acms.example", reminderMinutes: [60] };
  const appt: IcsAppointment = {
    id: "a".repeat(32),
    doctorId: "d".repeat(32),
    doctorName: "Dr. Who",
    patientName: "Pat",
    patientEmail: "pat@mail.example",
    startMs: Date.parse("2027-10-31T00:30:00Z"),
    endMs: Date.parse("2027-10-31T01:30:00Z"),
    type: "consultation",
    status: "confirmed",
    version: 1,
    createdAt: 0,
    updatedAt: 0,
  };
  it("is written in UTC (both wall times read 01:30), and every line ends in CRLF", () => {
    const text = renderCalendar({ clinic, appointments: [appt], privacy: "full", appUrl: "https://x" });
    expect(text).toContain("\r\nDTSTART:20271031T003000Z\r\n");
    expect(text).toContain("\r\nDTEND:20271031T013000Z\r\n");
    expect(text).not.toContain("TZID=Europe/London:20271031T013000");
    expect(text.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(strictProblems(text, new Map([[`${appt.id}@acms.example`, appt]]))).toEqual([]);
  });
  it("keeps TZID for unambiguous times the same day, with the VTIMEZONE, even when the first event is in UTC (memo renderer)", () => {
    const later = { ...appt, id: "b".repeat(32), startMs: Date.parse("2027-10-31T09:00:00Z"), endMs: Date.parse("2027-10-31T09:30:00Z") };
    const o = { clinic, appointments: [appt, later], privacy: "busy" as const, appUrl: "https://x", compact: true };
    clearRenderMemo();
    const plain = renderCalendar(o);
    expect(renderCalendarMemo(o)).toBe(plain);
    expect(plain).toContain("DTSTART;TZID=Europe/London:20271031T090000");
    expect(plain).toContain("BEGIN:VTIMEZONE");
    expect(strictProblems(plain, new Map([[`${appt.id}@acms.example`, appt], [`${later.id}@acms.example`, later]]))).toEqual([]);
  });
});

describe.each(ZONES)("every renderer on both DST-change days in %s", (zone) => {
  it("download, export, feed (gzip and plain) and invite read back to the exact UTC instants", async () => {
    const f = await makeClinic({ timeZone: zone, name: "Klinik Süd – Ärztehaus", patients: [{ name: "Zoë Ångström-Łukasz", email: "zoe@mail.example" }] });
    const d = f.doctors[0];
    const days = changeDays(zone);
    expect(days.length).toBe(2);
    const expected = new Map<string, Expected>();
    const ids: string[] = [];
    const slots = days.flatMap(slotsAround);
    const rows = slots.map((s) => ({ id: newId(), ...s }));
    // Rows inserted straight into D1 in one batch (the renderers read D1; the booking rules are not under test here).
    await env.DB.batch(
      rows.map((r) =>
        env.DB.prepare(
          "INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, type, status, version, created_by, updated_by, created_at, updated_at) " +
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'consultation', 'confirmed', 1, 'test', 'test', 0, 0)",
        ).bind(r.id, f.clinic.id, d.doctor.id, f.patients[0].id, f.patients[0].name, r.startMs, r.endMs),
      ),
    );
    for (const r of rows) {
      ids.push(r.id);
      expected.set(`${r.id}@acms.example`, { startMs: r.startMs, endMs: r.endMs });
    }
    const only = (id: string) => new Map([[`${id}@acms.example`, expected.get(`${id}@acms.example`)!]]);
    const api = authed(f.tokens.receptionist);
    const problems: string[] = [];

    // 1. Staff download, one appointment at a time (privacy full: names with non-ASCII letters);
    //    every other one (the export below has them all; this is the same renderer per event).
    for (const id of ids.filter((_, i) => i % 2 === 0)) {
      const res = await api.get(`/api/appointments/${id}/ical`);
      expect(res.status).toBe(200);
      problems.push(...strictProblems(await res.text(), only(id)).map((p) => `download: ${p}`));
    }

    // 2. Range export over each change day.
    for (const t of days) {
      const from = new Date(t - 86400_000).toISOString();
      const to = new Date(t + 86400_000).toISOString();
      const res = await api.get(`/api/appointments/export/ical?from=${from}&to=${to}`);
      expect(res.status).toBe(200);
      const want = new Map([...expected].filter(([, v]) => v.startMs < t + 86400_000 && v.endMs > t - 86400_000));
      problems.push(...strictProblems(await res.text(), want).map((p) => `export: ${p}`));
    }

    // 3. The subscribed feed (memoized renderer): rendered, then from the cache; gzip and plain.
    const feed = (await (await authed(d.token).post(`/api/doctors/${d.doctor.id}/feed`, {})).json<any>()).feed;
    const path = new URL(feed.url).pathname;
    for (const ae of ["gzip", "identity", "gzip"]) {
      const res = await worker.fetch(`http://localhost${path}`, { headers: { "accept-encoding": ae } });
      expect(res.status).toBe(200);
      problems.push(...strictProblems(await res.text(), expected).map((p) => `feed (${ae}): ${p}`));
    }

    // 4. The invite e-mail's calendar part, exactly as sent (METHOD:REQUEST, privacy full).
    let sent: OutgoingEmail | null = null;
    setEmailSenderOverride(() => ({ send: async (m) => void (sent = m) }));
    for (const id of ids.filter((_, i) => i % 3 === 0)) {
      await sendInvite(env, { id: 1, clinic_id: f.clinic.id, appointment_id: id, method: "REQUEST", sequence: 0, to_address: "zoe@mail.example", attempts: 0 });
      const ics = calendarPartOf(sent!.raw);
      problems.push(...strictProblems(ics, only(id)).map((p) => `invite: ${p}`));
      expect(ics).toContain("METHOD:REQUEST");
    }
    expect(problems).toEqual([]);
  }, 120_000); // a few hundred requests and strict parses: slow on a shared 2-core machine
});

/** The decoded text/calendar part of a raw MIME message (bytes as sent, not re-normalized). */
function calendarPartOf(raw: string): string {
  const m = /Content-Type: text\/calendar[^\r\n]*\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/.exec(raw);
  if (!m) throw new Error("no text/calendar part");
  return new TextDecoder().decode(Uint8Array.from(atob(m[1].replace(/\r\n/g, "")), (c) => c.charCodeAt(0)));
}
