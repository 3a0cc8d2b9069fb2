// A doctor's bookable time over a range, as the write path would judge it: working hours (the
// clinic's zone, per local date, so DST is right) minus active appointments and blocked time of
// every source. One D1 batch. Used where a patient is offered times without staff in between
// (self-reschedule, waitlist offers), so what they see is exactly what staff could book.
import type { BlockedTimeRow } from "./model";
import { appointmentRangeStatement, blockedRangeStatement } from "./queries";
import type { Interval } from "../scheduling/intervals";
import { parseWorkingHours, workingIntervals } from "../scheduling/working-hours";
import { addDays, utcToLocal } from "../scheduling/zone";

export interface DoctorFreeTime {
  zone: string;
  slotMinutes: number;
  active: boolean;
  working: Interval[];
  busy: Interval[];
}

/** Working and busy time of one doctor between fromMs and toMs; `excludeId` leaves one appointment out (the one being moved). */
export async function doctorFreeTime(d1: D1Database, clinicId: string, doctorId: string, fromMs: number, toMs: number, excludeId = ""): Promise<DoctorFreeTime | null> {
  const [docRes, apptRes, blockRes] = await d1.batch([
    d1
      .prepare("SELECT d.slot_minutes, d.working_hours, d.active, c.time_zone FROM doctors d JOIN clinics c ON c.id = d.clinic_id WHERE d.id = ? AND d.clinic_id = ?")
      .bind(doctorId, clinicId),
    // Every status but cancelled holds its time (the write path's overlap rule).
    appointmentRangeStatement(d1, { clinicId, doctorId, fromMs, toMs, statuses: ["scheduled", "confirmed", "completed", "no_show"] }),
    blockedRangeStatement(d1, { clinicId, doctorId, fromMs, toMs }),
  ]);
  const doc = docRes.results[0] as { slot_minutes: number; working_hours: string; active: number; time_zone: string } | undefined;
  if (!doc) return null;
  const zone = doc.time_zone;
  const working = doc.active
    ? workingIntervals(zone, parseWorkingHours(doc.working_hours), addDays(utcToLocal(zone, fromMs).date, -1), utcToLocal(zone, toMs).date).filter((w) => w.end > fromMs && w.start < toMs)
    : [];
  const busy = [
    ...(apptRes.results as { id: string; start_ms: number; end_ms: number }[]).filter((a) => a.id !== excludeId).map((a) => ({ start: a.start_ms, end: a.end_ms })),
    ...(blockRes.results as BlockedTimeRow[]).map((b) => ({ start: b.start_ms, end: b.end_ms })),
  ];
  return { zone, slotMinutes: doc.slot_minutes, active: !!doc.active, working, busy };
}
