// Typed calls for the patient screens (worker/routes/patients.ts).
import { request } from "../api-client/client";
import type { Appointment, Patient } from "../api-client/types";

export type PatientDetail = Patient & { notes: string };
export interface PatientFields {
  name: string;
  phone: string;
  email: string;
  dateOfBirth: string | null;
  notes: string;
}

export const patientsApi = {
  search: (q: string, limit = 50) => request<{ patients: Patient[] }>("GET", `/api/patients?${new URLSearchParams({ ...(q ? { q } : {}), limit: String(limit) })}`),
  get: (id: string) => request<{ patient: PatientDetail }>("GET", `/api/patients/${id}`),
  create: (b: PatientFields) => request<{ patient: PatientDetail }>("POST", "/api/patients", clean(b)),
  update: (id: string, b: Partial<PatientFields>) => request<{ patient: PatientDetail }>("PATCH", `/api/patients/${id}`, b),
  history: (id: string, before?: string) =>
    request<{ appointments: Appointment[]; more: boolean }>("GET", `/api/patients/${id}/appointments${before ? `?before=${encodeURIComponent(before)}` : ""}`),
};

/** Empty optional fields are left out of a create (the API treats "" and absent alike, but a date must be a date). */
function clean(b: PatientFields) {
  return { name: b.name, phone: b.phone, email: b.email, notes: b.notes, ...(b.dateOfBirth ? { dateOfBirth: b.dateOfBirth } : {}) };
}
