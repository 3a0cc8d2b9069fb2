// The provider harness the engine scenarios run against (issue 9): "an emulator + how
// to act as the provider's user". Google implements it in
// test/worker/google/provider-harness.ts; Microsoft Graph and CalDAV implement the same
// interface against their emulators/servers and call the same scenario functions, so
// every provider is held to the same engine behaviour.
import { env as cfEnv } from "cloudflare:workers";
import type { Env } from "../../../../worker/env";
import { authed, makeClinic, type ClinicFixture } from "../../../helpers";
import { DAY, dayPlus } from "../../../days";

export const env = cfEnv as unknown as Env;

export interface ConnectedDoctor {
  f: ClinicFixture;
  doctorId: string;
  /** The doctor's user id (notices). */
  userId: string;
  doctor: ReturnType<typeof authed>;
  integrationId: string;
  /** The provider account (e-mail / principal) the emulator knows this doctor by. */
  account: string;
}

export interface ProviderEvent {
  startMs: number;
  endMs: number;
  cancelled: boolean;
}

export interface ProviderHarness {
  /** calendar_integrations.provider and blocked_times.source */
  name: string;
  /** Routes the Worker's fetches to the emulator; returns the uninstaller. */
  install(): () => void;
  /** A fresh clinic whose first doctor connects through the real connect routes; channels opened, first sync done. */
  connect(): Promise<ConnectedDoctor>;
  /** The same doctor connects the same account again (after a disconnect or a dead grant). */
  reconnect(c: ConnectedDoctor): Promise<void>;
  /** Waits until the doctor's hub and the emulator's push deliveries are quiet. */
  settle(doctorId: string): Promise<void>;
  /** Number of requests recorded so far (a mark for requestsSince). */
  mark(): number;
  /** API requests made with this doctor's credentials since the mark (OAuth excluded). */
  requestsSince(c: ConnectedDoctor, mark: number): { method: string; url: string }[];
  /** True for push-channel upkeep requests (Google watch / channels.stop, Graph /subscriptions): not event writes. */
  isChannelRequest(r: { method: string; url: string }): boolean;
  /** Our event for an appointment as the provider has it. */
  event(c: ConnectedDoctor, appointmentId: string): ProviderEvent | undefined;
  /** Events per listing page (real providers page at 250–1000; emulators start small to test paging). */
  setPageSize(n: number): void;
  /** The provider's per-account rate limit: every call refused with Retry-After for `seconds`. */
  rateLimit(c: ConnectedDoctor, seconds: number): void;
  /** Push notifications of this account are lost silently (channels still look healthy). */
  losePush(c: ConnectedDoctor, lost: boolean): void;
  /** True when the provider pushes changes (Google, Graph); CalDAV polls only. */
  hasPush: boolean;
  /** Acting as the provider's user, in the provider's own UI. */
  user: {
    addBusy(c: ConnectedDoctor, startIso: string, endIso: string, title?: string): void;
    move(c: ConnectedDoctor, appointmentId: string, startIso: string, endIso: string): void;
  };
  /** Delivers the last notification of the doctor's write calendar again (replay), if the provider pushes. */
  replayNotification?(c: ConnectedDoctor): Promise<void>;
}

/** A Monday in the future, in winter (London = UTC): working hours 09–12, 13–17. */
export { DAY };
export const SATURDAY = dayPlus(5);
export const at = (hhmm: string, day = DAY) => `${day}T${hhmm}:00.000Z`;

export const hubOf = (doctorId: string) => env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId));

export async function book(c: ConnectedDoctor, startIso: string, endIso: string) {
  const res = await c.doctor.post("/api/appointments", {
    doctorId: c.doctorId,
    patientId: c.f.patients[0].id,
    start: startIso,
    end: endIso,
    reason: "Recurring chest pain",
    notes: "Allergic to penicillin",
  });
  if (res.status !== 201) throw new Error(`book: ${res.status} ${await res.text()}`);
  return (await res.json<any>()).appointment as { id: string; version: number; start: string; end: string; status: string };
}

export const calendarRow = (c: ConnectedDoctor) =>
  env.DB.prepare("SELECT c.* FROM integration_calendars c JOIN calendar_integrations i ON i.id = c.integration_id WHERE i.id = ? AND c.calendar_id = i.write_calendar_id")
    .bind(c.integrationId)
    .first<any>();
export const integrationRow = (c: ConnectedDoctor) => env.DB.prepare("SELECT * FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<any>();
export const blocksOf = (c: ConnectedDoctor) =>
  env.DB.prepare("SELECT * FROM blocked_times WHERE doctor_id = ? AND integration_id IS NOT NULL ORDER BY start_ms").bind(c.doctorId).all<any>().then((r) => r.results);
export const noticesOf = (userId: string, kind: string) =>
  env.DB.prepare("SELECT * FROM notices WHERE user_id = ? AND kind = ?").bind(userId, kind).all<any>().then((r) => r.results);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The doctor connects the same account again through the real OAuth routes (Google, Outlook). */
export async function reconnectThroughOAuth(c: ConnectedDoctor, provider: string, consent: (authorizeUrl: string, account: string) => Promise<URL>) {
  const start = await c.doctor.post(`/api/integrations/${provider}/connect`, {});
  const { authorizeUrl } = await start.json<any>();
  const back = await consent(authorizeUrl, c.account);
  const cb = await c.doctor(back.pathname + back.search, { method: "GET", redirect: "manual" });
  if (cb.status !== 302) throw new Error(`callback: ${cb.status} ${await cb.text()}`);
  const row = await env.DB.prepare("SELECT id FROM calendar_integrations WHERE doctor_id = ? AND provider = ?").bind(c.doctorId, provider).first<{ id: string }>();
  c.integrationId = row!.id;
}

/** The same person, as the doctor of a new clinic, connects the same account through OAuth (a doctor in two clinics). */
export async function connectSameAccountThroughOAuth(first: ConnectedDoctor, provider: string, consent: (authorizeUrl: string, account: string) => Promise<URL>): Promise<ConnectedDoctor> {
  const f = await makeClinic({ timeZone: "Europe/London" });
  const d = f.doctors[0];
  const c: ConnectedDoctor = { f, doctorId: d.doctor.id, userId: d.user.id, doctor: authed(d.token), integrationId: "", account: first.account };
  await reconnectThroughOAuth(c, provider, consent);
  return c;
}
