// Live no-show risk of upcoming appointments: the clinic's model (./store.ts) applied to each
// appointment's facts as they stand now. One D1 batch for any number of appointments: model +
// clinic, the patients' histories, planned/sent reminders and confirmations.
import { parseStringList } from "../reminders/plan";
import { EMPTY_HISTORY, type PatientHistory, type VisitFacts } from "./features";
import { type NoShowModel, type Risk, riskOf } from "./model";
import { modelFromRow, modelStatement } from "./store";

export interface UpcomingRow {
  id: string;
  patient_id: string;
  start_ms: number;
  created_at: number;
  type: string;
  status: string;
}

export interface RiskContext {
  model: NoShowModel;
  zone: string;
  videoTypes: Set<string>;
  histories: Map<string, PatientHistory>;
  reminded: Set<string>;
  confirmed: Set<string>;
}

const ids = (rows: { id: string }[]) => JSON.stringify(rows.map((r) => r.id));

/** Everything riskFor needs about `rows`, in one batch. `patientIds` adds patients with no row (the slot ranking's patient). */
export async function loadRiskContext(d1: D1Database, clinicId: string, rows: UpcomingRow[], now: number, patientIds: string[] = []): Promise<RiskContext> {
  const patients = JSON.stringify([...new Set([...rows.map((r) => r.patient_id), ...patientIds])]);
  const [model, clinic, hist, rem, conf] = await d1.batch([
    modelStatement(d1, clinicId),
    d1.prepare("SELECT time_zone, video_types FROM clinics WHERE id = ?").bind(clinicId),
    d1
      .prepare(
        "SELECT patient_id, SUM(status = 'completed') AS completed, SUM(status = 'no_show') AS no_shows, " +
          "MAX(CASE WHEN status = 'completed' THEN start_ms END) AS last_ms FROM appointments INDEXED BY appointments_patient_idx " +
          "WHERE patient_id IN (SELECT value FROM json_each(?)) AND clinic_id = ? AND status IN ('completed','no_show') AND start_ms < ? GROUP BY patient_id",
      )
      .bind(patients, clinicId, now),
    // Upcoming: a reminder that is planned or went out counts (the patient will have been reminded).
    d1
      .prepare("SELECT DISTINCT appointment_id FROM reminders WHERE appointment_id IN (SELECT value FROM json_each(?)) AND state IN ('pending','sending','sent','delivered')")
      .bind(ids(rows)),
    d1.prepare("SELECT DISTINCT appointment_id FROM patient_responses WHERE appointment_id IN (SELECT value FROM json_each(?)) AND action = 'confirm'").bind(ids(rows)),
  ]);
  const c = clinic.results[0] as { time_zone: string; video_types: string } | undefined;
  const histories = new Map<string, PatientHistory>();
  for (const r of hist.results as { patient_id: string; completed: number; no_shows: number; last_ms: number | null }[])
    histories.set(r.patient_id, { completed: r.completed, noShows: r.no_shows, lastVisitMs: r.last_ms });
  return {
    model: modelFromRow(model.results[0] as never),
    zone: c?.time_zone ?? "UTC",
    videoTypes: new Set(parseStringList(c?.video_types)),
    histories,
    reminded: new Set((rem.results as { appointment_id: string }[]).map((r) => r.appointment_id)),
    confirmed: new Set((conf.results as { appointment_id: string }[]).map((r) => r.appointment_id)),
  };
}

/** The facts of one upcoming appointment as the model sees them. */
export function factsOf(r: UpcomingRow, ctx: RiskContext, video = false): VisitFacts {
  return {
    startMs: r.start_ms,
    bookedMs: r.created_at,
    type: r.type,
    video: video || ctx.videoTypes.has(r.type),
    reminded: ctx.reminded.has(r.id),
    confirmed: r.status === "confirmed" || ctx.confirmed.has(r.id),
  };
}

export function riskFor(r: UpcomingRow, ctx: RiskContext): Risk {
  return riskOf(ctx.model, ctx.zone, factsOf(r, ctx), ctx.histories.get(r.patient_id) ?? EMPTY_HISTORY);
}

/** Model facts for the badge's tooltip and the settings page. */
export const modelSummary = (m: NoShowModel) => ({ kind: m.kind, trainedAt: m.trainedAt, trainingSize: m.trainingSize, baseRate: m.baseRate });
