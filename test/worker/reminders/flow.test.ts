// Reminders end to end in workerd: booked through the API, planned in the change's own batch,
// sent from the doctor's DoctorHub work (drainReminders, driven here with an explicit clock)
// through the real send_email binding (recorded) and the Twilio emulator; signed webhooks back.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { drainReminders, LEASE_MS } from "../../../worker/reminders/send";
import { reminderCron } from "../../../worker/reminders/cron";
import { authed, countRows } from "../../helpers";
import { book, plan, reminderMails, rowsOf, setup, twilio, useReminderFakes, Z } from "./fixture";

useReminderFakes();

describe("reminders", () => {
  it("are planned with the booking, sent once each (e-mail at 24 h, SMS at 2 h), with no reason or notes, and delivery is recorded", async () => {
    const s = await setup();
    // Wednesday 10 March 2027, 14:00 London (GMT).
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    expect(plan(await rowsOf(a.id))).toEqual(["email@2027-03-09T14:00:00.000Z:pending", "sms@2027-03-10T12:00:00.000Z:pending"]);

    // Before anything is due: nothing goes out.
    await drainReminders(env, s.doctorId, Z("2027-03-09T13:59:00Z"));
    expect(reminderMails()).toHaveLength(0);

    // The e-mail is due; the hub runs twice (a retried alarm): one e-mail.
    await drainReminders(env, s.doctorId, Z("2027-03-09T14:00:30Z"));
    await drainReminders(env, s.doctorId, Z("2027-03-09T14:01:00Z"));
    expect(reminderMails()).toHaveLength(1);
    expect(reminderMails()[0].to).toBe("ada@mail.example");
    expect(twilio.messages).toHaveLength(0);

    // The SMS is due; two hub runs at once still send one text.
    const next = await Promise.all([drainReminders(env, s.doctorId, Z("2027-03-10T12:00:10Z")), drainReminders(env, s.doctorId, Z("2027-03-10T12:00:10Z"))]);
    expect(next).toEqual([null, null]);
    expect(twilio.messages).toHaveLength(1);
    const sms = twilio.messages[0];
    expect(sms.to).toBe(s.e164);
    expect(sms.body).toContain("Riverside Clinic");
    expect(sms.body).toContain("14:00");
    expect(sms.body).toMatch(/http:\/\/localhost:8787\/r\/[A-Za-z0-9_-]{43}(\s|$)/);
    // Lock-screen safe: no patient name, reason, notes or type.
    for (const secret of ["Ada", "Lovelace", "REASON-SECRET", "NOTE-SECRET", "consultation"]) expect(sms.body).not.toContain(secret);
    for (const m of reminderMails()) for (const secret of ["REASON-SECRET", "NOTE-SECRET"]) expect(m.raw).not.toContain(secret);
    for (const r of twilio.requests) for (const secret of ["Ada", "REASON-SECRET", "NOTE-SECRET"]) expect(r.body).not.toContain(secret);

    // The carrier reports delivery through the signed StatusCallback.
    expect((await twilio.report(sms.sid, "delivered")).status).toBe(204);
    const rows = await rowsOf(a.id);
    expect(rows.map((r) => r.state)).toEqual(["sent", "delivered"]);
    const eng = await (await s.api.get(`/api/appointments/${a.id}/engagement`)).json<any>();
    expect(eng.reminders.map((r: any) => [r.channel, r.state])).toEqual([["email", "sent"], ["sms", "delivered"]]);
  });

  it("a reschedule moves pending reminders, a confirmation or a longer visit keeps them, a cancel drops them, and a booking 1 h ahead gets none", async () => {
    const s = await setup();
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    const moved = await s.api.patch(`/api/appointments/${a.id}`, { version: a.version, start: "2027-03-11T10:00:00.000Z", end: "2027-03-11T10:30:00.000Z" });
    expect(moved.status).toBe(200);
    expect(plan(await rowsOf(a.id))).toEqual(["email@2027-03-10T10:00:00.000Z:pending", "sms@2027-03-11T08:00:00.000Z:pending"]);

    // A notes-only edit leaves them alone (same ids).
    const before = await rowsOf(a.id);
    const v2 = (await moved.json<any>()).appointment.version;
    const noted = await s.api.patch(`/api/appointments/${a.id}`, { version: v2, notes: "changed" });
    expect(noted.status).toBe(200);
    expect((await rowsOf(a.id)).map((r) => r.id)).toEqual(before.map((r) => r.id));

    // A confirmation keeps the plan: the same rows stay (same ids), none deleted and re-made.
    const confirmed = await s.api.patch(`/api/appointments/${a.id}`, { version: v2 + 1, status: "confirmed" });
    expect(confirmed.status).toBe(200);
    expect((await rowsOf(a.id)).map((r) => r.id)).toEqual(before.map((r) => r.id));
    // A longer visit keeps the reminders' keys (same start) and carries the new end on each.
    const longer = await s.api.patch(`/api/appointments/${a.id}`, { version: v2 + 2, end: "2027-03-11T11:00:00.000Z" });
    expect(longer.status).toBe(200);
    expect((await rowsOf(a.id)).map((r) => r.id)).toEqual(before.map((r) => r.id));
    const ends = await env.DB.prepare("SELECT DISTINCT end_ms FROM reminders WHERE appointment_id = ?").bind(a.id).all<{ end_ms: number }>();
    expect(ends.results).toEqual([{ end_ms: Date.parse("2027-03-11T11:00:00.000Z") }]);

    const cancelled = await s.api.post(`/api/appointments/${a.id}/cancel`, { version: v2 + 3 });
    expect(cancelled.status).toBe(200);
    expect(await rowsOf(a.id)).toEqual([]);

    // Booked for 50 minutes from now: both reminders would be late, so none is planned.
    const soon = new Date(Math.ceil((Date.now() + 50 * 60_000) / 60_000) * 60_000);
    const res = await s.api.post("/api/appointments", {
      doctorId: s.doctorId, patientId: s.patient.id, start: soon.toISOString(), end: new Date(soon.getTime() + 30 * 60_000).toISOString(), allowOutsideHours: true,
    });
    const admin = res.status === 201 ? res : await authed(s.f.tokens.admin).post("/api/appointments", {
      doctorId: s.doctorId, patientId: s.patient.id, start: soon.toISOString(), end: new Date(soon.getTime() + 30 * 60_000).toISOString(), allowOutsideHours: true,
    });
    expect(admin.status).toBe(201);
    expect(await rowsOf((await admin.json<any>()).appointment.id)).toEqual([]);
  });

  it("a send that never reported back is not repeated (the cron ends it, no hub needed); a failed send retries with backoff", async () => {
    const s = await setup();
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    const [email, sms] = await rowsOf(a.id);
    // Simulate a Worker that died after claiming the e-mail (state 'sending', never finished).
    const crashAt = Z("2027-03-09T14:00:05Z");
    await env.DB.prepare("UPDATE reminders SET state = 'sending', claimed_at = ?, attempts = 1 WHERE id = ?").bind(crashAt, email.id).run();
    // Within the lease it is left alone; after it, the cron alone (nothing wakes the hub) marks it.
    await reminderCron(env, crashAt + LEASE_MS - 1000);
    expect((await rowsOf(a.id))[0].state).toBe("sending");
    await reminderCron(env, crashAt + LEASE_MS + 1000);
    expect(reminderMails()).toHaveLength(0);
    expect((await rowsOf(a.id))[0].state).toBe("unknown");

    // Twilio answers 503 once: the SMS is retried a minute later, then sent — once.
    twilio.faults.push({ status: 503, code: 20503, message: "Service unavailable" });
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:00Z"));
    let r = (await rowsOf(a.id)).find((x) => x.id === sms.id)!;
    expect([r.state, r.attempts, new Date(r.due_at).toISOString()]).toEqual(["pending", 1, "2027-03-10T12:01:00.000Z"]);
    expect(r.last_error).toContain("503");
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:30Z"));
    expect(twilio.messages).toHaveLength(0);
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:01:00Z"));
    expect(twilio.messages).toHaveLength(1);
    r = (await rowsOf(a.id)).find((x) => x.id === sms.id)!;
    expect([r.state, r.attempts]).toEqual(["sent", 2]);
    // A failure audit is only for the final state.
    expect(await countRows("audit_log", "entity_id = ? AND action = 'reminder.failed'", a.id)).toBe(0);
  });

  it("STOP stops every SMS (planned and future) until START; HELP and C/X answer; forged signatures do nothing", async () => {
    const s = await setup();
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");

    // A forged request: wrong signature → 403, nothing changes.
    const forged = await twilio.signedPost("https://acms.test/api/webhooks/twilio/sms", { From: s.e164, To: twilio.number, Body: "STOP" }, "bm90IGEgc2lnbmF0dXJl");
    expect(forged.status).toBe(403);
    expect((await forged.json<any>()).error.code).toBe("invalid_signature");
    const unsigned = await env.DB.prepare("SELECT sms_consent FROM patients WHERE id = ?").bind(s.patient.id).first<{ sms_consent: number }>();
    expect(unsigned!.sms_consent).toBe(1);

    const stop = await twilio.inbound(s.e164, "Stop");
    expect(stop.status).toBe(200);
    const p = await env.DB.prepare("SELECT sms_consent, sms_consent_source FROM patients WHERE id = ?").bind(s.patient.id).first<any>();
    expect([p.sms_consent, p.sms_consent_source]).toEqual([0, "sms:STOP"]);
    // The SMS planned before STOP is skipped at send time; the e-mail still goes.
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:10Z"));
    expect(twilio.messages).toHaveLength(0);
    expect(reminderMails()).toHaveLength(1);
    expect((await rowsOf(a.id)).map((r) => r.state)).toEqual(["sent", "skipped"]);
    // A new booking plans no SMS at all.
    const b = await book(s, "2027-03-12T10:00:00.000Z", "2027-03-12T10:30:00.000Z");
    expect((await rowsOf(b.id)).map((r) => r.channel)).toEqual(["email"]);

    await twilio.inbound(s.e164, "START");
    const back = await env.DB.prepare("SELECT sms_consent, sms_consent_source FROM patients WHERE id = ?").bind(s.patient.id).first<any>();
    expect([back.sms_consent, back.sms_consent_source]).toEqual([1, "sms:START"]);

    const help = await (await twilio.inbound(s.e164, "HELP")).text();
    expect(help).toContain("reply C to confirm or X to cancel");
    expect(help).toContain("020 7946 0000");

    // "C" confirms the patient's next appointment (b, on the 12th: a was on the 10th — both ahead; the 10th is next).
    const c = await (await twilio.inbound(s.e164, "c")).text();
    expect(c).toContain("is confirmed");
    const status = await env.DB.prepare("SELECT status FROM appointments WHERE id = ?").bind(a.id).first<{ status: string }>();
    expect(status!.status).toBe("confirmed");
    expect(await countRows("patient_responses", "appointment_id = ? AND action = 'confirm' AND via = 'sms'", a.id)).toBe(1);
    const audit = await env.DB.prepare("SELECT actor_label FROM audit_log WHERE entity_id = ? ORDER BY id DESC LIMIT 1").bind(a.id).first<{ actor_label: string }>();
    expect(audit!.actor_label).toBe("patient via SMS");
  });

  it("opted out at Twilio (21610) marks the patient opted out and does not retry", async () => {
    const s = await setup();
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    twilio.optedOut.add(s.e164);
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:00Z"));
    const sms = (await rowsOf(a.id)).find((r) => r.channel === "sms")!;
    expect(sms.state).toBe("failed");
    expect(sms.last_error).toContain("21610");
    const p = await env.DB.prepare("SELECT sms_consent, sms_consent_source FROM patients WHERE id = ?").bind(s.patient.id).first<any>();
    expect([p.sms_consent, p.sms_consent_source]).toEqual([0, "twilio:21610"]);
    expect(await countRows("audit_log", "entity_id = ? AND action = 'reminder.failed'", a.id)).toBe(1);
    twilio.optedOut.clear();
  });

  it("reminder settings: admin edits rules and templates (unknown placeholders refused), the SMS length is counted", async () => {
    const s = await setup();
    const admin = authed(s.f.tokens.admin);
    const bad = await admin.put("/api/clinic/reminders", { templates: { sms: "Hi {{patient}} see {{doctor}}" } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain("{{patient}}");
    const recep = await s.api.put("/api/clinic/reminders", { rules: [] });
    expect(recep.status).toBe(403);
    const ok = await admin.put("/api/clinic/reminders", {
      rules: [{ offsetMinutes: 2880, channel: "email" }],
      quietHours: { start: "20:00", end: "09:00" },
      templates: { sms: "{{clinic}} {{date}} {{time}} {{link}} – ü" },
    });
    expect(ok.status).toBe(200);
    const r = (await ok.json<any>()).reminders;
    expect(r.rules).toEqual([{ offsetMinutes: 2880, channel: "email" }]);
    expect(r.quietHours).toEqual({ start: "20:00", end: "09:00" });
    // "–" (en dash) is not GSM-7: the whole text is UCS-2.
    expect(r.smsLength.encoding).toBe("UCS-2");
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    expect(plan(await rowsOf(a.id))).toEqual(["email@2027-03-08T14:00:00.000Z:pending"]);
  });
});
