// An admin may book or move an appointment outside the doctor's working hours on purpose
// (allowOutsideHours: true); everyone else is refused with 403 and nothing is written. The
// audit entry says the hours were overridden, so "who booked at 07:00, and was it deliberate?"
// has an answer.
import { describe, expect, it } from "vitest";
import { authed, makeClinic, snapshotCounts } from "../../helpers";

// Monday 2026-01-05; clinic zone Europe/London; hours 09–12, 13–17 (helpers.ts).
const at = (hhmm: string, day = "2026-01-05") => `${day}T${hhmm}:00.000Z`;

async function auditOf(admin: ReturnType<typeof authed>, id: string) {
  const r = await admin.get(`/api/audit?entityType=appointment&entityId=${id}`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { entries: { action: string; summary: Record<string, unknown> }[] }).entries;
}

describe("admin override of working hours", () => {
  it("is refused (403, nothing written) for a receptionist and a doctor, even inside hours", async () => {
    const f = await makeClinic();
    const d = f.doctors[0];
    const before = await snapshotCounts();
    for (const token of [f.tokens.receptionist, d.token]) {
      const res = await authed(token).post("/api/appointments", { doctorId: d.doctor.id, patientId: f.patients[0].id, start: at("07:00"), end: at("07:30"), allowOutsideHours: true });
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe("forbidden");
    }
    expect(await snapshotCounts()).toEqual(before);
  });

  it("books and moves outside hours for an admin, and the audit entry records the override", async () => {
    const f = await makeClinic();
    const admin = authed(f.tokens.admin);
    const d = f.doctors[0].doctor;
    // Without the flag an admin is held to the hours like everyone else.
    const plain = await admin.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: at("07:00"), end: at("07:30") });
    expect(plain.status).toBe(422);
    const res = await admin.post("/api/appointments", { doctorId: d.id, patientId: f.patients[0].id, start: at("07:00"), end: at("07:30"), allowOutsideHours: true });
    expect(res.status).toBe(201);
    const a = ((await res.json()) as any).appointment;
    const created = (await auditOf(admin, a.id)).find((e) => e.action.endsWith("create") || e.action.endsWith("created"))!;
    expect(created.summary.overrideHours).toBe(true);
    // A move outside hours with the flag: recorded too; an ordinary edit has no such mark.
    const moved = await admin.patch(`/api/appointments/${a.id}`, { version: 1, start: at("18:00"), end: at("18:30"), allowOutsideHours: true });
    expect(moved.status).toBe(200);
    const edit = await admin.patch(`/api/appointments/${a.id}`, { version: 2, notes: "x" });
    expect(edit.status).toBe(200);
    const entries = await auditOf(admin, a.id);
    expect(entries.filter((e) => e.summary.overrideHours === true)).toHaveLength(2);
    expect(entries.filter((e) => e.summary.overrideHours === undefined)).toHaveLength(1);
  });
});
