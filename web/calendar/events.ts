// Store records → @event-calendar/core event inputs. Times are clinic wall clock strings
// (see lib/tz.ts for why), colours come from CSS classes per status.
import type { Calendar } from "@event-calendar/core";
import { STATUS_LABEL } from "../api-client/statuses";
import type { Appointment, BlockedTime, SessionUser } from "../api-client/types";
import { toWall } from "../lib/tz";

export const BLOCK_PREFIX = "block:";

/** Whether this user may drag/resize the appointment (doctors: only their own; closed ones never). */
export function canEdit(a: Appointment, user: SessionUser | null): boolean {
  if (!user) return false;
  if (a.status === "cancelled" || a.status === "completed" || a.status === "no_show") return false;
  return user.role !== "doctor" || user.doctorId === a.doctorId;
}

export function appointmentEvent(a: Appointment, tz: string, user: SessionUser | null): Calendar.EventInput {
  return {
    id: a.id,
    resourceIds: [a.doctorId],
    start: toWall(a.start, tz),
    end: toWall(a.end, tz),
    title: `${a.patientName}${a.type ? ` · ${a.type}` : ""}`,
    editable: canEdit(a, user),
    classNames: ["appt", `st-${a.status}`],
    extendedProps: { kind: "appointment", status: a.status, statusLabel: STATUS_LABEL[a.status] },
  };
}

export function blockedEvent(b: BlockedTime, tz: string): Calendar.EventInput {
  return {
    id: BLOCK_PREFIX + b.id,
    resourceIds: [b.doctorId],
    start: toWall(b.start, tz),
    end: toWall(b.end, tz),
    allDay: b.allDay,
    title: b.label || "Blocked",
    display: "background",
    editable: false,
    classNames: ["blocked", `src-${b.source}`],
    extendedProps: { kind: "blocked", label: b.label || (b.source === "manual" ? "Blocked" : "Busy") },
  };
}
