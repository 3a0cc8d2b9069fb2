// The role matrix: who may call what. One row per endpoint; every role is tried.
// Allowed → a 2xx; not allowed → 403 forbidden and nothing written.
import { describe, expect, it } from "vitest";
import type { Role } from "../../worker/db/schema";
import { authed, type ClinicFixture, makeClinic, snapshotCounts } from "../helpers";

type Ctx = ClinicFixture & { made: Record<string, string> };
interface Row {
  name: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Creates what the row needs, through the API as the receptionist. */
  prepare?: (f: ClinicFixture) => Promise<Record<string, string>>;
  path: (f: Ctx) => string;
  body?: (f: Ctx) => unknown;
  allowed: Role[];
}

// Doctors work Mon–Fri 09:00–12:00, 13:00–17:00 Europe/London (UTC+0 in January).
const at = (hhmm: string) => `2027-01-04T${hhmm}:00.000Z`;
/** An appointment of doctor `i` (0 is the "doctor" role's own, 1 a colleague's). */
const appointmentOf = (i: number) => async (f: ClinicFixture) => {
  const res = await authed(f.tokens.receptionist).post("/api/appointments", {
    doctorId: f.doctors[i].doctor.id,
    patientId: f.patients[0].id,
    start: at("10:00"),
    end: at("10:30"),
  });
  if (res.status !== 201) throw new Error(`prepare failed: ${res.status} ${await res.text()}`);
  return { appointmentId: ((await res.json()) as any).appointment.id as string };
};

const ALL: Role[] = ["admin", "receptionist", "doctor"];
const uniq = () => crypto.randomUUID().slice(0, 8);

const matrix: Row[] = [
  { name: "read clinic", method: "GET", path: () => "/api/clinic", allowed: ALL },
  { name: "edit clinic", method: "PATCH", path: () => "/api/clinic", body: () => ({ address: "3 Role Lane" }), allowed: ["admin"] },
  { name: "list doctors", method: "GET", path: () => "/api/doctors", allowed: ALL },
  { name: "create doctor", method: "POST", path: () => "/api/doctors", body: () => ({ name: "Dr Role" }), allowed: ["admin"] },
  // The first doctor's token is the "doctor" role below, so this row is about a colleague.
  { name: "edit another doctor", method: "PATCH", path: (f) => `/api/doctors/${f.doctors[1].doctor.id}`, body: () => ({ slotMinutes: 15 }), allowed: ["admin"] },
  { name: "edit own doctor hours", method: "PATCH", path: (f) => `/api/doctors/${f.doctors[0].doctor.id}`, body: () => ({ slotMinutes: 15 }), allowed: ["admin", "doctor"] },
  { name: "search patients", method: "GET", path: () => "/api/patients?q=a", allowed: ALL },
  { name: "create patient", method: "POST", path: () => "/api/patients", body: () => ({ name: "Role Patient" }), allowed: ALL },
  { name: "edit patient", method: "PATCH", path: (f) => `/api/patients/${f.patients[0].id}`, body: () => ({ phone: "123" }), allowed: ALL },
  { name: "list users", method: "GET", path: () => "/api/users", allowed: ["admin"] },
  {
    name: "create user",
    method: "POST",
    path: () => "/api/users",
    body: () => ({ email: `r-${uniq()}@test.example`, name: "R", role: "receptionist", password: "long enough pw" }),
    allowed: ["admin"],
  },
  { name: "disable user", method: "PATCH", path: (f) => `/api/users/${f.receptionist.user.id}`, body: () => ({ disabled: true }), allowed: ["admin"] },
  { name: "read audit log", method: "GET", path: () => "/api/audit", allowed: ["admin"] },
  { name: "list appointments", method: "GET", path: () => `/api/appointments?from=${at("00:00")}&to=2027-01-05T00:00:00Z`, allowed: ALL },
  { name: "read availability", method: "GET", path: (f) => `/api/availability?doctorId=${f.doctors[1].doctor.id}&from=2027-01-04&to=2027-01-05`, allowed: ALL },
  {
    name: "book into own calendar",
    method: "POST",
    path: () => "/api/appointments",
    body: (f) => ({ doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") }),
    allowed: ALL,
  },
  {
    name: "book into a colleague's calendar",
    method: "POST",
    path: () => "/api/appointments",
    body: (f) => ({ doctorId: f.doctors[1].doctor.id, patientId: f.patients[0].id, start: at("09:00"), end: at("09:30") }),
    allowed: ["admin", "receptionist"],
  },
  {
    name: "edit own appointment",
    method: "PATCH",
    prepare: appointmentOf(0),
    path: (f) => `/api/appointments/${f.made.appointmentId}`,
    body: () => ({ version: 1, notes: "ok" }),
    allowed: ALL,
  },
  {
    name: "edit a colleague's appointment",
    method: "PATCH",
    prepare: appointmentOf(1),
    path: (f) => `/api/appointments/${f.made.appointmentId}`,
    body: () => ({ version: 1, notes: "nope" }),
    allowed: ["admin", "receptionist"],
  },
  { name: "delete an appointment", method: "DELETE", prepare: appointmentOf(0), path: (f) => `/api/appointments/${f.made.appointmentId}`, allowed: ["admin"] },
  {
    name: "block a colleague's time",
    method: "POST",
    path: () => "/api/blocked-times",
    body: (f) => ({ doctorId: f.doctors[1].doctor.id, start: at("13:00"), end: at("14:00") }),
    allowed: ["admin", "receptionist"],
  },
];

const tokenOf = (f: ClinicFixture, role: Role) => (role === "admin" ? f.tokens.admin : role === "receptionist" ? f.tokens.receptionist : f.tokens.doctor);

describe("role matrix", () => {
  for (const row of matrix) {
    for (const role of ALL) {
      const allowed = row.allowed.includes(role);
      it(`${role} ${allowed ? "may" : "may not"} ${row.name}`, async () => {
        const base = await makeClinic({ doctors: 2, patients: 1 });
        const f: Ctx = { ...base, made: row.prepare ? await row.prepare(base) : {} };
        const api = authed(tokenOf(f, role));
        const before = await snapshotCounts();
        const res = await api(row.path(f), { method: row.method, body: row.body ? JSON.stringify(row.body(f)) : undefined });
        if (allowed) {
          expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(300);
        } else {
          expect(res.status).toBe(403);
          expect((await res.json<any>()).error.code).toBe("forbidden");
          expect(await snapshotCounts()).toEqual(before);
        }
      });
    }
  }
});
