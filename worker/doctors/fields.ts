// Validation of a doctor's editable fields, shared by POST /api/doctors, PATCH
// /api/doctors/:id and POST /api/users (which creates a doctor with the user).
import { z } from "zod";
import { workingHoursSchema } from "../scheduling/working-hours";

export const doctorFields = {
  name: z.string().trim().min(1, "is required").max(200),
  specialty: z.string().trim().max(200),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #3b82f6"),
  slotMinutes: z.number().int().min(5).max(240).multipleOf(5, "must be a multiple of 5 minutes"),
  workingHours: workingHoursSchema,
};

/** Mon–Fri 09:00–17:00 with a lunch hour: what a new doctor gets until someone edits it. */
export const DEFAULT_WORKING_HOURS = Object.fromEntries(
  ["1", "2", "3", "4", "5"].map((d) => [
    d,
    [
      ["09:00", "12:00"],
      ["13:00", "17:00"],
    ],
  ]),
);
