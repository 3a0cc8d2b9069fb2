// SMS replies (C/X/R/HELP) act only on the one appointment a reply can mean: one number may
// belong to several patients (a parent's, on each child) in several clinics.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { drainReminders } from "../../../worker/reminders/send";
import { AMBIGUOUS } from "../../../worker/routes/twilio-webhooks";
import { authed, countRows, makePatient } from "../../helpers";
import { book, rowsOf, setup, twilio, useReminderFakes, Z } from "./fixture";

useReminderFakes();

const statusOf = async (id: string) => (await env.DB.prepare("SELECT status FROM appointments WHERE id = ?").bind(id).first<{ status: string }>())!.status;
const linksOf = (id: string) => countRows("patient_links", "appointment_id = ?", id);

describe("SMS replies on a shared number", () => {
  it("ignore a patient without SMS consent, and answer neutrally (acting on nothing) when two consenting patients share the number", async () => {
    const s = await setup();
    // A sibling on the same number, no SMS consent, with an EARLIER appointment.
    const sibling = await makePatient(s.f.clinic.id, { name: "Charles Lovelace", phone: s.patient.phone });
    const tue = await s.api.post("/api/appointments", { doctorId: s.doctorId, patientId: sibling.id, start: "2027-03-09T10:00:00.000Z", end: "2027-03-09T10:30:00.000Z" });
    expect(tue.status).toBe(201);
    const siblingVisit = (await tue.json<any>()).appointment;
    const thu = await book(s, "2027-03-11T10:00:00.000Z", "2027-03-11T10:30:00.000Z");

    // "X" to Thursday's reminder cancels Thursday (the consenting patient's), not the sibling's Tuesday.
    const x = await (await twilio.inbound(s.e164, "X")).text();
    expect(x).toContain("is cancelled");
    expect(await statusOf(thu.id)).toBe("cancelled");
    expect(await statusOf(siblingVisit.id)).toBe("scheduled");

    // Now both consent and both have an upcoming visit: no reply may pick one.
    expect((await s.api.put(`/api/patients/${sibling.id}/sms-consent`, { consent: true })).status).toBe(200);
    const next = await book(s, "2027-03-18T10:00:00.000Z", "2027-03-18T10:30:00.000Z");
    for (const word of ["C", "X", "R", "HELP"]) {
      const text = await (await twilio.inbound(s.e164, word)).text();
      expect(text).toContain(AMBIGUOUS);
      expect(text).not.toContain("Riverside Clinic");
      expect(text).not.toMatch(/2027|Mar|10:00|Lovelace|020 7946 0000/);
    }
    expect(await statusOf(siblingVisit.id)).toBe("scheduled");
    expect(await statusOf(next.id)).toBe("scheduled");
    expect(await linksOf(siblingVisit.id)).toBe(0);
    expect(await linksOf(next.id)).toBe(0);
    expect(await countRows("patient_responses", "appointment_id IN (?, ?)", siblingVisit.id, next.id)).toBe(0);
  });

  it("answer neutrally when the number's patients are in two clinics", async () => {
    const one = await setup();
    const two = await setup({ phone: one.patient.phone });
    const a = await book(one, "2027-03-11T10:00:00.000Z", "2027-03-11T10:30:00.000Z");
    const b = await book(two, "2027-03-09T10:00:00.000Z", "2027-03-09T10:30:00.000Z");
    const text = await (await twilio.inbound(one.e164, "X")).text();
    expect(text).toContain(AMBIGUOUS);
    expect(text).not.toContain("Riverside Clinic");
    expect([await statusOf(a.id), await statusOf(b.id)]).toEqual(["scheduled", "scheduled"]);
  });

  it("answer neutrally when the patient got an SMS reminder for a visit that is not their next", async () => {
    const s = await setup();
    const thu = await book(s, "2027-03-11T14:00:00.000Z", "2027-03-11T14:30:00.000Z");
    await drainReminders(env, s.doctorId, Z("2027-03-11T12:00:10Z"));
    expect((await rowsOf(thu.id)).find((r) => r.channel === "sms")!.state).toBe("sent");
    // Booked after that reminder went out, and earlier: "C" could mean either.
    const tue = await book(s, "2027-03-09T10:00:00.000Z", "2027-03-09T10:30:00.000Z");
    const text = await (await twilio.inbound(s.e164, "C")).text();
    expect(text).toContain(AMBIGUOUS);
    expect([await statusOf(tue.id), await statusOf(thu.id)]).toEqual(["scheduled", "scheduled"]);
    // Once the other one is gone, the reply means the reminded visit again.
    expect((await authed(s.f.tokens.receptionist).patch(`/api/appointments/${tue.id}`, { version: tue.version, status: "cancelled" })).status).toBe(200);
    expect(await (await twilio.inbound(s.e164, "C")).text()).toContain("is confirmed");
    expect(await statusOf(thu.id)).toBe("confirmed");
  });

  it("a reminder sent for a time the visit was since moved from does not make the next visit's reply ambiguous", async () => {
    const s = await setup();
    const first = await book(s, "2027-03-11T14:00:00.000Z", "2027-03-11T14:30:00.000Z");
    const second = await book(s, "2027-03-18T14:00:00.000Z", "2027-03-18T14:30:00.000Z");
    await drainReminders(env, s.doctorId, Z("2027-03-11T12:00:10Z"));
    expect((await rowsOf(first.id)).find((r) => r.channel === "sms")!.state).toBe("sent");
    // Staff move the first visit behind the second: the reminder that went out is about a time that is gone.
    const moved = await authed(s.f.tokens.receptionist).patch(`/api/appointments/${first.id}`, { version: first.version, start: "2027-03-25T14:00:00.000Z", end: "2027-03-25T14:30:00.000Z" });
    expect(moved.status).toBe(200);
    // "C" now means the next visit, the second one.
    expect(await (await twilio.inbound(s.e164, "C")).text()).toContain("is confirmed");
    expect([await statusOf(second.id), await statusOf(first.id)]).toEqual(["confirmed", "scheduled"]);
  });
});
