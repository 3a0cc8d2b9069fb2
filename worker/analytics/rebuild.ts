// Recomputes a clinic's analytics facts and rollups from its appointments: after a migration,
// a change of the clinic's zone or video types, or rows written outside the write path (seeds).
// The same SQL as the per-change effect (./fact-sql.ts), applied to every appointment.
// Who cancelled is kept from the existing fact when there is one (it is only known at the
// moment of the cancel); otherwise it is read from the appointment's last writer.
import { bucketOf, cancelByOf, leadBucket } from "./facts";
import { addToRollups, type FactInput, toD1, upsertFactsStmt } from "./fact-sql";

const PAGE = 500;

interface Row {
  id: string;
  start_ms: number;
  created_at: number;
  updated_at: number;
  updated_by: string;
}

/**
 * One step of a rebuild: up to `maxPages` pages of 500 appointments after id `after` ("" to
 * start). The last step (next = null) replaces the clinic's rollups with sums of its facts in
 * one batch. Steps are independent requests, so a large clinic's rebuild stays within a
 * request's limits; appointment changes made meanwhile keep facts right through the effect.
 */
export async function rebuildStep(d1: D1Database, clinicId: string, after = "", maxPages = 20): Promise<{ appointments: number; next: string | null }> {
  const clinic = await d1.prepare("SELECT time_zone FROM clinics WHERE id = ?").bind(clinicId).first<{ time_zone: string }>();
  if (!clinic) return { appointments: 0, next: null };
  const zone = clinic.time_zone;
  if (after === "")
    await d1
      .prepare("DELETE FROM analytics_facts WHERE clinic_id = ? AND appointment_id NOT IN (SELECT id FROM appointments WHERE clinic_id = ?)")
      .bind(clinicId, clinicId)
      .run();
  let n = 0;
  for (let page = 0; page < maxPages; page++) {
    const rows = (
      await d1
        .prepare("SELECT id, start_ms, created_at, updated_at, updated_by FROM appointments WHERE clinic_id = ? AND id > ? ORDER BY id LIMIT ?")
        .bind(clinicId, after, PAGE)
        .all<Row>()
    ).results;
    if (rows.length === 0) break;
    const facts: FactInput[] = rows.map((r) => ({
      id: r.id,
      ...bucketOf(zone, r.start_ms),
      lead: leadBucket(zone, r.created_at, r.start_ms),
      cancelBy: cancelByOf({ label: r.updated_by }, null),
      at: r.updated_at,
      patientConfirm: 0,
    }));
    await toD1(d1, upsertFactsStmt(facts)).run();
    n += rows.length;
    after = rows[rows.length - 1].id;
    if (rows.length < PAGE) return { appointments: n, next: await finish(d1, clinicId) };
  }
  if (n === 0) return { appointments: 0, next: await finish(d1, clinicId) };
  return { appointments: n, next: after };
}

async function finish(d1: D1Database, clinicId: string): Promise<null> {
  await d1.batch([
    d1.prepare("DELETE FROM analytics_cube WHERE clinic_id = ?").bind(clinicId),
    d1.prepare("DELETE FROM analytics_heat WHERE clinic_id = ?").bind(clinicId),
    ...addToRollups({ text: "f.clinic_id = ?", params: [clinicId] }).map((s) => toD1(d1, s)),
  ]);
  return null;
}

/** The whole rebuild in one go (tests, small clinics). */
export async function rebuildClinic(d1: D1Database, clinicId: string): Promise<{ appointments: number }> {
  let total = 0;
  let next: string | null = "";
  while (next !== null) {
    const r: { appointments: number; next: string | null } = await rebuildStep(d1, clinicId, next, Infinity);
    total += r.appointments;
    next = r.next;
  }
  return { appointments: total };
}
