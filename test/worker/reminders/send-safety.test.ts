// Issue #17 (reminders): never the same text twice, quiet hours always as the clinic has them
// now, SMS reminders following consent given after booking, phone numbers in any typed form.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { drainReminders, forgetReminderContexts } from "../../../worker/reminders/send";
import { authed, countRows } from "../../helpers";
import { book, plan, rowsOf, setup, twilio, useReminderFakes, Z } from "./fixture";

useReminderFakes();

const smsRow = async (appointmentId: string) => (await rowsOf(appointmentId)).find((r) => r.channel === "sms")!;

describe("a send whose outcome is unknown is never repeated", () => {
  it("Twilio answering after the 10 s timeout (message created): 'unknown', not re-sent by later runs", async () => {
    const s = await setup();
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    twilio.faults.push({ kind: "slow", delayMs: 11_500 });
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:00Z"));
    const r = await smsRow(a.id);
    expect(r.state).toBe("unknown");
    expect(r.last_error).toContain("not repeated");
    for (const t of ["2027-03-10T12:01:00Z", "2027-03-10T12:06:00Z", "2027-03-10T13:00:00Z"]) await drainReminders(env, s.doctorId, Z(t));
    expect(twilio.messages.filter((m) => m.to === s.e164)).toHaveLength(1);
    expect((await smsRow(a.id)).state).toBe("unknown");
    // The carrier's report still reaches it (the callback names the reminder): it did arrive.
    expect((await twilio.report(twilio.messages[0].sid, "delivered")).status).toBe(204);
    expect((await smsRow(a.id)).state).toBe("delivered");
  }, 40_000);

  it("the connection lost after the request was written, or a 500/502/504: 'unknown', not re-sent; a 503 or 429 retries", async () => {
    const s = await setup();
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    twilio.faults.push({ kind: "reset" });
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:00Z"));
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:05:00Z"));
    expect((await smsRow(a.id)).state).toBe("unknown");
    expect(twilio.messages).toHaveLength(1);

    for (const [status, day] of [[500, "11"], [502, "12"], [504, "15"]] as const) {
      const b = await book(s, `2027-03-${day}T14:00:00.000Z`, `2027-03-${day}T14:30:00.000Z`);
      twilio.faults.push({ status, code: 20500, message: "Internal Server Error" });
      const due = (await smsRow(b.id)).due_at;
      await drainReminders(env, s.doctorId, due);
      await drainReminders(env, s.doctorId, due + 60 * 60_000);
      expect([status, (await smsRow(b.id)).state]).toEqual([status, "unknown"]);
    }
    const c = await book(s, "2027-03-16T14:00:00.000Z", "2027-03-16T14:30:00.000Z");
    twilio.faults.push({ status: 429, code: 20429, message: "Too Many Requests", retryAfter: 120 });
    const due = (await smsRow(c.id)).due_at;
    await drainReminders(env, s.doctorId, due);
    const retry = await smsRow(c.id);
    expect([retry.state, retry.due_at]).toEqual(["pending", due + 120_000]);
  });
});

describe("quiet hours are the clinic's current ones, for retries and for reminders already planned", () => {
  it("a retry that would land in quiet hours waits for their end (no SMS 90 s into the quiet window)", async () => {
    const s = await setup();
    await authed(s.f.tokens.admin).put("/api/clinic/reminders", { rules: [{ offsetMinutes: 722, channel: "sms" }] });
    // London in March = GMT. SMS 12 h 02 before 09:00 → 20:58; quiet 21:00–08:00.
    const a = await book(s, "2027-03-11T09:00:00.000Z", "2027-03-11T09:30:00.000Z");
    expect(plan(await rowsOf(a.id))).toEqual(["sms@2027-03-10T20:58:00.000Z:pending"]);
    twilio.faults.push({ status: 503, code: 20503, message: "Service unavailable" }, { status: 503, code: 20503, message: "Service unavailable" });
    await drainReminders(env, s.doctorId, Z("2027-03-10T20:58:30Z"));
    // First retry after 1 minute = 20:59:30, outside quiet hours; the second after 5 more would be 21:04:30.
    expect(plan(await rowsOf(a.id))).toEqual(["sms@2027-03-10T20:59:30.000Z:pending"]);
    await drainReminders(env, s.doctorId, Z("2027-03-10T20:59:30Z"));
    expect(plan(await rowsOf(a.id))).toEqual(["sms@2027-03-11T08:00:00.000Z:pending"]);
    await drainReminders(env, s.doctorId, Z("2027-03-10T21:04:30Z"));
    expect(twilio.messages).toHaveLength(0);
    await drainReminders(env, s.doctorId, Z("2027-03-11T08:00:00Z"));
    expect(twilio.messages).toHaveLength(1);
  });

  it("changing quiet hours re-plans reminders already planned; a send inside quiet hours set behind the planner's back is held", async () => {
    const s = await setup();
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    expect(plan(await rowsOf(a.id))).toEqual(["email@2027-03-09T14:00:00.000Z:pending", "sms@2027-03-10T12:00:00.000Z:pending"]);
    const res = await authed(s.f.tokens.admin).put("/api/clinic/reminders", { quietHours: { start: "11:00", end: "13:00" } });
    expect(res.status).toBe(200);
    expect(plan(await rowsOf(a.id))).toEqual(["email@2027-03-09T14:00:00.000Z:pending", "sms@2027-03-10T13:00:00.000Z:pending"]);
    // Quiet hours now end after the start: no SMS at all.
    await authed(s.f.tokens.admin).put("/api/clinic/reminders", { quietHours: { start: "11:00", end: "15:00" } });
    expect(plan(await rowsOf(a.id))).toEqual(["email@2027-03-09T14:00:00.000Z:pending"]);
    // Back to the defaults: planned again.
    await authed(s.f.tokens.admin).put("/api/clinic/reminders", { quietHours: { start: "21:00", end: "08:00" } });
    expect(plan(await rowsOf(a.id))).toEqual(["email@2027-03-09T14:00:00.000Z:pending", "sms@2027-03-10T12:00:00.000Z:pending"]);
    // Changed by hand in the database (no re-plan): the send path still holds the SMS.
    await env.DB.prepare("UPDATE clinics SET quiet_start_min = 690, quiet_end_min = 750 WHERE id = ?").bind(s.f.clinic.id).run();
    forgetReminderContexts();
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:00Z"));
    expect(twilio.messages).toHaveLength(0);
    expect((await smsRow(a.id)).due_at).toBe(Z("2027-03-10T12:30:00Z"));
  });
});

describe("quiet hours ending in a repeated hour (DST fall back)", () => {
  it("an SMS due in London's second 01:00–02:00 (GMT) with quiet hours to 01:30 is held to 01:30 GMT, after now, not 01:30 BST an hour ago", async () => {
    const s = await setup();
    expect((await authed(s.f.tokens.admin).put("/api/clinic/reminders", { quietHours: { start: "22:00", end: "01:30" } })).status).toBe(200);
    const a = await book(s, "2027-11-01T14:00:00.000Z", "2027-11-01T14:30:00.000Z");
    // London falls back 2027-10-31 02:00 BST → 01:00 GMT; the row is due at 01:05 GMT (the second 01:05).
    await env.DB.prepare("UPDATE reminders SET due_at = ? WHERE appointment_id = ? AND channel = 'sms'").bind(Z("2027-10-31T01:05:00Z"), a.id).run();
    const now = Z("2027-10-31T01:10:00Z");
    const next = await drainReminders(env, s.doctorId, now);
    expect(twilio.messages).toHaveLength(0);
    const held = (await smsRow(a.id)).due_at;
    expect(new Date(held).toISOString()).toBe("2027-10-31T01:30:00.000Z");
    expect(held).toBeGreaterThan(now);
    expect(next).toBe(held); // the hub's next alarm: after now, not at once in a loop
    await drainReminders(env, s.doctorId, Z("2027-10-31T01:30:00Z"));
    expect(twilio.messages).toHaveLength(1);
  });
});

describe("SMS consent and phone numbers", () => {
  it("a patient who consents after booking gets SMS reminders for appointments already booked; withdrawing skips them at once", async () => {
    const s = await setup({ consent: false });
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    expect((await rowsOf(a.id)).map((r) => r.channel)).toEqual(["email"]);
    expect((await s.api.put(`/api/patients/${s.patient.id}/sms-consent`, { consent: true })).status).toBe(200);
    expect(plan(await rowsOf(a.id))).toEqual(["email@2027-03-09T14:00:00.000Z:pending", "sms@2027-03-10T12:00:00.000Z:pending"]);
    expect((await s.api.put(`/api/patients/${s.patient.id}/sms-consent`, { consent: false })).status).toBe(200);
    expect(plan(await rowsOf(a.id))).toEqual(["email@2027-03-09T14:00:00.000Z:pending", "sms@2027-03-10T12:00:00.000Z:skipped"]);
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:00Z"));
    expect(twilio.messages).toHaveLength(0);
    // START by SMS plans it again (the skipped row, which never went out, is revived).
    await twilio.inbound(s.e164, "START");
    expect(plan(await rowsOf(a.id))).toEqual(["email@2027-03-09T14:00:00.000Z:sent", "sms@2027-03-10T12:00:00.000Z:pending"]);
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:30Z"));
    expect(twilio.messages.map((m) => m.to)).toEqual([s.e164]);
  });

  it("'+44 (0) 7700 900123' and '07700 900123' are one number: stored in E.164, found by either form, texted in E.164", async () => {
    const s = await setup({ phone: "+44 (0) 7700 900555" });
    const stored = await env.DB.prepare("SELECT phone, phone_digits FROM patients WHERE id = ?").bind(s.patient.id).first<any>();
    expect(stored.phone).toBe("+44 (0) 7700 900555");
    // helpers insert rows directly (as typed digits); the API normalizes: save it through the API.
    expect((await s.api.patch(`/api/patients/${s.patient.id}`, { phone: "+44 (0) 7700 900555" })).status).toBe(200);
    const created = await s.api.post("/api/patients", { name: "Bea National", phone: "07700 900556" });
    const bea = (await created.json<any>()).patient;
    const digits = async (id: string) => (await env.DB.prepare("SELECT phone_digits FROM patients WHERE id = ?").bind(id).first<any>()).phone_digits;
    expect(await digits(s.patient.id)).toBe("447700900555");
    expect(await digits(bea.id)).toBe("447700900556");
    const search = async (q: string) => ((await (await s.api.get(`/api/patients?q=${encodeURIComponent(q)}`)).json<any>()).patients as { id: string }[]).map((p) => p.id).sort();
    expect(await search("07700 900555")).toEqual([s.patient.id]);
    expect(await search("+44 7700 900556")).toEqual([bea.id]);
    expect(await search("07700 90055")).toEqual([s.patient.id, bea.id].sort());
    expect(await search("+447700")).toEqual([s.patient.id, bea.id].sort());
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:00Z"));
    expect(twilio.messages.map((m) => m.to)).toEqual(["+447700900555"]);
    expect((await smsRow(a.id)).state).toBe("sent");
  });

  it("a new phone number re-plans pending SMS reminders to it", async () => {
    const s = await setup();
    const a = await book(s, "2027-03-10T14:00:00.000Z", "2027-03-10T14:30:00.000Z");
    expect((await s.api.patch(`/api/patients/${s.patient.id}`, { phone: "07700 900777" })).status).toBe(200);
    await drainReminders(env, s.doctorId, Z("2027-03-10T12:00:00Z"));
    expect(twilio.messages.map((m) => m.to)).toEqual(["+447700900777"]);
    expect(await countRows("reminders", "appointment_id = ? AND channel = 'sms' AND state = 'sent'", a.id)).toBe(1);
  });
});
