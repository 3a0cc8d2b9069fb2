// The clinic's model in D1 (noshow_models): written by the nightly training, read by every
// risk and suggestion request (one primary-key row).
import { DEFAULT_MODEL, type NoShowModel, parseStoredModel } from "./model";

export function modelStatement(d1: D1Database, clinicId: string): D1PreparedStatement {
  return d1.prepare("SELECT kind, trained_at, training_size, model FROM noshow_models WHERE clinic_id = ?").bind(clinicId);
}

/** The stored row → the model in use: the trained one, else the default (with the size that fell short). */
export function modelFromRow(row: { kind: string; trained_at: number; training_size: number; model: string } | undefined | null): NoShowModel {
  const trained = row?.kind === "trained" ? parseStoredModel(row.model) : null;
  if (trained) return trained;
  return { ...DEFAULT_MODEL, trainedAt: row?.trained_at ?? null, trainingSize: row?.training_size ?? 0 };
}

export function saveModelStatement(d1: D1Database, clinicId: string, m: NoShowModel, now: number): D1PreparedStatement {
  return d1
    .prepare(
      "INSERT INTO noshow_models (clinic_id, kind, trained_at, training_size, base_rate, model) VALUES (?, ?, ?, ?, ?, ?) " +
        "ON CONFLICT (clinic_id) DO UPDATE SET kind = excluded.kind, trained_at = excluded.trained_at, training_size = excluded.training_size, base_rate = excluded.base_rate, model = excluded.model",
    )
    .bind(clinicId, m.kind, now, m.trainingSize, m.baseRate, m.kind === "trained" ? JSON.stringify(m) : "{}");
}
