// Drag/resize → PATCH with the version we drew. The calendar has already moved the block
// (that is the optimistic update); the store follows at once. If the server refuses, the
// store goes back to the version before (or the server's current one) and the calendar redraws
// it; the user is told why in plain words.
import { unwrap } from "solid-js/store";
import { ApiFailure, api } from "../api-client/client";
import type { Appointment } from "../api-client/types";
import { appointments, upsertAppointment } from "../stores/appointments";

export const REFUSAL_TEXT: Record<string, string> = {
  slot_taken: "That time is already booked for this doctor. The appointment was put back.",
  blocked_time: "That time is blocked (lunch, leave or busy in an external calendar). The appointment was put back.",
  version_conflict: "Someone else changed this appointment a moment ago. You now see their version; try again if needed.",
  outside_working_hours: "That time is outside the doctor's working hours. The appointment was put back.",
  forbidden: "You may not move this appointment.",
  network: "The server cannot be reached, so the move was not saved. The appointment was put back.",
};

export function refusalMessage(e: unknown): string {
  if (e instanceof ApiFailure) return REFUSAL_TEXT[e.code] ?? `${e.message} The appointment was put back.`;
  return "The change could not be saved. The appointment was put back.";
}

export async function moveAppointment(
  id: string,
  change: { start: string; end: string; doctorId?: string },
  revert: () => void,
  onRefused: (message: string) => void,
  /** Undo: the version the move produced, so a change made since by anyone is not overwritten. */
  expectVersion?: number,
): Promise<Appointment | null> {
  // A plain copy: the store entry is a live proxy that the optimistic write below changes.
  const before: Appointment | undefined = appointments[id] && unwrap({ ...appointments[id] });
  if (!before) {
    revert();
    return null;
  }
  const optimistic: Appointment = { ...before, ...change };
  upsertAppointment(optimistic, true);
  performance.mark("acms:optimistic"); // bench/ui.bench.mjs: optimistic redraw requested
  try {
    const patch = { version: expectVersion ?? before.version, start: change.start, end: change.end, ...(change.doctorId && change.doctorId !== before.doctorId ? { doctorId: change.doctorId } : {}) };
    const { appointment } = await api.updateAppointment(id, patch);
    upsertAppointment(appointment, true);
    return appointment;
  } catch (e) {
    // Put the block back by re-drawing the stored version (the calendar follows the store).
    // Not the calendar's own revert(): it mutates the event object our optimistic redraw replaced.
    const current = e instanceof ApiFailure && e.code === "version_conflict" ? (e.details as { current?: Appointment })?.current : undefined;
    upsertAppointment(current ?? before, true);
    onRefused(refusalMessage(e));
    return null;
  }
}
