// Shared by the reminder flow tests: the Twilio emulator wired into the Worker, recorded e-mails,
// and a clinic whose patient has e-mail + a UK mobile with SMS consent.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { bindingSender, setEmailSenderOverride, type OutgoingEmail } from "../../../worker/email/sender";
import { TwilioEmulator } from "../../fakes/twilio/emulator";
import { installTwilioEmulator } from "../../fakes/twilio/router";
import { authed, makeClinic } from "../../helpers";

export const twilio = new TwilioEmulator("AC00000000000000000000000000000001", "twilio-test-auth-token", "+15005550006", "https://acms.test/api/webhooks/twilio/sms");
export const mails: OutgoingEmail[] = [];

/** Installs the emulator and the e-mail recorder for the calling test file. */
export function useReminderFakes(): void {
  let uninstall: () => void;
  beforeAll(() => (uninstall = installTwilioEmulator(twilio)));
  afterAll(() => uninstall());
  beforeEach(() => {
    mails.length = 0;
    twilio.messages.length = 0;
    twilio.faults.length = 0;
    setEmailSenderOverride((e) => {
      const real = bindingSender(e.EMAIL!);
      return { async send(m) { await real.send(m); mails.push(m); } };
    });
  });
  afterEach(() => setEmailSenderOverride(null));
}

export const reminderMails = () => mails.filter((m) => /Message-ID: <reminder\./i.test(m.raw));
export const hubIdle = (doctorId: string) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId)).idle();
export const Z = (s: string) => Date.parse(s);

export interface Row { id: string; channel: string; due_at: number; state: string; attempts: number; provider_id: string | null; last_error: string | null }
export const rowsOf = async (appointmentId: string) =>
  (await env.DB.prepare("SELECT id, channel, due_at, state, attempts, provider_id, last_error FROM reminders WHERE appointment_id = ? ORDER BY due_at").bind(appointmentId).all<Row>()).results;
export const plan = (rows: Row[]) => rows.map((r) => `${r.channel}@${new Date(r.due_at).toISOString()}:${r.state}`);

let nextPhone = 900100 + Math.floor(Math.random() * 800) * 100;
/** A clinic whose only patient has e-mail + a UK mobile number, with SMS consent ticked by the receptionist (unless consent: false). */
export async function setup(opts: { consent?: boolean; phone?: string } = {}) {
  // A number of its own per test: replies find patients by number across the whole database.
  const local = opts.phone ?? `07700 ${nextPhone++}`;
  const f = await makeClinic({ name: "Riverside Clinic", patients: [{ name: "Ada Lovelace", email: "ada@mail.example", phone: local }] });
  const api = authed(f.tokens.receptionist);
  if (opts.consent !== false) expect((await api.put(`/api/patients/${f.patients[0].id}/sms-consent`, { consent: true })).status).toBe(200);
  await authed(f.tokens.admin).put("/api/clinic/reminders", { phone: "020 7946 0000" });
  return { f, api, doctorId: f.doctors[0].doctor.id, patient: f.patients[0], e164: `+44${local.replace(/\D/g, "").replace(/^0/, "")}` };
}
export type Setup = Awaited<ReturnType<typeof setup>>;

export async function book(s: Setup, start: string, end: string, extra: Record<string, unknown> = {}) {
  const res = await s.api.post("/api/appointments", { doctorId: s.doctorId, patientId: s.patient.id, start, end, reason: "REASON-SECRET", notes: "NOTE-SECRET", ...extra });
  expect(res.status).toBe(201);
  const a = (await res.json<any>()).appointment;
  await hubIdle(s.doctorId);
  return a;
}
