import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authed, makeClinic } from "../helpers";
import { appointmentRangeStatement } from "../../worker/appointments/queries";
import { newId } from "../../worker/ids";

const H = 3_600_000;
const DAY = 24 * H;

describe("range queries stay on the (doctor|clinic, start) indexes", () => {
  // rows_read = index range (results + appointments that started in the look-back before
  // `from`, which is the longest stored appointment: 1 h here) + the doctors/clinics row
  // holding that bound. patientName is a column of appointments: no patients join.
  it("reads at most twice (in fact about once) the rows a range query returns", async () => {
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
              "INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, status, created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'scheduled', 'x', 'x')",
            ).bind(newId(), f.clinic.id, doctor.id, f.patients[0].id, f.patients[0].name, s, s + H),
          );
        }
    await env.DB.batch(rows);
    const from = t0 + 14 * DAY;
    const to = from + 7 * DAY;

    const doctorWeek = await appointmentRangeStatement(env.DB, { clinicId: f.clinic.id, doctorId: f.doctors[1].doctor.id, fromMs: from, toMs: to }).all();
    expect(doctorWeek.results).toHaveLength(56);
    expect((doctorWeek.results[0] as { patient_name: string }).patient_name).toBe(f.patients[0].name);
    // Issue #2's target: ≤ 2× returned. The 1 h look-back reaches no appointment of the day
    // before (they end at 16:00), so: the 56 rows + the doctors row + 1 of slack.
    expect(doctorWeek.meta.rows_read).toBeLessThanOrEqual(2 * 56);
    expect(doctorWeek.meta.rows_read).toBeLessThanOrEqual(56 + 2);

    const clinicDay = await appointmentRangeStatement(env.DB, { clinicId: f.clinic.id, fromMs: from, toMs: from + DAY }).all();
    expect(clinicDay.results).toHaveLength(24);
    expect(clinicDay.meta.rows_read).toBeLessThanOrEqual(2 * 24);
    expect(clinicDay.meta.rows_read).toBeLessThanOrEqual(24 + 2);
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

describe("the look-back before `from` is the longest stored appointment", () => {
  const from = Date.parse("2026-03-02T00:00:00Z");
  const to = from + 7 * DAY;
  const iso = (ms: number) => new Date(ms).toISOString();

  it("still returns appointments that start before `from` and end inside the range (3 h and 11 h)", async () => {
    const f = await makeClinic({ doctors: 2, patients: 2 });
    const admin = authed(f.tokens.admin);
    const [a, b] = f.doctors.map((d) => d.doctor.id);
    const book = async (doctorId: string, startMs: number, endMs: number, patientId = f.patients[0].id) => {
      const res = await admin.post("/api/appointments", { doctorId, patientId, start: iso(startMs), end: iso(endMs), allowOutsideHours: true });
      expect(res.status).toBe(201);
      return (await res.json<any>()).appointment;
    };
    // Doctor A: 3 h across midnight (created long), and one that ends before `from`.
    const threeHours = await book(a, from - 2 * H, from + H);
    await book(a, from - 4 * H, from - 3 * H);
    // Doctor B: booked for 1 h, then stretched to 11 h (the update path must raise the bound too).
    const short = await book(b, from - 10 * H, from - 9 * H, f.patients[1].id);
    const stretched = await admin.patch(`/api/appointments/${short.id}`, { version: short.version, end: iso(from + H), allowOutsideHours: true });
    expect(stretched.status).toBe(200);

    const list = async (q: string) => {
      const res = await admin.get(`/api/appointments?from=${iso(from)}&to=${iso(to)}${q}`);
      expect(res.status).toBe(200);
      return ((await res.json<any>()).appointments as any[]).map((x) => [x.id, x.patientName, x.start, x.end]);
    };
    const threeRow = [threeHours.id, f.patients[0].name, iso(from - 2 * H), iso(from + H)];
    const elevenRow = [short.id, f.patients[1].name, iso(from - 10 * H), iso(from + H)];
    expect(await list(`&doctorId=${a}`)).toEqual([threeRow]);
    expect(await list(`&doctorId=${b}`)).toEqual([elevenRow]);
    expect(await list("")).toEqual([elevenRow, threeRow]);
  });

  it("reads no more than the rows the look-back can reach", async () => {
    const f = await makeClinic({ doctors: 1, patients: 1 });
    const d = f.doctors[0].doctor.id;
    // 30-minute appointments every hour around the clock for two weeks: with a 12 h fixed
    // look-back a week query would also read the 12 of the previous day's last 12 hours.
    const rows: D1PreparedStatement[] = [];
    for (let s = from - 7 * DAY; s < to; s += H)
      rows.push(
        env.DB.prepare(
          "INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, patient_name, start_ms, end_ms, status, created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'scheduled', 'x', 'x')",
        ).bind(newId(), f.clinic.id, d, f.patients[0].id, f.patients[0].name, s, s + 30 * 60_000),
      );
    await env.DB.batch(rows);
    for (const q of [{ doctorId: d }, {}]) {
      const r = await appointmentRangeStatement(env.DB, { clinicId: f.clinic.id, fromMs: from, toMs: to, ...q }).all();
      expect(r.results).toHaveLength(7 * 24);
      // Only the previous day's 23:00 (within 30 min of `from`) is in the range besides the
      // results, + the doctors/clinics row with the bound + 1 of slack.
      expect(r.meta.rows_read).toBeLessThanOrEqual(7 * 24 + 3);
    }
  });
});

describe("patientName is stored on the appointment and kept current", () => {
  it("follows a change of patient and a rename of the patient", async () => {
    const f = await makeClinic({ doctors: 1, patients: 2 });
    const admin = authed(f.tokens.admin);
    const start = Date.parse("2026-03-03T10:00:00Z");
    const q = `from=${new Date(start - DAY).toISOString()}&to=${new Date(start + DAY).toISOString()}`;
    const created = await admin.post("/api/appointments", {
      doctorId: f.doctors[0].doctor.id,
      patientId: f.patients[0].id,
      start: new Date(start).toISOString(),
      end: new Date(start + 30 * 60_000).toISOString(),
    });
    expect(created.status).toBe(201);
    const appt = (await created.json<any>()).appointment;
    const names = async () => [
      ((await (await admin.get(`/api/appointments?${q}`)).json<any>()).appointments as any[]).map((x) => x.patientName),
      (await (await admin.get(`/api/appointments/${appt.id}`)).json<any>()).appointment.patientName,
    ];
    expect(await names()).toEqual([[f.patients[0].name], f.patients[0].name]);

    const moved = await admin.patch(`/api/appointments/${appt.id}`, { version: appt.version, patientId: f.patients[1].id });
    expect(moved.status).toBe(200);
    expect((await moved.json<any>()).appointment.patientName).toBe(f.patients[1].name);
    expect(await names()).toEqual([[f.patients[1].name], f.patients[1].name]);

    expect((await admin.patch(`/api/patients/${f.patients[1].id}`, { name: "Renamed Person" })).status).toBe(200);
    expect(await names()).toEqual([["Renamed Person"], "Renamed Person"]);
    // A change of phone only leaves the name alone.
    expect((await admin.patch(`/api/patients/${f.patients[1].id}`, { phone: "0100 555" })).status).toBe(200);
    expect(await names()).toEqual([["Renamed Person"], "Renamed Person"]);
  });
});
