// The NPS follow-up after a completed visit (issue #19, worker/reminders/nps-follow-up.ts): off
// by default; when the clinic turns it on, a completed visit gets exactly one message at the set
// delay after its end (SMS quiet hours respected), carrying only the clinic name and a link that
// opens the NPS question for 14 days after the visit; a no-show, a status change away from
// completed, or the clinic turning it off stops it; the answer is recorded once.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { drainReminders } from "../../../worker/reminders/send";
import { reminderLinkUrl, resolvePatientLink } from "../../../worker/patient-links/links";
import { authed, countRows, worker } from "../../helpers";
import { book, mails, setup, twilio, useReminderFakes, Z, type Setup } from "./fixture";

useReminderFakes();

interface NpsRow { id: string; channel: string; due_at: number; state: string; last_error: string | null }
const npsRows = async (appointmentId: string) =>
  (await env.DB.prepare("SELECT id, channel, due_at, state, last_error FROM reminders WHERE appointment_id = ? AND kind = 'nps' ORDER BY due_at").bind(appointmentId).all<NpsRow>()).results;
const npsMails = () => mails.filter((m) => /How was your visit/.test(m.raw));
const turn = (s: Setup, enabled: boolean, delayMinutes = 120) => authed(s.f.tokens.admin).put("/api/nps/follow-up", { enabled, delayMinutes });

async function setStatus(s: Setup, a: { id: string }, status: string) {
  const cur = (await (await s.api.get(`/api/appointments/${a.id}`)).json<any>()).appointment;
  const res = await s.api.patch(`/api/appointments/${a.id}`, { version: cur.version, status });
  expect(res.status).toBe(200);
}

let ip = 40;
const page = (token: string, body?: string) =>
  worker.fetch(
    new Request(`http://localhost/r/${token}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "cf-connecting-ip": `192.0.2.${ip}`, ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }) },
      body,
    }),
  );

describe("NPS follow-up", () => {
  it("is off by default; the setting is admin-only and validated", async () => {
    const s = await setup();
    expect(await (await s.api.get("/api/nps/follow-up")).json()).toMatchObject({ enabled: false });
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    await setStatus(s, a, "completed");
    expect(await npsRows(a.id)).toEqual([]);
    expect((await s.api.put("/api/nps/follow-up", { enabled: true, delayMinutes: 60 })).status).toBe(403);
    for (const bad of [{ enabled: true, delayMinutes: -1 }, { enabled: true, delayMinutes: 4321 }, { enabled: "yes", delayMinutes: 60 }, { enabled: true, delayMinutes: 60, extra: 1 }])
      expect((await authed(s.f.tokens.admin).put("/api/nps/follow-up", bad)).status).toBe(422);
    expect(await (await s.api.get("/api/nps/follow-up")).json()).toMatchObject({ enabled: false });
  });

  it("a completed visit gets exactly one SMS at end + delay, with only the clinic name and a link that answers the NPS once", async () => {
    const s = await setup();
    expect((await turn(s, true, 120)).status).toBe(200);
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    await setStatus(s, a, "completed");
    const rows = await npsRows(a.id);
    expect(rows.map((r) => [r.channel, new Date(r.due_at).toISOString(), r.state])).toEqual([["sms", "2027-03-10T16:30:00.000Z", "pending"]]);
    // The visit's reminders were dropped with the status change: the follow-up is all that is left.
    expect(await countRows("reminders", "appointment_id = ? AND state = 'pending'", a.id)).toBe(1);

    await drainReminders(env, s.doctorId, Z("2027-03-10T16:29:00Z"));
    expect(twilio.messages).toHaveLength(0);
    await Promise.all([drainReminders(env, s.doctorId, Z("2027-03-10T16:30:10Z")), drainReminders(env, s.doctorId, Z("2027-03-10T16:30:10Z"))]);
    await drainReminders(env, s.doctorId, Z("2027-03-10T17:30:00Z"));
    expect(twilio.messages).toHaveLength(1);
    expect(npsMails()).toHaveLength(0);
    const body = twilio.messages[0].body;
    expect(body).toBe(`Riverside Clinic: thank you for your visit. How likely are you to recommend us? Answer 0-10 here: ${await reminderLinkUrl(env.SESSION_SECRET, env.APP_URL, rows[0].id)}`);
    for (const secret of ["Ada", "Lovelace", "REASON-SECRET", "NOTE-SECRET", "consultation", s.f.doctors[0].doctor.name, "14:00", "10 Mar", "2027"]) expect(body).not.toContain(secret);
    // Marking it completed again (a re-plan) plans no second message.
    await setStatus(s, a, "no_show");
    await setStatus(s, a, "completed");
    expect((await npsRows(a.id)).map((r) => r.state)).toEqual(["sent"]);

    // The link outlives the visit for the answer only: 14 days after the end, then not valid.
    const token = body.split("/r/")[1];
    const end = Z("2027-03-10T14:30:00Z");
    expect(await resolvePatientLink(env.DB, token, end + 13 * 86_400_000, env.SESSION_SECRET)).toMatchObject({ appointmentId: a.id, npsOnly: true });
    expect(await resolvePatientLink(env.DB, token, end + 15 * 86_400_000, env.SESSION_SECRET)).toBeNull();
    ip++;
    const html = await (await page(token)).text();
    expect(html).toContain("How likely are you to recommend Riverside Clinic");
    expect(html).not.toContain('value="cancel"');
    // It cannot do anything else with the appointment.
    expect(await (await page(token, "action=confirm")).text()).toContain("for your feedback only");
    expect((await (await s.api.get(`/api/appointments/${a.id}`)).json<any>()).appointment.status).toBe("completed");
    expect(await (await page(token, "action=nps&score=9")).text()).toContain("Thank you for your answer.");
    expect(await (await page(token, "action=nps&score=2")).text()).toContain("has an answer already");
    expect(await env.DB.prepare("SELECT score, source FROM nps_responses WHERE appointment_id = ?").bind(a.id).all().then((r) => r.results)).toEqual([{ score: 9, source: "patient" }]);
  });

  it("waits for the end of SMS quiet hours, and goes by e-mail (clinic name and link only) without SMS consent", async () => {
    const s = await setup();
    await turn(s, true, 120);
    // Ends 19:30 London (an admin may book outside working hours): due 21:30, inside the
    // 21:00–08:00 quiet hours → held until they end.
    const res = await authed(s.f.tokens.admin).post("/api/appointments", { doctorId: s.doctorId, patientId: s.patient.id, start: "2027-03-10T19:00:00.000Z", end: "2027-03-10T19:30:00.000Z", allowOutsideHours: true });
    expect(res.status).toBe(201);
    const appt = (await res.json<any>()).appointment;
    await setStatus(s, appt, "completed");
    expect((await npsRows(appt.id)).map((r) => new Date(r.due_at).toISOString())).toEqual(["2027-03-10T21:30:00.000Z"]);
    await drainReminders(env, s.doctorId, Z("2027-03-10T21:30:10Z"));
    expect(twilio.messages).toHaveLength(0);
    expect((await npsRows(appt.id)).map((r) => [new Date(r.due_at).toISOString(), r.state])).toEqual([["2027-03-11T08:00:00.000Z", "pending"]]);
    await drainReminders(env, s.doctorId, Z("2027-03-11T08:00:30Z"));
    expect(twilio.messages).toHaveLength(1);

    const e = await setup({ consent: false });
    await turn(e, true, 0);
    const b = await book(e, "2027-03-12T10:00:00.000Z", "2027-03-12T10:30:00.000Z");
    await setStatus(e, b, "completed");
    expect((await npsRows(b.id)).map((r) => r.channel)).toEqual(["email"]);
    await drainReminders(env, e.doctorId, Z("2027-03-12T10:30:30Z"));
    expect(npsMails()).toHaveLength(1);
    expect(npsMails()[0].to).toBe("ada@mail.example");
    for (const secret of ["REASON-SECRET", "NOTE-SECRET", e.f.doctors[0].doctor.name, "Lovelace"]) expect(npsMails()[0].raw).not.toContain(secret);
  });

  it("a no-show, a cancel or the clinic turning it off stops it", async () => {
    const s = await setup();
    await turn(s, true, 60);
    const noShow = await book(s, "2027-03-17T10:00:00.000Z", "2027-03-17T10:30:00.000Z");
    await setStatus(s, noShow, "no_show");
    expect(await npsRows(noShow.id)).toEqual([]);

    const undone = await book(s, "2027-03-17T11:00:00.000Z", "2027-03-17T11:30:00.000Z");
    await setStatus(s, undone, "completed");
    expect(await npsRows(undone.id)).toHaveLength(1);
    await setStatus(s, undone, "cancelled");
    expect(await npsRows(undone.id)).toEqual([]);

    const off = await book(s, "2027-03-17T13:00:00.000Z", "2027-03-17T13:30:00.000Z");
    await setStatus(s, off, "completed");
    expect(await npsRows(off.id)).toHaveLength(1);
    await turn(s, false);
    await drainReminders(env, s.doctorId, Z("2027-03-17T15:00:00Z"));
    expect((await npsRows(off.id)).map((r) => [r.state, r.last_error])).toEqual([["skipped", "the clinic turned the NPS follow-up off"]]);
    expect(twilio.messages).toHaveLength(0);
    expect(npsMails()).toHaveLength(0);
  });

  it("turning it on reaches visits completed earlier whose follow-up is still ahead, once; not older ones", async () => {
    const s = await setup();
    const now = Date.now();
    const min = 60_000;
    // Visits of today, marked in SQL (the API books no past times): how long ago each ended.
    const visit = async (endedMinAgo: number, status: string) => {
      const id = crypto.randomUUID().replaceAll("-", "");
      const end = now - endedMinAgo * min;
      await env.DB.prepare(
        "INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, start_ms, end_ms, type, status, created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, 'consultation', ?, 'x', 'x')",
      )
        .bind(id, s.f.clinic.id, s.doctorId, s.patient.id, end - 30 * min, end, status)
        .run();
      return { id, end };
    };
    await env.DB.prepare("UPDATE clinics SET max_appointment_ms = MAX(max_appointment_ms, ?) WHERE id = ?").bind(30 * min, s.f.clinic.id).run();
    const recent = await visit(30, "completed"); // its follow-up (2 h after the end) is 90 min ahead
    const older = await visit(180, "completed"); // would have gone an hour ago: not sent late
    const noShow = await visit(30, "no_show");
    const answered = await visit(45, "completed");
    await env.DB.prepare("INSERT INTO nps_responses (clinic_id, source, appointment_id, score, at) VALUES (?, 'patient', ?, 8, ?)").bind(s.f.clinic.id, answered.id, now).run();

    const on = await turn(s, true, 120);
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({ enabled: true, backfilled: 1 });
    expect((await npsRows(recent.id)).map((r) => [r.channel, r.due_at, r.state])).toEqual([["sms", recent.end + 120 * min, "pending"]]);
    for (const a of [older, noShow, answered]) expect(await npsRows(a.id)).toEqual([]);

    // Saving again, or off and on, plans no second one.
    expect(await (await turn(s, true, 120)).json()).toMatchObject({ backfilled: 0 });
    expect(await (await turn(s, false)).json()).toMatchObject({ enabled: false, backfilled: 0 });
    expect(await (await turn(s, true, 120)).json()).toMatchObject({ backfilled: 0 });
    expect(await npsRows(recent.id)).toHaveLength(1);

    // It goes like any follow-up: at end + delay, once (or when the SMS quiet hours of the
    // real clock end: a second run 12 h later is outside them).
    await drainReminders(env, s.doctorId, recent.end + 120 * min + 10_000);
    await drainReminders(env, s.doctorId, recent.end + 120 * min + 12 * 60 * min);
    expect(twilio.messages.filter((m) => /recommend us/.test(m.body))).toHaveLength(1);
  });
});
