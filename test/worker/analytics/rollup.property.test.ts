// Property: after any sequence of bookings, moves, status changes, patient/doctor/type changes,
// cancels and hard deletes through THE write path (each keeping the rollups in its own batch),
// the rollups equal a rebuild from the appointments. The sequences run in Europe/London over
// the October DST change and across midnight, with staff, patient-link and provider actors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAppointment, deleteAppointment, updateAppointment, type Caller } from "../../../worker/appointments/write";
import { rebuildClinic, rebuildStep } from "../../../worker/analytics/rebuild";
import type { AppointmentStatus } from "../../../worker/db/schema";
import { env, makeClinic } from "../../helpers";

const H = 3_600_000;
// Starts around the 2026-10-25 London fall-back (01:00–02:00 happens twice), midnight, and a month edge.
const STARTS = [
  Date.parse("2026-10-24T23:30:00Z"),
  Date.parse("2026-10-25T00:30:00Z"),
  Date.parse("2026-10-25T01:30:00Z"),
  Date.parse("2026-10-30T09:00:00Z"),
  Date.parse("2026-10-31T23:45:00Z"),
  Date.parse("2026-11-02T10:00:00Z"),
  Date.parse("2026-11-09T14:00:00Z"),
];
const STATUSES: AppointmentStatus[] = ["scheduled", "confirmed", "completed", "no_show", "cancelled"];
const TYPES = ["consultation", "video", "follow-up"];

type Op =
  | { k: "create"; doctor: number; patient: number; start: number; len: number; type: number; status: number }
  | { k: "move"; i: number; start: number }
  | { k: "status"; i: number; status: number; actor: number }
  | { k: "patient"; i: number; patient: number }
  | { k: "doctor"; i: number; doctor: number }
  | { k: "type"; i: number; type: number }
  | { k: "delete"; i: number };

const idx = fc.nat(20);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant("create" as const), doctor: fc.nat(1), patient: fc.nat(2), start: fc.nat(STARTS.length - 1), len: fc.integer({ min: 1, max: 4 }), type: fc.nat(2), status: fc.nat(4) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("move" as const), i: idx, start: fc.nat(STARTS.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant("status" as const), i: idx, status: fc.nat(4), actor: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("patient" as const), i: idx, patient: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("doctor" as const), i: idx, doctor: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("type" as const), i: idx, type: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("delete" as const), i: idx }) },
);

async function snapshot(clinicId: string) {
  const q = (sql: string) => env.DB.prepare(sql).bind(clinicId).all().then((r) => r.results);
  // Rows whose counters all went back to zero are the same as absent rows.
  const nonZero = (rows: Record<string, unknown>[], keys: string[]) =>
    rows.filter((r) => Object.entries(r).some(([k, v]) => !keys.includes(k) && v !== 0));
  return {
    facts: await q("SELECT * FROM analytics_facts WHERE clinic_id = ? ORDER BY appointment_id"),
    cube: nonZero(await q("SELECT * FROM analytics_cube WHERE clinic_id = ? ORDER BY doctor_id, type, video, month"), ["clinic_id", "month", "doctor_id", "type", "video"]),
    heat: nonZero(await q("SELECT * FROM analytics_heat WHERE clinic_id = ? ORDER BY doctor_id, type, video, month, weekday, hour"), ["clinic_id", "month", "weekday", "hour", "doctor_id", "type", "video"]),
  };
}

describe("analytics rollups", () => {
  it("equal a rebuild from the appointments after any sequence of changes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const f = await makeClinic({ timeZone: "Europe/London", doctors: 2, patients: 3 });
        const staff: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
        const callers: [Caller, "acms" | "google"][] = [
          [staff, "acms"],
          [{ actor: { userId: null, label: "patient via link" }, role: "system", doctorId: null }, "acms"],
          [{ actor: { userId: null, label: "system:google-sync" }, role: "system", doctorId: null }, "google"],
        ];
        const ids: string[] = [];
        const live = async (i: number) => {
          if (ids.length === 0) return null;
          const id = ids[i % ids.length];
          return env.DB.prepare("SELECT version FROM appointments WHERE id = ?").bind(id).first<{ version: number }>().then((r) => (r ? { id, version: r.version } : null));
        };
        for (const o of ops) {
          if (o.k === "create") {
            const start = STARTS[o.start];
            const r = await createAppointment(
              env,
              staff,
              { clinicId: f.clinic.id, doctorId: f.doctors[o.doctor].doctor.id, patientId: f.patients[o.patient].id, startMs: start, endMs: start + (o.len * H) / 2, type: TYPES[o.type], status: STATUSES[o.status], allowOutsideHours: true },
              { origin: "acms" },
            );
            if (r.ok) ids.push(r.appointment.id);
            continue;
          }
          const a = await live(o.i);
          if (!a) continue;
          if (o.k === "delete") {
            await deleteAppointment(env, staff, f.clinic.id, a.id, a.version, { origin: "acms" });
            continue;
          }
          const [caller, origin] = o.k === "status" ? callers[o.actor] : callers[0];
          const cur = await env.DB.prepare("SELECT start_ms, end_ms FROM appointments WHERE id = ?").bind(a.id).first<{ start_ms: number; end_ms: number }>();
          const patch =
            o.k === "move"
              ? { startMs: STARTS[o.start], endMs: STARTS[o.start] + (cur!.end_ms - cur!.start_ms) }
              : o.k === "status"
                ? { status: STATUSES[o.status] }
                : o.k === "patient"
                  ? { patientId: f.patients[o.patient].id }
                  : o.k === "doctor"
                    ? { doctorId: f.doctors[o.doctor].doctor.id }
                    : { type: TYPES[o.type] };
          const r = await updateAppointment(env, caller, f.clinic.id, a.id, { version: a.version, allowOutsideHours: true, ...patch }, { origin });
          // As patientAction (worker/patient-links/actions.ts) does after a patient's own confirm or cancel.
          if (r.ok && !r.unchanged && caller === callers[1][0] && (patch.status === "confirmed" || patch.status === "cancelled"))
            await env.DB.prepare("INSERT INTO patient_responses (clinic_id, appointment_id, action, via, at) VALUES (?, ?, ?, 'link', ?)")
              .bind(f.clinic.id, a.id, patch.status === "confirmed" ? "confirm" : "cancel", Date.now())
              .run();
        }
        const incremental = await snapshot(f.clinic.id);
        await rebuildClinic(env.DB, f.clinic.id);
        const rebuilt = await snapshot(f.clinic.id);
        expect(incremental.facts).toEqual(rebuilt.facts);
        expect(incremental.cube).toEqual(rebuilt.cube);
        expect(incremental.heat).toEqual(rebuilt.heat);
        // And the facts are one per appointment.
        const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM appointments WHERE clinic_id = ?").bind(f.clinic.id).first<{ n: number }>();
        expect(incremental.facts.length).toBe(n!.n);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});

describe("analytics rebuild", () => {
  it("runs in steps (one page each) and ends with the same rollups as in one go", async () => {
    const f = await makeClinic({ timeZone: "Europe/Berlin", doctors: 2, patients: 2 });
    // 1,100 appointments written with SQL (outside the write path): no facts yet.
    await env.DB.prepare(
      `INSERT INTO appointments (id, clinic_id, doctor_id, patient_id, start_ms, end_ms, type, status, created_by, updated_by)
       WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1099)
       SELECT printf('%032x', i + 9000000), ?, CASE i % 2 WHEN 0 THEN ? ELSE ? END, CASE i % 3 WHEN 0 THEN ? ELSE ? END,
         ${Date.parse("2026-01-05T08:00:00Z")} + i * 3600000, ${Date.parse("2026-01-05T08:30:00Z")} + i * 3600000, 'consultation',
         CASE i % 10 WHEN 0 THEN 'no_show' WHEN 1 THEN 'cancelled' ELSE 'completed' END, 'x', 'x' FROM n`,
    )
      .bind(f.clinic.id, f.doctors[0].doctor.id, f.doctors[1].doctor.id, f.patients[0].id, f.patients[1].id)
      .run();
    const steps: (string | null)[] = [];
    let next: string | null = "";
    while (next !== null) {
      const r: { next: string | null } = await rebuildStep(env.DB, f.clinic.id, next, 1);
      steps.push(r.next);
      next = r.next;
    }
    expect(steps).toHaveLength(3); // 500 + 500 + 100
    const stepped = await snapshot(f.clinic.id);
    await rebuildClinic(env.DB, f.clinic.id);
    expect(await snapshot(f.clinic.id)).toEqual(stepped);
    const all = stepped.cube.filter((r: any) => r.doctor_id === "*" && r.type === "*" && r.video === -1);
    const sum = (k: string) => all.reduce((a: number, r: any) => a + r[k], 0);
    expect([sum("booked"), sum("no_show"), sum("cancelled"), sum("completed")]).toEqual([990, 110, 110, 880]);
  });
});
