// Typed calls for the admin screens (staff, doctors, clinic, time off) and first-run setup.
// Shapes come from the Worker's own modules where they exist (type-only imports), so a renamed
// field breaks this build instead of a screen.
import { request } from "../api-client/client";
import type { BlockedTime, Clinic, Doctor, Role } from "../api-client/types";
import type { AppointmentType } from "../../worker/doctors/fields";
import type { WorkingHours } from "../../worker/scheduling/working-hours";

export type { AppointmentType, WorkingHours };

export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  doctorId: string | null;
  createdAt: string;
}

/** GET /api/doctors as the admin screens use it (the fields issue 12 added are always present). */
export type AdminDoctor = Doctor & { workingHours: WorkingHours; active: boolean; appointmentTypes: AppointmentType[] };
export type ClinicSettings = Clinic & { address: string; reminderMinutes: number[] };

export interface DoctorPatch {
  name?: string;
  specialty?: string;
  color?: string;
  slotMinutes?: number;
  workingHours?: WorkingHours;
  appointmentTypes?: AppointmentType[];
  active?: boolean;
}

export interface SetupBody {
  clinic: { name: string; timeZone: string; address?: string };
  admin: { name: string; email: string; password: string };
}

export const adminApi = {
  setupNeeded: () => request<{ needed: boolean }>("GET", "/api/setup"),
  setup: (b: SetupBody) => request<{ clinic: Clinic; user: { id: string; email: string } }>("POST", "/api/setup", b),

  users: () => request<{ users: StaffUser[] }>("GET", "/api/users"),
  createUser: (b: { email: string; name: string; role: Role; password: string; doctor?: { specialty?: string; color?: string; slotMinutes?: number; workingHours?: WorkingHours } }) =>
    request<{ user: StaffUser; doctor?: AdminDoctor }>("POST", "/api/users", b),
  updateUser: (id: string, b: { name?: string; disabled?: boolean; password?: string }) => request<{ user: StaffUser }>("PATCH", `/api/users/${id}`, b),

  doctors: (includeInactive: boolean) => request<{ doctors: AdminDoctor[] }>("GET", `/api/doctors${includeInactive ? "?includeInactive=true" : ""}`),
  doctor: (id: string) => request<{ doctor: AdminDoctor }>("GET", `/api/doctors/${id}`),
  createDoctor: (b: DoctorPatch & { name: string }) => request<{ doctor: AdminDoctor }>("POST", "/api/doctors", b),
  updateDoctor: (id: string, b: DoctorPatch) => request<{ doctor: AdminDoctor }>("PATCH", `/api/doctors/${id}`, b),

  clinic: () => request<{ clinic: ClinicSettings }>("GET", "/api/clinic"),
  updateClinic: (b: { name?: string; address?: string; timeZone?: string; reminderMinutes?: number[] }) =>
    request<{ clinic: ClinicSettings }>("PATCH", "/api/clinic", b),

  blockedTimes: (doctorId: string, from: string, to: string) =>
    request<{ blockedTimes: BlockedTime[] }>("GET", `/api/blocked-times?${new URLSearchParams({ doctorId, from, to })}`),
  createBlockedTime: (b: { doctorId: string; start: string; end: string; label?: string; allDay?: boolean }) =>
    request<{ blockedTime: BlockedTime }>("POST", "/api/blocked-times", b),
  deleteBlockedTime: (id: string) => request<{ ok: true }>("DELETE", `/api/blocked-times/${id}`),
};

/** Field messages of a 422 (ApiFailure.fieldErrors) or the one message of any other failure. */
export function messageOf(e: unknown, fallback = "That did not work. Try again."): string {
  return e instanceof Error && e.message ? e.message : fallback;
}
