// What keeping the analytics costs each appointment change, in D1 rows written (the line D1
// bills at $1 per million, and most of the bill per clinic: docs/performance.md). The rollups
// hold each fact under its own doctor/type/video, its doctor's total and the clinic's total
// only (they held all 2^3 summaries: 20 rows per booking, 36 per status change), and a change
// adds to them the difference it makes in one statement per table, leaving rows it does not
// change unwritten (it subtracted the old fact and added the new one: every row twice).
// Measured from D1's own result meta (every row and index entry D1 counts), with the same
// statements the write path appends to the change's batch.
import { describe, expect, it } from "vitest";
import { analyticsStatements } from "../../../worker/analytics/effect";
import { toD1 } from "../../../worker/analytics/fact-sql";
import { createAppointment, type Caller } from "../../../worker/appointments/write";
import type { AppointmentChange } from "../../../worker/appointments/effects";
import { env, makeClinic } from "../../helpers";

async function rowsWritten(change: AppointmentChange): Promise<number> {
  const results = await env.DB.batch(analyticsStatements(change).map((s) => toD1(env.DB, s)));
  return results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0);
}

async function booked() {
  const f = await makeClinic({ timeZone: "Europe/London", doctors: 1, patients: 1 });
  const staff: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
  const start = Date.parse("2026-11-10T10:00:00Z");
  const r = await createAppointment(
    env,
    staff,
    { clinicId: f.clinic.id, doctorId: f.doctors[0].doctor.id, patientId: f.patients[0].id, startMs: start, endMs: start + 1_800_000, type: "consultation", allowOutsideHours: true },
    { origin: "acms" },
  );
  if (!r.ok) throw new Error("booking refused");
  const clinic = { timeZone: "Europe/London", reminderRules: "[]", quietStartMin: 0, quietEndMin: 0, noReminderTypes: "[]", videoTypes: "[]", jitsiBaseUrl: "" };
  return { f, appointment: r.appointment, actor: staff.actor, context: { clinic, patient: { hasEmail: true, smsOk: false } } };
}

const counts = async (clinicId: string) =>
  env.DB.prepare(
    "SELECT (SELECT COUNT(*) FROM analytics_cube WHERE clinic_id = ?1) AS cube, (SELECT COUNT(*) FROM analytics_heat WHERE clinic_id = ?1) AS heat",
  )
    .bind(clinicId)
    .first<{ cube: number; heat: number }>();

describe("analytics write cost", () => {
  it("a booking is one row per rollup table for its own key, its doctor's total and the clinic's", async () => {
    const { f } = await booked();
    // The write path has just kept them: own (doctor, type, video) and the clinic-wide total.
    expect(await counts(f.clinic.id)).toEqual({ cube: 3, heat: 3 });
  });

  it("a booking's analytics write at most 8 D1 rows (fact 2: the row and its patient index entry; rollups 3 + 3)", async () => {
    const b = await booked();
    // Back to the state just before the booking's analytics ran, then the same statements again.
    await env.DB.batch(
      ["analytics_facts", "analytics_cube", "analytics_heat"].map((t) => env.DB.prepare(`DELETE FROM ${t} WHERE clinic_id = ?`).bind(b.f.clinic.id)),
    );
    const n = await rowsWritten({ before: null, after: b.appointment, actor: b.actor, origin: "acms", context: b.context });
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(8);
    expect(await counts(b.f.clinic.id)).toEqual({ cube: 3, heat: 3 });
  });

  it("a staff confirmation moves no counter: only the fact is written (2 rows; the no-show index is not touched)", async () => {
    const b = await booked();
    await env.DB.prepare("UPDATE appointments SET status = 'confirmed' WHERE id = ?").bind(b.appointment.id).run();
    const after = { ...b.appointment, status: "confirmed" as const };
    const n = await rowsWritten({ before: b.appointment, after, actor: b.actor, origin: "acms", context: b.context });
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(2);
    const fact = await env.DB.prepare("SELECT status FROM analytics_facts WHERE appointment_id = ?").bind(b.appointment.id).first<{ status: string }>();
    expect(fact?.status).toBe("confirmed");
  });

  it("a status change (completed) writes at most 8 rows: the fact in place (2), its 3 + 3 rollup rows once each", async () => {
    const b = await booked();
    await env.DB.prepare("UPDATE appointments SET status = 'completed' WHERE id = ?").bind(b.appointment.id).run();
    const after = { ...b.appointment, status: "completed" as const };
    const n = await rowsWritten({ before: b.appointment, after, actor: b.actor, origin: "acms", context: b.context });
    expect(n).toBeLessThanOrEqual(8);
    const total = await env.DB.prepare("SELECT booked, completed FROM analytics_cube WHERE clinic_id = ? AND doctor_id = '*'")
      .bind(b.f.clinic.id)
      .first<{ booked: number; completed: number }>();
    expect(total).toEqual({ booked: 1, completed: 1 });
  });
});
