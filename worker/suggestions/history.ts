// What the model needs from D1, read straight from the appointments / reminders /
// patient_responses / appointment_video tables (no analytics rollups: the model must not depend
// on another feature's tables). Two reads:
// - labelledHistory: a clinic's completed / no-show appointments of a time range, in start
//   order, paged on the (clinic_id, start_ms) index so a year of 100,000 rows is 20 bounded
//   queries, each row with "was a reminder delivered" and "did the patient confirm".
// (Each patient's counts before now, for live risk, are read by ./risk.ts.)
import { parseStringList } from "../reminders/plan";
import type { UpcomingRow } from "./risk";
import type { LabelledVisit } from "./training-set";

export const PAGE = 5000;
/** The most rows one training reads: a year of a very busy clinic. */
export const MAX_TRAINING_ROWS = 150_000;

interface HistoryRow extends UpcomingRow {
  reminded: number;
  confirmed: number;
  video: number;
}

const HISTORY_SQL =
  "SELECT a.id, a.patient_id, a.start_ms, a.created_at, a.type, a.status, " +
  "EXISTS (SELECT 1 FROM reminders r WHERE r.appointment_id = a.id AND r.state IN ('sent','delivered')) AS reminded, " +
  "EXISTS (SELECT 1 FROM patient_responses pr WHERE pr.appointment_id = a.id AND pr.action = 'confirm') AS confirmed, " +
  "EXISTS (SELECT 1 FROM appointment_video v WHERE v.appointment_id = a.id) AS video " +
  "FROM appointments a INDEXED BY appointments_clinic_start_idx " +
  // Keyset paging on (start_ms, id): the index gives start order, the id breaks ties (a small
  // sort within equal starts), so no row is skipped or read twice however many share an instant.
  "WHERE a.clinic_id = ? AND a.start_ms >= ? AND (a.start_ms > ? OR a.id > ?) AND a.start_ms < ? AND a.status IN ('completed','no_show') " +
  "ORDER BY a.start_ms, a.id LIMIT ?";

/** The clinic's labelled appointments starting in [fromMs, toMs), oldest first (at most MAX_TRAINING_ROWS, the latest kept). */
export async function labelledHistory(d1: D1Database, clinicId: string, fromMs: number, toMs: number, videoTypesJson: string, page = PAGE): Promise<LabelledVisit[]> {
  const videoTypes = new Set(parseStringList(videoTypesJson));
  const out: LabelledVisit[] = [];
  let from = fromMs;
  let lastId = "";
  for (;;) {
    const { results } = await d1.prepare(HISTORY_SQL).bind(clinicId, from, from, lastId, toMs, page).all<HistoryRow>();
    for (const r of results)
      out.push({
        patientId: r.patient_id,
        startMs: r.start_ms,
        bookedMs: r.created_at,
        type: r.type,
        video: r.video === 1 || videoTypes.has(r.type),
        reminded: r.reminded === 1,
        confirmed: r.confirmed === 1,
        noShow: r.status === "no_show",
      });
    if (results.length < page) break;
    from = results[results.length - 1].start_ms;
    lastId = results[results.length - 1].id;
    if (out.length > MAX_TRAINING_ROWS) out.splice(0, out.length - MAX_TRAINING_ROWS);
  }
  return out;
}
