// Free slots for the booking dialog: the doctor's working hours (wall-clock times in
// the clinic's zone, so DST is handled per date) minus active appointments minus
// blocked time of every source. One D1 batch: the session check, doctor+clinic, appointments, blocked.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { readWithSession } from "../middleware/session";
import { idParam, isoDate, queryOf } from "../validate";
import { appointmentRangeStatement, blockedRangeStatement } from "../appointments/queries";
import type { BlockedTimeRow } from "../appointments/model";
import { freeSlots } from "../scheduling/slots";
import { parseWorkingHours, workingIntervals } from "../scheduling/working-hours";
import { addDays } from "../scheduling/zone";

const MAX_DAYS = 62;
const DAY = 86_400_000;

const Query = z
  .strictObject({
    doctorId: idParam,
    from: isoDate,
    to: isoDate,
    /** Optional slot length override (default: the doctor's slotMinutes). */
    slotMinutes: z.coerce.number().int().min(5).max(720).optional(),
  })
  .refine((q) => q.to >= q.from, { path: ["to"], message: "must not be before from" })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) < MAX_DAYS * DAY, { path: ["to"], message: `the range is at most ${MAX_DAYS} days` });

// The booking dialog's free times: the session check and the reads in one D1 batch
// (readWithSession, issue #18), one round trip.
export const availabilityRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const d1 = c.env.DB;
  let q!: z.infer<typeof Query>;
  const [docRes, apptRes, blockRes] = await readWithSession(c, ({ clinicId }) => {
    q = queryOf(c, Query);
    // The clinic's zone is needed to turn the dates into instants, so busy time is read with a
    // UTC range padded by a day on both sides (no zone is more than 14 h off UTC).
    const fromMs = Date.parse(q.from) - DAY;
    const toMs = Date.parse(addDays(q.to, 1)) + DAY;
    return [
      d1
        .prepare("SELECT d.slot_minutes, d.working_hours, d.active, c.time_zone FROM doctors d JOIN clinics c ON c.id = d.clinic_id WHERE d.id = ? AND d.clinic_id = ?")
        .bind(q.doctorId, clinicId),
      appointmentRangeStatement(d1, { clinicId, doctorId: q.doctorId, fromMs, toMs, statuses: ["scheduled", "confirmed", "completed", "no_show"] }),
      blockedRangeStatement(d1, { clinicId, doctorId: q.doctorId, fromMs, toMs }),
    ];
  });
  const doc = docRes.results[0] as { slot_minutes: number; working_hours: string; active: number; time_zone: string } | undefined;
  if (!doc) throw notFound("Doctor");
  const zone = doc.time_zone;
  const slotMinutes = q.slotMinutes ?? doc.slot_minutes;
  const working = doc.active ? workingIntervals(zone, parseWorkingHours(doc.working_hours), q.from, q.to) : [];
  const busy = [
    ...(apptRes.results as { start_ms: number; end_ms: number }[]).map((a) => ({ start: a.start_ms, end: a.end_ms })),
    ...(blockRes.results as BlockedTimeRow[]).map((b) => ({ start: b.start_ms, end: b.end_ms })),
  ];
  const slots = freeSlots(working, busy, slotMinutes).map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() }));
  return c.json({ timeZone: zone, slotMinutes, slots });
});

