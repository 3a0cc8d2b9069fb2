// The parts of an appointment's analytics fact that need the clinic's zone or the change's
// actor: pure functions, table-tested (test/worker/analytics/facts.test.ts). Everything else
// in a fact is SQL over the appointment row (./fact-sql.ts).
import type { Actor } from "../db/audit";
import { utcToLocal } from "../scheduling/zone";
import type { ChangeOrigin } from "../appointments/effects";

export type CancelBy = "staff" | "link" | "sms" | "provider";

export interface LocalBucket {
  month: string; // YYYY-MM
  weekday: number; // ISO 1..7
  hour: number; // 0..23
}

/** Where an appointment counts: the clinic-zone month, weekday and hour it starts in. */
export function bucketOf(zone: string, startMs: number): LocalBucket {
  const l = utcToLocal(zone, startMs);
  return { month: l.date.slice(0, 7), weekday: l.weekday, hour: Number(l.time.slice(0, 2)) };
}

const DAY = 86_400_000;

/**
 * Lead time bucket by calendar days in the clinic zone between booking and start:
 * 0 same day, 1 = 1–2 days, 2 = 3–7, 3 = 8–14, 4 = 15+.
 */
export function leadBucket(zone: string, createdMs: number, startMs: number): number {
  const a = Date.parse(utcToLocal(zone, createdMs).date);
  const b = Date.parse(utcToLocal(zone, startMs).date);
  const days = Math.round((b - a) / DAY);
  if (days <= 0) return 0;
  if (days <= 2) return 1;
  if (days <= 7) return 2;
  if (days <= 14) return 3;
  return 4;
}

export const LEAD_LABELS = ["Same day", "1–2 days", "3–7 days", "8–14 days", "15+ days"];

/**
 * Who cancelled, from the change that cancelled: a provider's sync (the doctor deleted the
 * event in their own calendar), the patient by link or SMS (worker/patient-links/actions.ts
 * labels those actors), else staff (a person in the app, or a staff .ics import).
 */
export function cancelByOf(actor: Pick<Actor, "label">, origin: ChangeOrigin | null): CancelBy {
  if (origin === "google" || origin === "microsoft" || origin === "caldav") return "provider";
  if (actor.label === "patient via link") return "link";
  if (actor.label === "patient via SMS") return "sms";
  if (/^system:.*-sync$/.test(actor.label)) return "provider";
  return "staff";
}

/** A patient's own confirmation (link or SMS) is made by these actors. */
export const isPatientActor = (actor: Pick<Actor, "label">) => actor.label === "patient via link" || actor.label === "patient via SMS";
