// The doctor as the API shows it (contract: {id,name,specialty,color,slotMinutes,workingHours,userId}).
import type { doctors } from "../db/schema";
import { parseWorkingHours, type WorkingHours } from "../scheduling/working-hours";
import { type AppointmentType, parseAppointmentTypes } from "./fields";

export interface DoctorDto {
  id: string;
  name: string;
  specialty: string;
  color: string;
  slotMinutes: number;
  workingHours: WorkingHours;
  userId: string | null;
  active: boolean;
  /** Bookable types with their default durations (never empty: defaults until edited). */
  appointmentTypes: AppointmentType[];
}

export const doctorDto = (d: typeof doctors.$inferSelect): DoctorDto => ({
  id: d.id,
  name: d.name,
  specialty: d.specialty,
  color: d.color,
  slotMinutes: d.slotMinutes,
  workingHours: parseWorkingHours(d.workingHours),
  userId: d.userId,
  active: d.active,
  appointmentTypes: parseAppointmentTypes(d.appointmentTypes),
});
