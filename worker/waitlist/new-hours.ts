// A doctor's working hours grew (PATCH /api/doctors/:id): the new time over the next two weeks is
// free time nobody has seen yet, so it goes to the waitlist like a cancellation (offerSlot). Only
// when someone is waiting for this doctor (or any doctor): the doctor editing their hours in a
// clinic without a waitlist writes nothing.
import type { Env } from "../env";
import { subtract } from "../scheduling/intervals";
import { parseWorkingHours, workingIntervals } from "../scheduling/working-hours";
import { addDays, utcToLocal } from "../scheduling/zone";
import { offerSlot } from "./offer-slot";

const AHEAD_DAYS = 14;
const MAX_WINDOWS = 20;

export async function offerNewWorkingTime(env: Env, clinicId: string, doctorId: string, beforeJson: string, afterJson: string, now = Date.now()): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT c.time_zone, EXISTS (SELECT 1 FROM waitlist_entries WHERE clinic_id = c.id AND state = 'waiting' AND (doctor_id IS NULL OR doctor_id = ?)) AS waiting FROM clinics c WHERE c.id = ?",
  )
    .bind(doctorId, clinicId)
    .first<{ time_zone: string; waiting: number }>();
  if (!row?.waiting) return 0;
  const zone = row.time_zone;
  const from = utcToLocal(zone, now).date;
  const to = addDays(from, AHEAD_DAYS);
  const added = subtract(workingIntervals(zone, parseWorkingHours(afterJson), from, to), workingIntervals(zone, parseWorkingHours(beforeJson), from, to))
    .map((i) => ({ start: Math.max(i.start, now), end: i.end }))
    .filter((i) => i.end - i.start >= 5 * 60_000)
    .slice(0, MAX_WINDOWS);
  for (const i of added) await offerSlot(env, doctorId, { startMs: i.start, endMs: i.end }, "new working hours", now);
  return added.length;
}
