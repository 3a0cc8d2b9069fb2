// The one staff list in Analytics (not an aggregate): patients with 2+ no-shows in the period,
// so the front desk can call them before their next visit. Admins see the clinic's, a doctor
// their own patients'. Read from analytics_facts on (clinic, status, month): the no-shows of
// the period, not every appointment.
import type { Scope } from "./scope";
import type { Table } from "./tables";

export async function repeatNoShows(d1: D1Database, scope: Scope) {
  const f = scope.filter;
  const cond: string[] = [];
  const params: unknown[] = [scope.clinicId, scope.period.from, scope.period.to];
  if (f.doctor !== "*") cond.push("AND f.doctor_id = ?"), params.push(f.doctor);
  if (f.type !== "*") cond.push("AND f.type = ?"), params.push(f.type);
  if (f.video !== -1) cond.push("AND f.video = ?"), params.push(f.video);
  // Group on the covering index first; only the (at most 200) patients listed are looked up.
  const rows = (
    await d1
      .prepare(
        `SELECT g.patient_id AS id, p.name, p.phone, g.no_shows, g.last_ms FROM (
           SELECT f.patient_id, COUNT(*) AS no_shows, MAX(f.start_ms) AS last_ms FROM analytics_facts f
           WHERE f.clinic_id = ? AND f.status = 'no_show' AND f.month BETWEEN ? AND ? ${cond.join(" ")}
           GROUP BY f.patient_id HAVING COUNT(*) >= 2 ORDER BY no_shows DESC, last_ms DESC LIMIT 200
         ) g JOIN patients p ON p.id = g.patient_id ORDER BY g.no_shows DESC, g.last_ms DESC`,
      )
      .bind(...params)
      .all<{ id: string; name: string; phone: string; no_shows: number; last_ms: number }>()
  ).results;
  const patients = rows.map((r) => ({ patientId: r.id, name: r.name, phone: r.phone, noShows: r.no_shows, lastNoShow: new Date(r.last_ms).toISOString() }));
  const table: Table = {
    id: "repeat-no-shows",
    title: "Patients with 2 or more no-shows in the period (staff only)",
    columns: ["Patient", "Phone", "No-shows", "Last no-show"],
    rows: patients.map((p) => [p.name, p.phone, p.noShows, p.lastNoShow.slice(0, 10)]),
  };
  return { patients, tables: [table] };
}
