import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { makeClinic } from "../helpers";
import { appointmentRangeStatement } from "../../worker/appointments/queries";
import { newId } from "../../worker/ids";

const H = 3_600_000;
const DAY = 24 * H;

describe("range queries stay on the (doctor|clinic, start) indexes", () => {
  // rows_read = index range (results + appointments that started in the 12 h before `from`)
  // + one patients PK lookup per result (patientName): 2 × results + the margin.
  it("reads about twice the rows a range query returns (index range + patient name)", async () => {
    const f = await makeClinic({ doctors: 3, patients: 1 });
    const t0 = Date.parse("2026-01-05T00:00:00Z");
    const rows: D1PreparedStatement[] = [];
    // 10 weeks × 7 days × 8 one-hour appointments per doctor.
    for (const { doctor } of f.doctors)
      for (let day = 0; day < 70; day++)
        for (let h = 8; h < 16; h++) {
          const s = t0 + day * DAY + h * H;
          rows.push(
            env.DB.prepare(
              "INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, start_ms, end_ms, status, created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, 'scheduled', 'x', 'x')",
            ).bind(newId(), f.clinic.id, doctor.id, f.patients[0].id, s, s + H),
          );
        }
    await env.DB.batch(rows);
    const from = t0 + 14 * DAY;
    const to = from + 7 * DAY;

    const doctorWeek = await appointmentRangeStatement(env.DB, { clinicId: f.clinic.id, doctorId: f.doctors[1].doctor.id, fromMs: from, toMs: to }).all();
    expect(doctorWeek.results).toHaveLength(56);
    // Margin: the 4 appointments 12:00–16:00 on the day before `from` are in the index range.
    expect(doctorWeek.meta.rows_read).toBeLessThanOrEqual(2 * 56 + 4 + 2);

    const clinicDay = await appointmentRangeStatement(env.DB, { clinicId: f.clinic.id, fromMs: from, toMs: from + DAY }).all();
    expect(clinicDay.results).toHaveLength(24);
    expect(clinicDay.meta.rows_read).toBeLessThanOrEqual(2 * 24 + 3 * 4 + 2);
  });

  it("uses the indexes in the query plan", async () => {
    const f = await makeClinic();
    for (const doctorId of [f.doctors[0].doctor.id, undefined]) {
      const stmt = appointmentRangeStatement(env.DB, { clinicId: f.clinic.id, doctorId, fromMs: 0, toMs: DAY, statuses: ["scheduled"] });
      // Same SQL with EXPLAIN QUERY PLAN in front.
      const sql = (stmt as unknown as { statement: string }).statement;
      const params = (stmt as unknown as { params: unknown[] }).params;
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
      const details = plan.results.map((r) => r.detail).join(" | ");
      expect(details).toMatch(doctorId ? /appointments_doctor_start_idx \(doctor_id=\? AND start_ms>\? AND start_ms<\?\)/ : /appointments_clinic_start_idx \(clinic_id=\? AND start_ms>\? AND start_ms<\?\)/);
      expect(details).not.toMatch(/SCAN a\b/);
    }
  });
});
