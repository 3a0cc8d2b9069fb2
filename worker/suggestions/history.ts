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
  "WHERE a.clinic_id = ? AND a.start_ms >= ? AND a.start_ms < ? AND a.status IN ('completed','no_show') ORDER BY a.start_ms LIMIT ?";

/** The clinic's labelled appointments starting in [fromMs, toMs), oldest first (at most MAX_TRAINING_ROWS, the latest kept). */
export async function labelledHistory(d1: D1Database, clinicId: string, fromMs: number, toMs: number, videoTypesJson: string): Promise<LabelledVisit[]> {
  const videoTypes = new Set(parseStringList(videoTypesJson));
  const out: LabelledVisit[] = [];
  let from = fromMs;
  // Rows at the page's last start are read again by the next page (>=): skip those already taken.
  let seenAtFrom = new Set<string>();
  for (;;) {
    const { results } = await d1.prepare(HISTORY_SQL).bind(clinicId, from, toMs, PAGE).all<HistoryRow>();
    for (const r of results) {
      if (r.start_ms === from && seenAtFrom.has(r.id)) continue;
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
    }
    if (results.length < PAGE) break;
    const last = results[results.length - 1].start_ms;
    const atLast = new Set(results.filter((r) => r.start_ms === last).map((r) => r.id));
    // A whole page at one instant cannot advance: stop rather than loop (no clinic books 5,000 visits at once).
    if (last === from && atLast.size === results.length) break;
    seenAtFrom = last === from ? new Set([...seenAtFrom, ...atLast]) : atLast;
    from = last;
    if (out.length > MAX_TRAINING_ROWS) out.splice(0, out.length - MAX_TRAINING_ROWS);
  }
  return out;
}
