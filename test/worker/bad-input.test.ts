// The bad-input sweep: every write endpoint × every kind of bad request. Each must
// answer the right 4xx with { error: { code, message } } and write nothing (row
// counts of every table compared before/after). A valid request to the same
// endpoint is the control: it must succeed, so "nothing written" means something.
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../worker/app";
import { anon, authed, type ClinicFixture, makeClinic, snapshotCounts } from "../helpers";

type Method = "POST" | "PATCH" | "PUT" | "DELETE";
/** A clinic fixture plus whatever the endpoint's `prepare` made (e.g. an appointment to patch). */
type Ctx = ClinicFixture & { made: Record<string, string> };
interface Endpoint {
  name: string;
  method: Method;
  /** Creates what the path needs (through the API), once per clinic. */
  prepare?: (f: ClinicFixture) => Promise<Record<string, string>>;
  path: (f: Ctx) => string;
  /** A valid body: the control case. */
  valid: (f: Ctx) => Record<string, unknown>;
  /** Bodies that are JSON but wrong (types, ranges, impossible dates...): 422. */
  invalid: (f: Ctx) => Record<string, unknown>[];
  /** Another clinic's resource, if the path has an id: 404. */
  foreignPath?: (f: Ctx, other: Ctx) => string;
}

// A Monday far enough ahead to be bookable; the helpers' doctors work Mon–Fri
// 09:00–12:00 and 13:00–17:00 in Europe/London (UTC+0 in January).
const MONDAY = "2027-01-04";
const at = (hhmm: string, date = MONDAY) => `${date}T${hhmm}:00.000Z`;
const booking = (f: ClinicFixture, hhmm = "09:00") => ({
  doctorId: f.doctors[0].doctor.id,
  patientId: f.patients[0].id,
  start: at(hhmm),
  end: at(hhmm.replace(/:00$/, ":30")),
});
async function bookOne(f: ClinicFixture) {
  const res = await authed(f.tokens.receptionist).post("/api/appointments", booking(f, "10:00"));
  if (res.status !== 201) throw new Error(`prepare: booking failed ${res.status} ${await res.text()}`);
  return { appointmentId: ((await res.json()) as any).appointment.id as string };
}

/** A fresh clinic with the endpoint's preparation done. */
async function setup(ep: Endpoint): Promise<Ctx> {
  const f = await makeClinic({ doctors: 2, patients: 1 });
  return { ...f, made: ep.prepare ? await ep.prepare(f) : {} };
}

const uniq = () => crypto.randomUUID().slice(0, 8);

const endpoints: Endpoint[] = [
  {
    name: "create patient",
    method: "POST",
    path: () => "/api/patients",
    valid: () => ({ name: "Valid Patient", phone: "+44 20 7946 0000", email: "v@mail.example", dateOfBirth: "1984-02-29" }),
    invalid: () => [
      { name: 42 },
      { name: "" },
      { name: "x".repeat(201) },
      { name: null },
      {},
      { name: "A", email: "not-an-email" },
      { name: "A", phone: "call me maybe" },
      { name: "A", dateOfBirth: "2026-02-30" },
      { name: "A", dateOfBirth: "1985-02-29" },
      { name: "A", dateOfBirth: "1990-13-01" },
      { name: "A", dateOfBirth: "01/02/1990" },
      { name: "A", dateOfBirth: "2999-01-01" },
    ],
  },
  {
    name: "edit patient",
    method: "PATCH",
    path: (f) => `/api/patients/${f.patients[0].id}`,
    valid: () => ({ phone: "0123" }),
    invalid: () => [{}, { name: ["A"] }, { dateOfBirth: "2026-02-30" }, { email: 5 }, { id: "0".repeat(32) }],
    foreignPath: (_f, o) => `/api/patients/${o.patients[0].id}`,
  },
  {
    name: "create user",
    method: "POST",
    path: () => "/api/users",
    valid: () => ({ email: `ok-${uniq()}@test.example`, name: "Ok", role: "receptionist", password: "long enough pw" }),
    invalid: () => [
      { email: `a-${uniq()}@test.example`, name: "A", role: "superuser", password: "long enough pw" },
      { email: `a-${uniq()}@test.example`, name: "A", role: "admin", password: "short" },
      { email: "nope", name: "A", role: "admin", password: "long enough pw" },
      { email: `a-${uniq()}@test.example`, name: "A", role: "receptionist", password: "long enough pw", doctor: { slotMinutes: 30 } },
      { email: `a-${uniq()}@test.example`, name: "A", role: "doctor", password: "long enough pw", doctor: { workingHours: { "1": [["17:00", "09:00"]] } } },
      { email: `a-${uniq()}@test.example`, name: "A", role: "admin", password: 12345678901 },
    ],
  },
  {
    name: "edit user",
    method: "PATCH",
    path: (f) => `/api/users/${f.receptionist.user.id}`,
    valid: () => ({ name: "Renamed" }),
    invalid: () => [{}, { disabled: "yes" }, { role: "superuser" }, { password: "short" }, { email: "new@test.example" }],
    foreignPath: (_f, o) => `/api/users/${o.receptionist.user.id}`,
  },
  {
    name: "create doctor",
    method: "POST",
    path: () => "/api/doctors",
    valid: () => ({ name: "Dr Valid", slotMinutes: 20 }),
    invalid: () => [
      { name: "Dr A", slotMinutes: 3 },
      { name: "Dr A", slotMinutes: 30.5 },
      { name: "Dr A", workingHours: { "1": [["09:00", "09:00"]] } },
      { name: "Dr A", workingHours: { monday: [["09:00", "12:00"]] } },
      { name: "Dr A", userId: "not-an-id" },
      { slotMinutes: 30 },
    ],
  },
  {
    name: "edit doctor",
    method: "PATCH",
    path: (f) => `/api/doctors/${f.doctors[0].doctor.id}`,
    valid: () => ({ slotMinutes: 45 }),
    invalid: () => [{}, { workingHours: "9 to 5" }, { workingHours: { "2": [["13:00", "14:00"], ["09:00", "13:30"]] } }, { active: 1 }, { userId: null }],
    foreignPath: (_f, o) => `/api/doctors/${o.doctors[0].doctor.id}`,
  },
  {
    name: "book appointment",
    method: "POST",
    path: () => "/api/appointments",
    valid: (f) => booking(f),
    invalid: (f) => [
      { ...booking(f), start: "2027-02-29T09:00:00Z", end: "2027-02-29T09:30:00Z" },
      { ...booking(f), start: "2026-02-30T09:00:00Z" },
      { ...booking(f), start: at("09:30"), end: at("09:00") },
      { ...booking(f), start: at("09:00"), end: at("09:00") },
      { ...booking(f), start: Date.parse(at("09:00")) },
      { ...booking(f), start: "2027-01-04 09:00" },
      { ...booking(f), status: "maybe" },
      { ...booking(f), doctorId: "../../etc/passwd" },
      { ...booking(f), patientId: undefined },
      { ...booking(f), notes: "x".repeat(5001) },
      { ...booking(f), allowOutsideHours: "yes" },
    ],
  },
  {
    name: "edit appointment",
    method: "PATCH",
    prepare: bookOne,
    path: (f) => `/api/appointments/${f.made.appointmentId}`,
    valid: () => ({ version: 1, notes: "Bring previous results" }),
    invalid: () => [
      {},
      { notes: "no version" },
      { version: "1", notes: "x" },
      { version: 1 },
      { version: 1, start: "2027-02-29T10:00:00Z" },
      { version: 1, end: at("09:00") },
      { version: 1, status: "done" },
      { version: 1, clinicId: "0".repeat(32) },
    ],
    foreignPath: (_f, o) => `/api/appointments/${o.made.appointmentId}`,
  },
  {
    name: "cancel appointment",
    method: "POST",
    prepare: bookOne,
    path: (f) => `/api/appointments/${f.made.appointmentId}/cancel`,
    valid: () => ({ version: 1 }),
    invalid: () => [{}, { version: "1" }, { version: 0 }, { version: 1.5 }, { version: 1, status: "cancelled" }],
    foreignPath: (_f, o) => `/api/appointments/${o.made.appointmentId}/cancel`,
  },
  {
    name: "block time",
    method: "POST",
    path: () => "/api/blocked-times",
    valid: (f) => ({ doctorId: f.doctors[0].doctor.id, start: at("13:00"), end: at("14:00"), label: "Meeting" }),
    invalid: (f) => [
      { doctorId: f.doctors[0].doctor.id, start: at("14:00"), end: at("13:00") },
      { doctorId: f.doctors[0].doctor.id, start: "2026-02-30T13:00:00Z", end: at("14:00") },
      { doctorId: f.doctors[0].doctor.id, start: at("13:00"), end: at("14:00"), allDay: "yes" },
      { doctorId: f.doctors[0].doctor.id, start: at("13:00"), end: at("14:00"), label: "x".repeat(201) },
      { doctorId: 7, start: at("13:00"), end: at("14:00") },
      { start: at("13:00"), end: at("14:00") },
    ],
  },
  {
    name: "edit clinic",
    method: "PATCH",
    path: () => "/api/clinic",
    valid: () => ({ name: "Renamed Clinic" }),
    invalid: () => [{}, { name: "" }, { timeZone: "Mars/Base" }, { address: ["x"] }],
  },
];

async function expectError(res: Response, status: number, code?: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text);
  expect(body).toHaveProperty("error");
  expect(typeof body.error.code).toBe("string");
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  if (code) expect(body.error.code).toBe(code);
  return body.error;
}

describe("bad input sweep", () => {
  for (const ep of endpoints) {
    describe(`${ep.method} ${ep.name}`, () => {
      it("malformed JSON → 400, not JSON at all → 400, wrong content type → 415; nothing written", async () => {
        const f = await setup(ep);
        const api = authed(f.tokens.admin);
        const before = await snapshotCounts();
        for (const raw of ['{"name": ', "{'name': 'x'}", "", "nul", '{"a":1}}']) {
          await expectError(await api(ep.path(f), { method: ep.method, body: raw }), 400, "bad_request");
        }
        await expectError(
          await api(ep.path(f), { method: ep.method, body: JSON.stringify(ep.valid(f)), headers: { "content-type": "text/plain" } }),
          415,
          "unsupported_media_type",
        );
        expect(await snapshotCounts()).toEqual(before);
      });

      it("wrong types, bad values, impossible dates, unknown fields, non-objects → 422 with details; nothing written", async () => {
        const f = await setup(ep);
        const api = authed(f.tokens.admin);
        const before = await snapshotCounts();
        const bodies = [...ep.invalid(f), { ...ep.valid(f), unexpectedField: true }, { ...ep.valid(f), __proto__x: 1 }, [], [ep.valid(f)], "just a string", 42, null];
        for (const b of bodies) {
          const err = await expectError(await api(ep.path(f), { method: ep.method, body: JSON.stringify(b) }), 422, "validation_failed");
          expect(Array.isArray(err.details), JSON.stringify(b)).toBe(true);
          expect(err.details.length).toBeGreaterThan(0);
        }
        expect(await snapshotCounts()).toEqual(before);
      });

      it(`oversize body (> ${MAX_BODY_BYTES / 1024} KiB) → 413; nothing written`, async () => {
        const f = await setup(ep);
        const api = authed(f.tokens.admin);
        const before = await snapshotCounts();
        const big = JSON.stringify({ ...ep.valid(f), name: "x".repeat(MAX_BODY_BYTES + 10) });
        await expectError(await api(ep.path(f), { method: ep.method, body: big }), 413, "payload_too_large");
        expect(await snapshotCounts()).toEqual(before);
      });

      it("missing or forged session → 401; nothing written", async () => {
        const f = await setup(ep);
        const before = await snapshotCounts();
        const body = JSON.stringify(ep.valid(f));
        await expectError(await anon(ep.path(f), { method: ep.method, body }), 401, "unauthorized");
        await expectError(await authed(f.tokens.admin.slice(0, -4) + "AAAA")(ep.path(f), { method: ep.method, body }), 401, "unauthorized");
        expect(await snapshotCounts()).toEqual(before);
      });

      if (ep.foreignPath) {
        it("another clinic's id → 404 with no data, malformed id → 404; nothing written", async () => {
          const f = await setup(ep);
          const other = await setup(ep);
          const api = authed(f.tokens.admin);
          const before = await snapshotCounts();
          const res = await api(ep.foreignPath!(f, other), { method: ep.method, body: JSON.stringify(ep.valid(f)) });
          const err = await expectError(res, 404, "not_found");
          expect(err.details).toBeUndefined();
          const malformed = ep.path(f).replace(/[0-9a-f]{32}/, "zz'; DROP TABLE users;--");
          await expectError(await api(malformed, { method: ep.method, body: JSON.stringify(ep.valid(f)) }), 404, "not_found");
          expect(await snapshotCounts()).toEqual(before);
        });
      }

      it("control: the valid request succeeds", async () => {
        const f = await setup(ep);
        const res = await authed(f.tokens.admin)(ep.path(f), { method: ep.method, body: JSON.stringify(ep.valid(f)) });
        expect(res.status, await res.clone().text()).toBeLessThan(300);
      });
    });
  }
});

describe("bad query strings", () => {
  it.each([
    "/api/patients?limit=abc",
    "/api/patients?limit=0",
    "/api/patients?limit=1000",
    "/api/patients?unknown=1",
    "/api/patients?q=" + "a".repeat(201),
    "/api/doctors?includeInactive=maybe",
    "/api/audit?before=x",
    "/api/audit?entityId=abc",
    "/api/audit?entityType=DROP%20TABLE",
  ])("%s → 422", async (path) => {
    const f = await makeClinic({ doctors: 0, patients: 0 });
    await expectError(await authed(f.tokens.admin).get(path), 422, "validation_failed");
  });
});
