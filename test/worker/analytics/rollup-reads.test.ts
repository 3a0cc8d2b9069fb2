// The dashboard's reads of the rollups (worker/analytics/read.ts) give, for every filter
// (all doctors or one, all types or one, video or in person or both), the same figures as
// summing that filter's facts directly. The rollups keep each fact under its own key, its
// doctor's total and the clinic's total only, so most filters are answered from a different
// set of rows than the unfiltered one; this pins each of them to the facts (which the rollup
// property test ties to the appointments).
import { describe, expect, it } from "vitest";
import { createAppointment, updateAppointment, type Caller } from "../../../worker/appointments/write";
import { CUBE_COUNTERS, HEAT_COUNTERS } from "../../../worker/analytics/counters";
import { cubeBy, cubeByMonth, cubeTotals, heatCells } from "../../../worker/analytics/read";
import type { Filter, Scope } from "../../../worker/analytics/scope";
import { env, makeClinic } from "../../helpers";

const H = 3_600_000;
const TYPES = ["consultation", "video", "follow-up"];
const STATUSES = ["scheduled", "completed", "no_show", "cancelled", "completed", "no_show"] as const;

/** Sums of the counters over the facts a filter keeps, in months [from, to], grouped by `by`. */
async function fromFacts(clinicId: string, f: Filter, from: string, to: string, counters: Record<string, string>, by: string) {
  const where = ["f.clinic_id = ?", "f.month BETWEEN ? AND ?"];
  const params: unknown[] = [clinicId, from, to];
  if (f.doctor !== "*") where.push("f.doctor_id = ?"), params.push(f.doctor);
  if (f.type !== "*") where.push("f.type = ?"), params.push(f.type);
  if (f.video !== -1) where.push("f.video = ?"), params.push(f.video);
  const sums = Object.entries(counters).map(([c, e]) => `SUM(${e}) AS ${c}`).join(", ");
  return (
    await env.DB.prepare(`SELECT ${by} AS k, ${sums} FROM analytics_facts f WHERE ${where.join(" AND ")} GROUP BY 1 ORDER BY 1`)
      .bind(...params)
      .all<Record<string, number | string>>()
  ).results;
}

/** Rows by key; a row whose sums are all zero (a rollup row emptied by a move) is as good as none. */
const byKey = (rows: Record<string, unknown>[], key: string) =>
  Object.fromEntries(
    rows
      .map(({ [key]: k, ...rest }) => [String(k), Object.fromEntries(Object.entries(rest).map(([c, v]) => [c, Number(v ?? 0)]))] as const)
      .filter(([, sums]) => Object.values(sums).some((v) => v !== 0)),
  );

describe("analytics reads of the rollups", () => {
  it("every filter's figures equal the sums of its facts", async () => {
    const f = await makeClinic({ timeZone: "Europe/London", doctors: 2, patients: 3 });
    await env.DB.prepare("UPDATE clinics SET video_types = '[\"video\"]' WHERE id = ?").bind(f.clinic.id).run();
    const staff: Caller = { actor: { userId: f.admin.user.id, label: f.admin.user.email }, role: "admin", doctorId: null };
    // 36 appointments over two months and two doctors, every type and outcome, some moved.
    const base = Date.parse("2026-10-05T08:00:00Z");
    for (let i = 0; i < 36; i++) {
      const start = base + Math.floor(i / 6) * 7 * 24 * H + (i % 6) * 2 * H + (i % 2) * 24 * H;
      const r = await createAppointment(
        env,
        staff,
        { clinicId: f.clinic.id, doctorId: f.doctors[i % 2].doctor.id, patientId: f.patients[i % 3].id, startMs: start, endMs: start + H / 2, type: TYPES[i % 3], allowOutsideHours: true },
        { origin: "acms" },
      );
      if (!r.ok) throw new Error(`booking ${i} refused`);
      const status = STATUSES[(i * 5) % STATUSES.length];
      const patch = i % 7 === 0 ? { doctorId: f.doctors[(i + 1) % 2].doctor.id, status } : { status };
      if (status !== "scheduled" || i % 7 === 0)
        await updateAppointment(env, staff, f.clinic.id, r.appointment.id, { version: r.appointment.version, allowOutsideHours: true, ...patch }, { origin: "acms" });
    }
    const filters: Filter[] = [];
    for (const doctor of ["*", f.doctors[0].doctor.id, f.doctors[1].doctor.id])
      for (const type of ["*", ...TYPES]) for (const video of [-1, 0, 1] as const) filters.push({ doctor, type, video });

    let checked = 0;
    for (const filter of filters) {
      // November, compared with October (the previous period of the same length).
      const scope: Scope = { clinicId: f.clinic.id, period: { from: "2026-11", to: "2026-11" }, filter };
      const facts = byKey(await fromFacts(f.clinic.id, filter, "2026-10", "2026-11", CUBE_COUNTERS, "f.month >= '2026-11'"), "k");
      const totals = await cubeTotals(env.DB, scope);
      const want = (cur: "1" | "0") => ({ ...Object.fromEntries(Object.keys(CUBE_COUNTERS).map((c) => [c, 0])), ...facts[cur] });
      expect(totals.current, JSON.stringify(filter)).toEqual(want("1"));
      expect(totals.previous, JSON.stringify(filter)).toEqual(want("0"));

      const months = byKey(await cubeByMonth(env.DB, f.clinic.id, filter, { from: "2026-10", to: "2026-11" }), "month");
      expect(months, JSON.stringify(filter)).toEqual(byKey(await fromFacts(f.clinic.id, filter, "2026-10", "2026-11", CUBE_COUNTERS, "f.month"), "k"));

      for (const by of ["doctor_id", "type"] as const) {
        const got = byKey(await cubeBy(env.DB, { ...scope, period: { from: "2026-10", to: "2026-11" } }, by), "key");
        expect(got, `${by} ${JSON.stringify(filter)}`).toEqual(byKey(await fromFacts(f.clinic.id, filter, "2026-10", "2026-11", CUBE_COUNTERS, `f.${by}`), "k"));
      }

      const cells = (await heatCells(env.DB, scope, true)).map(({ cur, weekday, hour, ...c }) => ({ k: `${cur}|${weekday}|${hour}`, ...c }));
      const heatFacts = await fromFacts(f.clinic.id, filter, "2026-10", "2026-11", HEAT_COUNTERS, "(f.month >= '2026-11') || '|' || f.weekday || '|' || f.hour");
      expect(byKey(cells, "k"), JSON.stringify(filter)).toEqual(byKey(heatFacts, "k"));
      checked += facts["1"]?.booked ? 1 : 0;
    }
    // The data reaches most filters (not a comparison of empty sets).
    expect(checked).toBeGreaterThan(filters.length / 3);
  });
});
