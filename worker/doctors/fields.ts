// Validation of a doctor's editable fields, shared by POST /api/doctors, PATCH
// /api/doctors/:id and POST /api/users (which creates a doctor with the user).
import { z } from "zod";
import type { doctors } from "../db/schema";
import { type WorkingHours, workingHoursSchema } from "../scheduling/working-hours";
import { DEFAULT_WORKING_HOURS } from "./new-doctor";

export const doctorFields = {
  name: z.string().trim().min(1, "is required").max(200),
  specialty: z.string().trim().max(200),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #3b82f6"),
  slotMinutes: z.number().int().min(5).max(240).multipleOf(5, "must be a multiple of 5 minutes"),
  workingHours: workingHoursSchema,
  appointmentTypes: z
    .array(
      z.strictObject({
        name: z.string().trim().min(1, "is required").max(64),
        minutes: z.number().int().min(5).max(480).multipleOf(5, "must be a multiple of 5 minutes"),
      }),
    )
    .max(30)
    .refine((l) => new Set(l.map((t) => t.name.toLowerCase())).size === l.length, "each appointment type needs its own name"),
};

export interface AppointmentType {
  name: string;
  minutes: number;
}

/**
 * What a doctor without their own list offers (the booking dialog's long-standing choices), so
 * every doctor has types with durations even before an admin edits them.
 */
export const DEFAULT_APPOINTMENT_TYPES: AppointmentType[] = [
  { name: "consultation", minutes: 30 },
  { name: "follow-up", minutes: 15 },
  { name: "check-up", minutes: 20 },
  { name: "procedure", minutes: 60 },
  { name: "vaccination", minutes: 15 },
];

/** Stored JSON → the list; empty or broken means the defaults rather than a crash. */
export function parseAppointmentTypes(json: string | null | undefined): AppointmentType[] {
  try {
    const r = doctorFields.appointmentTypes.safeParse(JSON.parse(json ?? "[]"));
    return r.success && r.data.length ? r.data : DEFAULT_APPOINTMENT_TYPES;
  } catch {
    return DEFAULT_APPOINTMENT_TYPES;
  }
}

export { DEFAULT_WORKING_HOURS } from "./new-doctor";

/**
 * A new doctor's complete row: the one place for a new doctor's defaults, used by
 * POST /api/doctors and by POST /api/users (which creates the doctor with the account).
 */
export function newDoctorRow(
  id: string,
  clinicId: string,
  userId: string | null,
  name: string,
  f: { specialty?: string; color?: string; slotMinutes?: number; workingHours?: WorkingHours; appointmentTypes?: AppointmentType[] },
  now: number,
): typeof doctors.$inferSelect {
  return {
    id,
    clinicId,
    userId,
    name,
    specialty: f.specialty ?? "",
    color: f.color ?? "#3b82f6",
    slotMinutes: f.slotMinutes ?? 30,
    workingHours: JSON.stringify(f.workingHours ?? DEFAULT_WORKING_HOURS),
    appointmentTypes: JSON.stringify(f.appointmentTypes ?? []),
    feedTokenHash: null,
    feedPrivacy: "busy",
    feedEnabled: false,
    feedPolledAt: null,
    active: true,
    maxAppointmentMs: 0, // no appointments yet; triggers raise it (schema.ts)
    createdAt: now,
    updatedAt: now,
  };
}
