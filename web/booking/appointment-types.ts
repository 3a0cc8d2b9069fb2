// Appointment types and how long each takes by default. A doctor record may carry its own list
// (`appointmentTypes: [{ name, minutes }]`, set on the admin doctor screen); without one the
// clinic-wide defaults below apply. The booking dialog sizes the offered times by the type.
import type { Doctor } from "../api-client/types";

export interface AppointmentType {
  name: string;
  minutes: number;
}

export const DEFAULT_TYPES: AppointmentType[] = [
  { name: "consultation", minutes: 30 },
  { name: "follow-up", minutes: 15 },
  { name: "check-up", minutes: 20 },
  { name: "procedure", minutes: 60 },
  { name: "vaccination", minutes: 15 },
];

/** The doctor's own types when it has a valid list, else the defaults. */
export function typesFor(doctor: Doctor | undefined): AppointmentType[] {
  const own = (doctor as (Doctor & { appointmentTypes?: unknown }) | undefined)?.appointmentTypes;
  if (Array.isArray(own)) {
    const ok = own.filter(
      (t): t is AppointmentType => !!t && typeof t.name === "string" && t.name.trim() !== "" && Number.isInteger(t.minutes) && t.minutes >= 5 && t.minutes <= 720,
    );
    if (ok.length) return ok;
  }
  return DEFAULT_TYPES;
}

export function minutesOf(types: AppointmentType[], name: string, fallback: number): number {
  return types.find((t) => t.name === name)?.minutes ?? fallback;
}
