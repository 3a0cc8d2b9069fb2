// Booking rules that need no database: range sanity, duration limits, working hours.
// Overlap with other appointments / blocked time is checked where the data is
// (worker/appointments/write.ts, under the doctor's lock and again in SQL).
import { containedIn, type Interval } from "./intervals";
import { type WorkingHours, workingIntervals } from "./working-hours";
import { addDays, utcToLocal } from "./zone";

export const MIN_DURATION_MS = 5 * 60_000;
/** The longest appointment a booking may ask for. Range queries look back by the longest one actually stored (doctors/clinics.max_appointment_ms), not by this. */
export const MAX_DURATION_MS = 12 * 60 * 60_000;

export type RuleViolation =
  | { code: "invalid_range"; message: string }
  | { code: "invalid_duration"; message: string }
  | { code: "outside_working_hours"; message: string };

export interface RuleInput {
  startMs: number;
  endMs: number;
  zone: string;
  workingHours: WorkingHours;
  /** An admin may book outside working hours on purpose. */
  allowOutsideHours: boolean;
}

/** The doctor's working intervals on the local dates an instant range touches. */
export function workingAround(zone: string, hours: WorkingHours, startMs: number, endMs: number): Interval[] {
  const from = addDays(utcToLocal(zone, startMs).date, -1);
  const to = utcToLocal(zone, endMs).date;
  return workingIntervals(zone, hours, from, to);
}

export function checkBookingRules(r: RuleInput): RuleViolation | null {
  if (!(r.startMs < r.endMs)) return { code: "invalid_range", message: "The start must be before the end." };
  const d = r.endMs - r.startMs;
  if (d < MIN_DURATION_MS || d > MAX_DURATION_MS)
    return { code: "invalid_duration", message: "An appointment lasts from 5 minutes to 12 hours." };
  if (!r.allowOutsideHours && !containedIn(workingAround(r.zone, r.workingHours, r.startMs, r.endMs), r.startMs, r.endMs))
    return { code: "outside_working_hours", message: "The time is outside the doctor's working hours." };
  return null;
}
