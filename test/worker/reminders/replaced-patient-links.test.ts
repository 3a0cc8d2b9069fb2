// A personal link is bound to its patient: when staff replace the patient on an appointment
// (PATCH {patientId}), the old patient's invite, reminder and stored links must not open the new
// patient's appointment (doctor, time, address, video link) nor confirm/cancel/move it. They
// answer exactly like an unknown link (no oracle); the new patient's own links work.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { inviteLinkUrl, issuePatientLink, reminderLinkUrl } from "../../../worker/patient-links/links";
import { drainReminders } from "../../../worker/reminders/send";
import { patientAction } from "../../../worker/patient-links/actions";
import { patientReschedule } from "../../../worker/patient-links/reschedule";
import { rescheduleLinkReply } from "../../../worker/patient-links/reschedule-sms";
import { authed, countRows, makeClinic, makePatient, worker } from "../../helpers";
import { hubIdle, reminderMails, useReminderFakes, Z } from "./fixture";

useReminderFakes();

let ipSeq = 1;
const page = (token: string, init: RequestInit = {}, ip = `198.51.100.${200 + ipSeq}`) =>
  worker.fetch(new Request(`http://localhost/r/${token}`, { ...init, headers: { "cf-connecting-ip": ip, ...(init.headers ?? {}) } }));
const post = (token: string, action: string) =>
  page(token, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `action=${action}` });
const tokenOf = (url: string) => url.split("/r/")[1];

// Wednesday 10 March 2027, 14:00 London: inside working hours, reminders at 24 h (e-mail).
const START = "2027-03-10T14:00:00.000Z";
const END = "2027-03-10T14:30:00.000Z";

/** Patient A (e-mail) booked; the hub drained (A's invite sent). */
async function bookedForA() {
  ipSeq++;
  const f = await makeClinic({ name: "Riverside Clinic", address: "5 Bridge Road", patients: [{ name: "Agnes Old", email: "agnes@mail.example" }] });
  const b = await makePatient(f.clinic.id, { name: "Bertram New", email: "bertram@mail.example" });
  const api = authed(f.tokens.receptionist);
  const d = f.doctors[0].doctor;
  const res = await api.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: START, end: END });
  expect(res.status).toBe(201);
  const appt = (await res.json<any>()).appointment;
  await hubIdle(d.id);
  return { f, api, d, appt, a: f.patients[0], b };
}

async function replaceWithB(s: Awaited<ReturnType<typeof bookedForA>>) {
  const current = (await env.DB.prepare("SELECT version FROM appointments WHERE id = ?").bind(s.appt.id).first<{ version: number }>())!;
  const r = await s.api.patch(`/api/appointments/${s.appt.id}`, { version: current.version, patientId: s.b.id });
  expect(r.status).toBe(200);
  await hubIdle(s.d.id);
}

/** The page an unknown link gets (status and body), to compare a retired link with. */
async function unknownAnswer(shape: number) {
  const res = await page("A".repeat(shape));
  return { status: res.status, body: await res.text() };
}

/** The old patient's link answers like an unknown one, and neither GET, ?choose=1 nor any POST changes the appointment. */
async function expectRetired(s: Awaited<ReturnType<typeof bookedForA>>, token: string) {
  const unknown = await unknownAnswer(token.length);
  expect(unknown.status).toBe(404);
  const before = await env.DB.prepare("SELECT status, version, start_ms FROM appointments WHERE id = ?").bind(s.appt.id).first<any>();
  const audits = await countRows("audit_log", "entity_id = ?", s.appt.id);
  const got = await page(token);
  expect(got.status).toBe(unknown.status);
  const html = await got.text();
  expect(html).toBe(unknown.body);
  for (const leak of [s.d.name, "5 Bridge Road", "14:00"]) expect(html).not.toContain(leak);
  const choose = await page(`${token}?choose=1`);
  expect(choose.status).toBe(404);
  expect(await choose.text()).toBe(unknown.body);
  for (const action of ["cancel", "confirm", "reschedule"]) {
    const p = await post(token, action);
    expect(p.status).toBe(404);
    expect(await p.text()).toBe(unknown.body);
  }
  expect(await env.DB.prepare("SELECT status, version, start_ms FROM appointments WHERE id = ?").bind(s.appt.id).first<any>()).toEqual(before);
  expect(before.status).toBe("scheduled");
  expect(await countRows("audit_log", "entity_id = ?", s.appt.id)).toBe(audits);
  expect(await countRows("patient_responses", "appointment_id = ?", s.appt.id)).toBe(0);
}

async function expectOpens(s: Awaited<ReturnType<typeof bookedForA>>, token: string) {
  const res = await page(token);
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain(s.d.name);
  expect(html).toContain("5 Bridge Road");
}

describe("a replaced patient's links", () => {
  it("invite: A's link stops opening the appointment once B replaces A; B's own invite link works; a row from before migration 0024 is decided by its address", async () => {
    const s = await bookedForA();
    const sentToA = await env.DB.prepare("SELECT id, state, patient_id FROM email_outbox WHERE appointment_id = ? AND method = 'REQUEST'").bind(s.appt.id).first<any>();
    expect(sentToA).toMatchObject({ state: "sent", patient_id: s.a.id });
    const aToken = tokenOf(await inviteLinkUrl(env.SESSION_SECRET, env.APP_URL, sentToA.id));
    await expectOpens(s, aToken);

    await replaceWithB(s);
    await expectRetired(s, aToken);

    const forB = await env.DB.prepare("SELECT id, state FROM email_outbox WHERE appointment_id = ? AND method = 'REQUEST' AND patient_id = ?").bind(s.appt.id, s.b.id).first<any>();
    expect(forB.state).toBe("sent");
    const bToken = tokenOf(await inviteLinkUrl(env.SESSION_SECRET, env.APP_URL, forB.id));
    await expectOpens(s, bToken);

    // Rows queued before migration 0024 name no patient: A's (to A's address) stays retired, B's opens.
    await env.DB.prepare("UPDATE email_outbox SET patient_id = NULL WHERE appointment_id = ?").bind(s.appt.id).run();
    await expectRetired(s, aToken);
    await expectOpens(s, bToken);
  });

  it("reminder: A's sent reminder link stops opening the appointment once B replaces A; a row from before migration 0025 is decided by the audit log", async () => {
    const s = await bookedForA();
    // A's 24 h e-mail reminder goes out (the hub's drain, with the clock at its due time).
    await drainReminders(env, s.d.id, Z("2027-03-09T14:00:30Z"));
    expect(reminderMails().map((m) => m.to)).toEqual(["agnes@mail.example"]);
    const sent = await env.DB.prepare("SELECT id, patient_id FROM reminders WHERE appointment_id = ? AND state = 'sent'").bind(s.appt.id).first<any>();
    expect(sent.patient_id).toBe(s.a.id);
    const aToken = tokenOf(await reminderLinkUrl(env.SESSION_SECRET, env.APP_URL, sent.id));
    await expectOpens(s, aToken);

    await replaceWithB(s);
    // The sent row keeps the patient it went to.
    expect((await env.DB.prepare("SELECT patient_id FROM reminders WHERE id = ?").bind(sent.id).first<any>()).patient_id).toBe(s.a.id);
    await expectRetired(s, aToken);

    // A row from before migration 0025 (no patient): claimed before the swap → retired; one claimed
    // after it (so addressed to B, the patient then) → opens. (The drain ran on a 2027 clock: the
    // claim time is set to the real one here.)
    await env.DB.prepare("UPDATE reminders SET patient_id = NULL, claimed_at = ? WHERE id = ?").bind(Date.now() - 60_000, sent.id).run();
    await expectRetired(s, aToken);
    await env.DB.prepare("UPDATE reminders SET claimed_at = ? WHERE id = ?").bind(Date.now() + 60_000, sent.id).run();
    await expectOpens(s, aToken);
  });

  it("reminder rows not yet sent follow the new patient (their link is B's)", async () => {
    const s = await bookedForA();
    const pending = await env.DB.prepare("SELECT id, patient_id FROM reminders WHERE appointment_id = ? AND state = 'pending'").bind(s.appt.id).first<any>();
    expect(pending.patient_id).toBe(s.a.id);
    await replaceWithB(s);
    const row = await env.DB.prepare("SELECT patient_id, to_address FROM reminders WHERE id = ?").bind(pending.id).first<any>();
    expect(row).toEqual({ patient_id: s.b.id, to_address: "bertram@mail.example" });
    await expectOpens(s, tokenOf(await reminderLinkUrl(env.SESSION_SECRET, env.APP_URL, pending.id)));
  });

  it("stored link: A's link stops opening the appointment once B replaces A; a new link for B works; a link from before migration 0025 is decided by the audit log", async () => {
    const s = await bookedForA();
    const forA = await issuePatientLink(env.DB, env.APP_URL, { clinicId: s.f.clinic.id, appointmentId: s.appt.id, endMs: Date.parse(END) });
    await forA.statement.run();
    expect(await countRows("patient_links", "appointment_id = ? AND patient_id = ?", s.appt.id, s.a.id)).toBe(1);
    await expectOpens(s, forA.token);

    await replaceWithB(s);
    await expectRetired(s, forA.token);

    const forB = await issuePatientLink(env.DB, env.APP_URL, { clinicId: s.f.clinic.id, appointmentId: s.appt.id });
    await forB.statement.run();
    await expectOpens(s, forB.token);
    // Bound explicitly to A (the SMS reply's patient), a link issued now does not open B's appointment.
    const explicitA = await issuePatientLink(env.DB, env.APP_URL, { clinicId: s.f.clinic.id, appointmentId: s.appt.id, endMs: Date.parse(END), patientId: s.a.id });
    await explicitA.statement.run();
    await expectRetired(s, explicitA.token);

    // Links from before migration 0025 (no patient): issued before the swap → retired; after → open.
    await env.DB.prepare("UPDATE patient_links SET patient_id = NULL WHERE appointment_id = ?").bind(s.appt.id).run();
    await expectRetired(s, forA.token);
    await expectOpens(s, forB.token);
  });

  it("a swap landing between a link's or SMS reply's match and its action: confirm, cancel, move and the R reply act on nothing of the new patient's", async () => {
    const s = await bookedForA();
    // What resolvePatientLink / the SMS reply matched a moment ago: A's visit.
    const visitOfA = { clinicId: s.f.clinic.id, appointmentId: s.appt.id, patientId: s.a.id };
    await replaceWithB(s);
    const before = await env.DB.prepare("SELECT status, version, start_ms FROM appointments WHERE id = ?").bind(s.appt.id).first<any>();
    const audits = await countRows("audit_log", "entity_id = ?", s.appt.id);
    for (const action of ["confirm", "cancel"] as const)
      expect(await patientAction(env, visitOfA, action, "link")).toMatchObject({ ok: false, message: "This appointment no longer exists." });
    expect(await patientReschedule(env, visitOfA, Date.parse(START) + 86_400_000)).toMatchObject({ ok: false, message: "This appointment no longer exists." });
    const reply = await rescheduleLinkReply(env, { id: s.appt.id, clinic_id: s.f.clinic.id, patient_id: s.a.id, name: "Riverside Clinic" });
    expect(reply).toBe("Riverside Clinic: this appointment no longer exists.");
    expect(await countRows("patient_links", "appointment_id = ?", s.appt.id)).toBe(0);
    expect(await env.DB.prepare("SELECT status, version, start_ms FROM appointments WHERE id = ?").bind(s.appt.id).first<any>()).toEqual(before);
    expect(await countRows("audit_log", "entity_id = ?", s.appt.id)).toBe(audits);
    expect(await countRows("patient_responses", "appointment_id = ?", s.appt.id)).toBe(0);
    expect(await countRows("patient_reschedules", "appointment_id = ?", s.appt.id)).toBe(0);
    // B's own visit ref still acts.
    expect(await patientAction(env, { ...visitOfA, patientId: s.b.id }, "confirm", "link")).toMatchObject({ ok: true });
  });
});
