// Test fixtures shared by every worker test: a whole clinic in a few milliseconds.
//
// Rows are inserted straight into D1 (one batch), not through the API, so a
// fixture costs no HTTP round-trips. Users get the hash of TEST_PASSWORD,
// computed once per test file (PBKDF2 at 100k iterations is slow, ~50-100 ms),
// and Bearer tokens are signed directly with the session secret, exactly as
// POST /api/auth/login would sign them. Use `login()` when the log-in itself is
// under test.
//
// Storage is not isolated between tests in a file: every call creates fresh
// ids and e-mails, so tests never see each other's rows.
//
// API (kept stable; other engineers build on it):
//   makeClinic(opts?)          → ClinicFixture {clinic, admin, receptionist, doctors[], patients[], tokens}
//   makeUser(clinicId, role)   → Staff {user, token}
//   makeDoctor(clinicId, opts) → DoctorFixture {doctor, user, token}
//   makePatient(clinicId, o)   → PatientRow
//   tokenFor(user)             → Bearer token for a UserRow (+ doctorId)
//   authed(token)              → fetch wrapper (Bearer + Origin + JSON) with .get/.post/.patch/.put/.delete
//   anon                       → same wrapper without a token
//   login(email, password?)    → {res, token, cookie} through the real endpoint
//   countRows(table, where?)   → number of rows (for "nothing was written" checks)
//   json(res)                  → parsed body, typed
//   runAtOnceAlarm(doctorId)   → runs the hub's alarm now if it is due within AT_ONCE_MS (sync harnesses' settle)
import * as workers from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import type { DoctorHub } from "../worker/hub/doctor-hub";
import { hashPassword } from "../worker/auth/passwords";
import { signSession } from "../worker/auth/session";
import type { Role } from "../worker/db/schema";
import type { Env as WorkerEnv, SessionUser } from "../worker/env";
import { newId } from "../worker/ids";
import { nameLc, phoneDigits } from "../worker/patients/dto";
import { termInserts } from "../worker/patients/terms";

/** `env` of cloudflare:workers (the Worker's bindings), re-exported for convenience. */
export const env: WorkerEnv = workers.env;
/** The Worker under test (exports.default of cloudflare:workers). */
export const worker = workers.exports.default;

export const BASE = "http://localhost";
/** The app's own origin (APP_URL in vitest.config.ts): what a browser on our SPA would send. */
export const ORIGIN = "http://localhost:8787";
export const TEST_PASSWORD = "correct horse battery staple";

/** Mon–Fri 09:00–17:00 with a 12:00–13:00 lunch break, clinic-local wall-clock times (ISO weekday keys). */
export const DEFAULT_WORKING_HOURS: Record<string, [string, string][]> = Object.fromEntries(
  ["1", "2", "3", "4", "5"].map((d) => [
    d,
    [
      ["09:00", "12:00"],
      ["13:00", "17:00"],
    ],
  ]),
);

export interface ClinicRow {
  id: string;
  name: string;
  timeZone: string;
  address: string;
  domain: string;
}
export interface UserRow {
  id: string;
  clinicId: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
}
export interface DoctorRow {
  id: string;
  clinicId: string;
  userId: string;
  name: string;
  specialty: string;
  color: string;
  slotMinutes: number;
  workingHours: Record<string, [string, string][]>;
}
export interface PatientRow {
  id: string;
  clinicId: string;
  name: string;
  phone: string;
  email: string;
  dateOfBirth: string | null;
}
export interface Staff {
  user: UserRow;
  token: string;
}
export interface DoctorFixture extends Staff {
  doctor: DoctorRow;
}
export interface ClinicFixture {
  clinic: ClinicRow;
  admin: Staff;
  receptionist: Staff;
  doctors: DoctorFixture[];
  patients: PatientRow[];
  /** Shortcuts: admin, receptionist and the first doctor's tokens. */
  tokens: { admin: string; receptionist: string; doctor: string };
}

let hashPromise: Promise<string> | undefined;
/** The PBKDF2 hash of TEST_PASSWORD, computed once per test file (module instance). */
export function testPasswordHash(): Promise<string> {
  hashPromise ??= hashPassword(TEST_PASSWORD);
  return hashPromise;
}

const short = () => newId().slice(0, 8);

export async function tokenFor(user: UserRow, doctorId: string | null = null): Promise<string> {
  const s: SessionUser = {
    userId: user.id,
    clinicId: user.clinicId,
    role: user.role,
    email: user.email,
    name: user.name,
    doctorId,
  };
  return signSession(s, env.SESSION_SECRET);
}

function userInsert(u: UserRow, hash: string) {
  return env.DB.prepare(
    "INSERT INTO users (id, clinic_id, email, name, password_hash, role, disabled) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).bind(u.id, u.clinicId, u.email, u.name, hash, u.role, u.disabled ? 1 : 0);
}

function newUser(clinicId: string, role: Role, opts: { email?: string; name?: string; disabled?: boolean } = {}): UserRow {
  const tag = short();
  return {
    id: newId(),
    clinicId,
    email: (opts.email ?? `${role}-${tag}@test.example`).toLowerCase(),
    name: opts.name ?? `${role[0].toUpperCase()}${role.slice(1)} ${tag}`,
    role,
    disabled: opts.disabled ?? false,
  };
}

export async function makeUser(
  clinicId: string,
  role: Role,
  opts: { email?: string; name?: string; disabled?: boolean } = {},
): Promise<Staff> {
  const user = newUser(clinicId, role, opts);
  await userInsert(user, await testPasswordHash()).run();
  return { user, token: await tokenFor(user) };
}

export interface DoctorOpts {
  name?: string;
  email?: string;
  specialty?: string;
  color?: string;
  slotMinutes?: number;
  workingHours?: Record<string, [string, string][]>;
}

function newDoctor(clinicId: string, userId: string, o: DoctorOpts = {}): DoctorRow {
  return {
    id: newId(),
    clinicId,
    userId,
    name: o.name ?? `Dr ${short()}`,
    specialty: o.specialty ?? "General practice",
    color: o.color ?? "#3b82f6",
    slotMinutes: o.slotMinutes ?? 30,
    workingHours: o.workingHours ?? DEFAULT_WORKING_HOURS,
  };
}

function doctorInsert(d: DoctorRow) {
  return env.DB.prepare(
    "INSERT INTO doctors (id, clinic_id, user_id, name, specialty, color, slot_minutes, working_hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  ).bind(d.id, d.clinicId, d.userId, d.name, d.specialty, d.color, d.slotMinutes, JSON.stringify(d.workingHours));
}

export async function makeDoctor(clinicId: string, o: DoctorOpts = {}): Promise<DoctorFixture> {
  const user = newUser(clinicId, "doctor", { email: o.email, name: o.name });
  const doctor = newDoctor(clinicId, user.id, { ...o, name: o.name ?? user.name });
  await env.DB.batch([userInsert(user, await testPasswordHash()), doctorInsert(doctor)]);
  return { doctor, user, token: await tokenFor(user, doctor.id) };
}

export interface PatientOpts {
  name?: string;
  phone?: string;
  email?: string;
  dateOfBirth?: string | null;
}

function newPatient(clinicId: string, o: PatientOpts = {}): PatientRow {
  const tag = short();
  return {
    id: newId(),
    clinicId,
    name: o.name ?? `Patient ${tag}`,
    phone: o.phone ?? "",
    email: (o.email ?? `patient-${tag}@mail.example`).toLowerCase(),
    dateOfBirth: o.dateOfBirth ?? null,
  };
}

/** The patient row and its search terms (what POST /api/patients writes). */
function patientInserts(p: PatientRow) {
  return [
    env.DB.prepare(
      "INSERT INTO patients (id, clinic_id, name, name_lc, phone, phone_digits, email, date_of_birth) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ).bind(p.id, p.clinicId, p.name, nameLc(p.name), p.phone, phoneDigits(p.phone), p.email, p.dateOfBirth),
    ...termInserts(env.DB, p.clinicId, p.id, p.name),
  ];
}

export async function makePatient(clinicId: string, o: PatientOpts = {}): Promise<PatientRow> {
  const p = newPatient(clinicId, o);
  await env.DB.batch(patientInserts(p));
  return p;
}

export interface ClinicOpts {
  name?: string;
  timeZone?: string;
  address?: string;
  /** Number of doctors (default 2), or per-doctor options. */
  doctors?: number | DoctorOpts[];
  /** Number of patients (default 2), or per-patient options. */
  patients?: number | PatientOpts[];
}

/** A clinic with an admin, a receptionist, doctors (each with a user) and patients, inserted in one D1 batch. */
export async function makeClinic(opts: ClinicOpts = {}): Promise<ClinicFixture> {
  const clinic: ClinicRow = {
    id: newId(),
    name: opts.name ?? `Clinic ${short()}`,
    timeZone: opts.timeZone ?? "Europe/London",
    address: opts.address ?? "1 Test Street",
    domain: "acms.example",
  };
  const hash = await testPasswordHash();
  const adminUser = newUser(clinic.id, "admin");
  const recUser = newUser(clinic.id, "receptionist");
  const doctorOpts: DoctorOpts[] = Array.isArray(opts.doctors)
    ? opts.doctors
    : Array.from({ length: opts.doctors ?? 2 }, () => ({}));
  const docs = doctorOpts.map((o) => {
    const user = newUser(clinic.id, "doctor", { email: o.email, name: o.name });
    return { user, doctor: newDoctor(clinic.id, user.id, { ...o, name: o.name ?? user.name }) };
  });
  const patientOpts: PatientOpts[] = Array.isArray(opts.patients)
    ? opts.patients
    : Array.from({ length: opts.patients ?? 2 }, () => ({}));
  const patients = patientOpts.map((o) => newPatient(clinic.id, o));

  await env.DB.batch([
    env.DB.prepare("INSERT INTO clinics (id, name, time_zone, address, domain) VALUES (?, ?, ?, ?, ?)").bind(
      clinic.id,
      clinic.name,
      clinic.timeZone,
      clinic.address,
      clinic.domain,
    ),
    userInsert(adminUser, hash),
    userInsert(recUser, hash),
    ...docs.flatMap((d) => [userInsert(d.user, hash), doctorInsert(d.doctor)]),
    ...patients.flatMap(patientInserts),
  ]);

  const admin = { user: adminUser, token: await tokenFor(adminUser) };
  const receptionist = { user: recUser, token: await tokenFor(recUser) };
  const doctors = await Promise.all(
    docs.map(async (d) => ({ ...d, token: await tokenFor(d.user, d.doctor.id) })),
  );
  return {
    clinic,
    admin,
    receptionist,
    doctors,
    patients,
    tokens: { admin: admin.token, receptionist: receptionist.token, doctor: doctors[0]?.token ?? "" },
  };
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

export type Api = ((path: string, init?: RequestInit) => Promise<Response>) & {
  get(path: string, headers?: HeadersInit): Promise<Response>;
  post(path: string, body?: unknown, headers?: HeadersInit): Promise<Response>;
  patch(path: string, body?: unknown, headers?: HeadersInit): Promise<Response>;
  put(path: string, body?: unknown, headers?: HeadersInit): Promise<Response>;
  delete(path: string, body?: unknown, headers?: HeadersInit): Promise<Response>;
};

/**
 * A fetch wrapper against the Worker under test: sets `Authorization: Bearer`,
 * `Origin` and a JSON content type. `body` values that are strings are sent
 * as they are (for malformed-JSON tests); anything else is JSON.stringify'd.
 */
export function authed(token: string | null): Api {
  const call = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (token && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
    if (!headers.has("origin")) headers.set("origin", ORIGIN);
    if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    return worker.fetch(new URL(path, BASE).toString(), { ...init, headers });
  };
  const withBody = (method: string) => (path: string, body?: unknown, headers?: HeadersInit) =>
    call(path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  return Object.assign(call, {
    get: (path: string, headers?: HeadersInit) => call(path, { method: "GET", headers }),
    post: withBody("POST"),
    patch: withBody("PATCH"),
    put: withBody("PUT"),
    delete: withBody("DELETE"),
  });
}

/** No credentials (still sends Origin and JSON content type). */
export const anon: Api = authed(null);

/** Logs in through POST /api/auth/login. `ip` sets cf-connecting-ip (rate limiting is per IP). */
export async function login(
  email: string,
  password = TEST_PASSWORD,
  ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
): Promise<{ res: Response; token: string | null; cookie: string | null; body: any }> {
  const res = await anon.post("/api/auth/login", { email, password }, { "cf-connecting-ip": ip });
  const body = (await res.json()) as any;
  const setCookie = res.headers.get("set-cookie");
  const cookie = setCookie ? setCookie.split(";")[0] : null;
  return { res, token: body?.token ?? null, cookie, body };
}

/** Parsed JSON body of a response. */
export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/**
 * A calendar integration for the doctor that the sync engine leaves alone (it needs a
 * reconnect): changes of the doctor's appointments are queued in sync_outbox for it, and wait.
 * A doctor without any integration gets no outbox rows (appointments/write-batch.ts).
 */
export async function queuedCalendar(d: DoctorFixture): Promise<void> {
  await env.DB.prepare("INSERT INTO calendar_integrations (id, clinic_id, user_id, doctor_id, provider, status) VALUES (?, ?, ?, ?, 'google', 'needs_reconnect')")
    .bind(crypto.randomUUID().replace(/-/g, ""), d.doctor.clinicId, d.user.id, d.doctor.id)
    .run();
}

const TABLE_RE = /^[a-z_]+$/;
/** Row count of a table, optionally filtered (`where` is SQL with ? placeholders). */
export async function countRows(table: string, where?: string, ...params: unknown[]): Promise<number> {
  if (!TABLE_RE.test(table)) throw new Error(`bad table name ${table}`);
  const r = await env.DB.prepare(`SELECT count(*) AS n FROM ${table}${where ? ` WHERE ${where}` : ""}`)
    .bind(...params)
    .first<{ n: number }>();
  return r?.n ?? 0;
}

/** Counts of every table a write could touch: compare before/after to prove nothing was written. */
export async function snapshotCounts(): Promise<Record<string, number>> {
  const tables = ["clinics", "users", "doctors", "patients", "appointments", "blocked_times", "audit_log", "sync_outbox", "email_outbox"];
  const rows = await env.DB.batch(tables.map((t) => env.DB.prepare(`SELECT count(*) AS n FROM ${t}`)));
  return Object.fromEntries(tables.map((t, i) => [t, (rows[i].results[0] as { n: number }).n]));
}

/**
 * An alarm this close (or overdue) is the hub asking to run again "at once": after a run that
 * pulled provider changes or reconciled (worker/sync/work.ts) or left a full outbox batch behind
 * (worker/sync/outbound.ts), it sets its alarm to now + 50 ms (DoctorHub.runWorkOnce). Far below
 * any deliberate wait (a Retry-After is whole seconds, an outbox retry ≥ 2 s, a poll minutes).
 */
export const AT_ONCE_MS = 250;

/**
 * Runs the doctor's hub alarm now, inside the hub, if it is due within AT_ONCE_MS; true if it ran.
 * `hub.idle()` waits only for work already running: the run the hub asked for at once was left to
 * its alarm, which then fired at some moment of the test's next steps (a test that changed the
 * database right after settling saw the hub act on the change before the step meant to cause it).
 * Settling runs it instead, so it is done when settle returns. Later alarms are left alone.
 */
export async function runAtOnceAlarm(doctorId: string): Promise<boolean> {
  const hub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId));
  return runInDurableObject(hub, async (instance: DoctorHub, state) => {
    const at = await state.storage.getAlarm();
    if (at == null || at > Date.now() + AT_ONCE_MS) return false;
    await state.storage.deleteAlarm();
    await instance.alarm();
    return true;
  });
}
