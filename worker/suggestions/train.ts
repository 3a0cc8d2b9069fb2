// Nightly training (one call from worker/scheduled.ts on the 5-minute cron): each clinic's
// model is refitted once a night, between 01:00 and 05:00 clinic time, from its last year of
// completed / no-show appointments, and stored with its date and training size. A clinic with
// no model row yet is trained at the next tick whatever the hour, so a new installation has
// its row (default model below 300 labelled appointments) without waiting for the night.
//
// Bounded: at most CLINICS_PER_TICK clinics per tick (the rest are due at the next tick, five
// minutes later), each a paged read of ≤ MAX_TRAINING_ROWS rows and ≤ 25 Newton passes of
// O(rows · 25²); a year of 100,000 appointments is measured in docs/suggestions.md.
import type { Env } from "../env";
import { utcToLocal } from "../scheduling/zone";
import { runRiskActions } from "./actions";
import { labelledHistory } from "./history";
import type { NoShowModel } from "./model";
import { saveModelStatement } from "./store";
import { trainModel } from "./training-set";

const DAY = 86_400_000;
const CLINICS_PER_TICK = 3;
/** A model younger than this is not refitted (so one night trains once, however many ticks). */
const REFIT_AFTER_MS = 20 * 3_600_000;

export function trainingDue(now: number, zone: string, trainedAt: number | null): boolean {
  if (trainedAt == null) return true;
  if (now - trainedAt < REFIT_AFTER_MS) return false;
  const hour = Number(utcToLocal(zone, now).time.slice(0, 2));
  return hour >= 1 && hour < 5;
}

/** Fits and stores one clinic's model from its last 365 days. */
export async function trainClinic(env: Env, clinicId: string, zone: string, videoTypes: string, now: number): Promise<NoShowModel> {
  const visits = await labelledHistory(env.DB, clinicId, now - 365 * DAY, now, videoTypes);
  const model = trainModel(visits, zone, now);
  await saveModelStatement(env.DB, clinicId, model, now).run();
  return model;
}

export async function suggestionsCron(env: Env, now: number): Promise<void> {
  const { results } = await env.DB.prepare(
    "SELECT c.id, c.time_zone, c.video_types, m.trained_at FROM clinics c LEFT JOIN noshow_models m ON m.clinic_id = c.id ORDER BY m.trained_at IS NOT NULL, m.trained_at",
  ).all<{ id: string; time_zone: string; video_types: string; trained_at: number | null }>();
  const due = results.filter((c) => trainingDue(now, c.time_zone, c.trained_at)).slice(0, CLINICS_PER_TICK);
  for (const c of due) {
    try {
      await trainClinic(env, c.id, c.time_zone, c.video_types, now);
    } catch (err) {
      console.error("no-show training failed", c.id, err);
    }
  }
  // The risk actions (extra SMS, waitlist hook) run every tick, each clinic bounded by its window.
  await runRiskActions(env, now);
}
