// Runtime list of statuses for the SPA. Typed against the Worker's list so they cannot drift.
import type { AppointmentStatus } from "../../worker/db/schema";

export const APPOINTMENT_STATUSES = [
  "scheduled",
  "confirmed",
  "completed",
  "cancelled",
  "no_show",
] as const satisfies readonly AppointmentStatus[];

export const STATUS_LABEL: Record<AppointmentStatus, string> = {
  scheduled: "Scheduled",
  confirmed: "Confirmed",
  completed: "Completed",
  cancelled: "Cancelled",
  no_show: "No-show",
};
