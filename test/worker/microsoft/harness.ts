// Shared set-up for the Outlook sync end-to-end tests: the Graph emulator wired into
// the isolate's fetch, a clinic with a doctor who connects through the real OAuth
// routes, and `settle()` that waits until the doctor's hub and the emulator's
// notification deliveries are quiet.
import { env as cfEnv } from "cloudflare:workers";
import type { Env } from "../../../worker/env";
import { GraphEmulator } from "../../fakes/microsoft/emulator";
import { authed, json, makeClinic, runAtOnceAlarm, type ClinicFixture } from "../../helpers";
import { DAY } from "../../days";

export const env = cfEnv as unknown as Env;
export const emu = new GraphEmulator({ clientId: env.MICROSOFT_CLIENT_ID!, clientSecret: env.MICROSOFT_CLIENT_SECRET! });

export const hubOf = (doctorId: string) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId));

/**
 * Waits until the doctor's background work and all queued notifications are done, including
 * the run the hub asked for "at once" (runAtOnceAlarm).
 */
export async function settle(doctorId: string, rounds = 4) {
  for (let i = 0; i < rounds; i++) {
    await emu.settle();
    await hubOf(doctorId).idle();
  }
  for (let i = 0; await runAtOnceAlarm(doctorId); i++) {
    if (i >= 20) throw new Error(`settle: the hub of doctor ${doctorId} keeps asking for another run at once`);
    await emu.settle();
    await hubOf(doctorId).idle();
  }
}

export const PHI = {
  name: "Zebedee Quartermaine",
  phone: "+44 7700 900123",
  email: "zebedee.q@mail.example",
  reason: "Recurring chest pain",
  notes: "Allergic to penicillin",
};

export interface Connected {
  f: ClinicFixture;
  doctorId: string;
  userId: string;
  email: string;
  doctor: ReturnType<typeof authed>;
  integrationId: string;
  calendarId: string;
}

let n = 0;
export async function connectDoctor(o: { work?: boolean; calendars?: { name: string; canEdit?: boolean }[] } = {}): Promise<Connected> {
  const f = await makeClinic({ timeZone: "Europe/London", patients: [{ name: PHI.name, phone: PHI.phone, email: PHI.email }, {}] });
  const d = f.doctors[0];
  const email = `dr${Date.now().toString(36)}${n++}@contoso.test`;
  emu.addAccount(email, { work: o.work ?? true, calendars: o.calendars ?? [{ name: "Family" }] });
  const doctor = authed(d.token);
  const start = await doctor.post("/api/integrations/microsoft/connect", {});
  if (start.status !== 200) throw new Error(`connect: ${start.status} ${await start.text()}`);
  const { authorizeUrl } = await json(start);
  const back = await emu.consent(authorizeUrl, email);
  const cb = await doctor(back.pathname + back.search, { method: "GET", redirect: "manual" });
  if (cb.status !== 302) throw new Error(`callback: ${cb.status} ${await cb.text()}`);
  await settle(d.doctor.id);
  const row = await env.DB.prepare("SELECT id FROM calendar_integrations WHERE doctor_id = ? AND provider = 'microsoft'").bind(d.doctor.id).first<{ id: string }>();
  return { f, doctorId: d.doctor.id, userId: d.user.id, email, doctor, integrationId: row!.id, calendarId: emu.defaultCalendar(email).id };
}

/** A Monday in the future, in winter (London = UTC): working hours 09–12, 13–17. */
export { DAY };
export const at = (hhmm: string, day = DAY) => `${day}T${hhmm}:00.000Z`;

export async function book(c: Connected, startHhmm: string, endHhmm: string, day = DAY) {
  const res = await c.doctor.post("/api/appointments", {
    doctorId: c.doctorId,
    patientId: c.f.patients[0].id,
    start: at(startHhmm, day),
    end: at(endHhmm, day),
    reason: PHI.reason,
    notes: PHI.notes,
  });
  if (res.status !== 201) throw new Error(`book: ${res.status} ${await res.text()}`);
  return (await json(res)).appointment as { id: string; version: number; start: string; end: string; status: string };
}

export const link = (apptId: string) => env.DB.prepare("SELECT * FROM appointment_links WHERE appointment_id = ?").bind(apptId).first<any>();
export const integration = (id: string) => env.DB.prepare("SELECT * FROM calendar_integrations WHERE id = ?").bind(id).first<any>();
export const blocks = (doctorId: string) =>
  env.DB.prepare("SELECT * FROM blocked_times WHERE doctor_id = ? AND source = 'microsoft' ORDER BY start_ms").bind(doctorId).all<any>().then((r) => r.results);
export const notices = (userId: string, kind: string) =>
  env.DB.prepare("SELECT * FROM notices WHERE user_id = ? AND kind = ?").bind(userId, kind).all<any>().then((r) => r.results);
