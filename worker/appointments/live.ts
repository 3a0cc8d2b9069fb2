// LiveChange messages for committed changes (what open calendar screens receive).
// A reschedule to another doctor is sent to both doctors' subscribers as "updated"
// with the new record: a screen watching the old doctor sees doctorId changed and
// removes it; a screen watching the new doctor adds it.
import type { LiveChange } from "../live/messages";
import type { AppointmentChange } from "./effects";
import type { BlockedTime } from "./model";

export function appointmentLiveChanges(change: AppointmentChange): LiveChange[] {
  const { before, after } = change;
  if (!after) return [{ kind: "appointment", op: "deleted", doctorId: before!.doctorId, record: before }];
  const op = before ? "updated" : "created";
  const out: LiveChange[] = [{ kind: "appointment", op, doctorId: after.doctorId, record: after }];
  if (before && before.doctorId !== after.doctorId) out.push({ kind: "appointment", op: "updated", doctorId: before.doctorId, record: after });
  return out;
}

export const blockedLiveChange = (op: "created" | "deleted", bt: BlockedTime): LiveChange => ({
  kind: "blocked",
  op,
  doctorId: bt.doctorId,
  record: bt,
});
