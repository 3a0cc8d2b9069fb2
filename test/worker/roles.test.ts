// The role matrix: who may call what. One row per endpoint; every role is tried.
// Allowed → a 2xx; not allowed → 403 forbidden and nothing written.
import { describe, expect, it } from "vitest";
import type { Role } from "../../worker/db/schema";
import { authed, type ClinicFixture, makeClinic, snapshotCounts } from "../helpers";

interface Row {
  name: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: (f: ClinicFixture) => string;
  body?: (f: ClinicFixture) => unknown;
  allowed: Role[];
}

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
];

const tokenOf = (f: ClinicFixture, role: Role) => (role === "admin" ? f.tokens.admin : role === "receptionist" ? f.tokens.receptionist : f.tokens.doctor);

describe("role matrix", () => {
  for (const row of matrix) {
    for (const role of ALL) {
      const allowed = row.allowed.includes(role);
      it(`${role} ${allowed ? "may" : "may not"} ${row.name}`, async () => {
        const f = await makeClinic({ doctors: 2, patients: 1 });
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
