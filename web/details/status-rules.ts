// Which status buttons the details panel offers, and whether a cancelled appointment can be
// restored. Pure (tested in test/worker/calendar-ui-rules.test.ts); StatusButtons.tsx draws them.
import type { Appointment, AppointmentStatus } from "../api-client/types";

/** Statuses offered as buttons for `a` at time `now` (ms). */
export function offeredStatuses(a: Pick<Appointment, "status" | "start">, now: number): AppointmentStatus[] {
  if (a.status === "cancelled") return [];
  const started = Date.parse(a.start) <= now;
  const all: AppointmentStatus[] = started ? ["scheduled", "confirmed", "completed", "no_show"] : ["scheduled", "confirmed"];
  return all.filter((s) => s !== a.status);
}

/** Whether nothing active of the same doctor overlaps a cancelled appointment's time (as far as loaded). */
export function slotStillFree(a: Appointment, all: Iterable<Appointment>): boolean {
  const s = Date.parse(a.start);
  const e = Date.parse(a.end);
  for (const o of all) if (o.id !== a.id && o.doctorId === a.doctorId && o.status !== "cancelled" && Date.parse(o.start) < e && Date.parse(o.end) > s) return false;
  return true;
}

