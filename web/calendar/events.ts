// Store records → @event-calendar/core event inputs. Times are clinic wall clock strings
// (see lib/tz.ts for why), colours come from CSS classes per status.
import type { Calendar } from "@event-calendar/core";
import { STATUS_LABEL } from "../api-client/statuses";
import type { Appointment, BlockedTime, Doctor, SessionUser } from "../api-client/types";
import { toWall } from "../lib/tz";
import { riskOfAppointment } from "../suggestions/risk-store";

export const BLOCK_PREFIX = "block:";

/** Whether this user may drag/resize the appointment (doctors: only their own; closed ones never). */
export function canEdit(a: Appointment, user: SessionUser | null): boolean {
  if (!user) return false;
  if (a.status === "cancelled" || a.status === "completed" || a.status === "no_show") return false;
  return user.role !== "doctor" || user.doctorId === a.doctorId;
}

/** "Dr Gregory House" → "GH", "Dr House" → "HO": the doctor tag on blocks in combined views. */
export function initialsOf(name: string): string {
  const words = name.replace(/^(dr|prof|mr|mrs|ms)\.?\s+/i, "").split(/\s+/).filter(Boolean);
  if (words.length >= 2) return (words[0][0] + words[words.length - 1][0]).toUpperCase();
  return (words[0] ?? "?").slice(0, 2).toUpperCase();
}

const SOURCE_LABEL: Record<string, string> = { google: "Google", microsoft: "Outlook", caldav: "iCloud", ics: "imported calendar" };
/** "Blocked: Lunch", "Blocked: Busy (Google)". */
export function blockedText(b: BlockedTime): string {
  const label = b.label || (b.source === "manual" ? "Blocked" : "Busy");
  return `Blocked: ${label}${b.source !== "manual" ? ` (${SOURCE_LABEL[b.source] ?? b.source})` : ""}`;
}

export function appointmentEvent(a: Appointment, tz: string, user: SessionUser | null, doctor?: Pick<Doctor, "name" | "color">): Calendar.EventInput {
  const doc = { doctorName: doctor?.name ?? "", initials: doctor ? initialsOf(doctor.name) : "", color: doctor?.color ?? "" };
  // Cancelled: a thin struck-through marker drawn behind (background), so it neither takes
  // width from other blocks nor catches the click meant for the free slot under it.
  if (a.status === "cancelled")
    return {
      id: a.id,
      resourceIds: [a.doctorId],
      start: toWall(a.start, tz),
      end: toWall(a.end, tz),
      title: a.patientName,
      display: "background",
      editable: false,
      classNames: ["cancelled-marker"],
      extendedProps: { kind: "appointment", status: a.status, statusLabel: STATUS_LABEL[a.status], ...doc },
    };
  // No-show risk (issue #21): a class, so a newly loaded risk redraws the block (sameAsShown).
  const risk = riskOfAppointment(a.id);
  return {
    id: a.id,
    resourceIds: [a.doctorId],
    start: toWall(a.start, tz),
    end: toWall(a.end, tz),
    title: `${a.patientName}${a.type ? ` · ${a.type}` : ""}`,
    editable: canEdit(a, user),
    classNames: ["appt", `st-${a.status}`, ...(risk ? [`risk-${risk.level}`] : [])],
    extendedProps: { kind: "appointment", status: a.status, statusLabel: STATUS_LABEL[a.status], type: a.type, risk, ...doc },
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
    extendedProps: { kind: "blocked", label: b.label || (b.source === "manual" ? "Blocked" : "Busy"), text: blockedText(b) },
  };
}
