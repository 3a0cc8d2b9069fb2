// JSON shapes of the API (see the contract in the team rules / worker routes).
// Enums and the session user come straight from the Worker's own modules (type-only imports,
// nothing of the Worker is bundled), so renaming a status or a role breaks this build.
import type { AppointmentStatus, BlockSource, ProviderName, Role } from "../../worker/db/schema";
import type { SessionUser } from "../../worker/env";
import type { ClientMessage, LiveChange, ServerMessage } from "../../worker/live/messages";
import type { Appointment as WorkerAppointment } from "../../worker/appointments/model";
import type { AppointmentSyncState } from "../../worker/appointments/queries";
import type { Notice } from "../../worker/notices/notices";

export type { AppointmentStatus, BlockSource, ProviderName, Role, SessionUser, ClientMessage, LiveChange, ServerMessage, Notice };

/** ISO 8601 UTC instant, e.g. "2026-01-05T09:00:00.000Z". */
export type Instant = string;

export interface Clinic {
  id: string;
  name: string;
  timeZone: string;
  address?: string;
  domain?: string;
}

export interface Doctor {
  id: string;
  name: string;
  specialty: string;
  color: string;
  slotMinutes: number;
  workingHours: unknown;
  userId: string | null;
}

/** The Worker's own Appointment (worker/appointments/model.ts), plus the sync state GET /api/appointments/:id adds. */
export type Appointment = WorkerAppointment & { sync?: AppointmentSyncState[] };

export interface BlockedTime {
  id: string;
  doctorId: string;
  start: Instant;
  end: Instant;
  source: BlockSource;
  label: string;
  allDay: boolean;
}

export interface Patient {
  id: string;
  name: string;
  phone: string;
  email: string;
  dateOfBirth: string | null;
}

export interface Slot {
  start: Instant;
  end: Instant;
}

export interface Availability {
  timeZone: string;
  slotMinutes: number;
  slots: Slot[];
}

/** GET /api/integrations item (worker/routes/integrations.ts dto): "status" view for staff, "full" for the owner/admin. */
export interface Integration {
  id: string;
  provider: ProviderName | string;
  status: string;
  healthy?: boolean;
  doctorId?: string | null;
  accountEmail?: string | null;
  writeCalendarId?: string | null;
  busyCalendarIds?: string[];
  calendars?: { id: string; summary: string; push: boolean; lastSyncedAt: Instant | null }[];
  lastSyncAt?: Instant | null;
  lastError?: string | null;
  lastErrorAt?: Instant | null;
  metrics?: { ok: number; failed: number; successRate: number | null; lastLatencyMs: number | null; queueDepth: number };
  /** Appointments whose change has not reached this calendar yet (worker/sync/waiting.ts). */
  waitingChanges?: number;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface NewAppointment {
  doctorId: string;
  patientId: string;
  start: Instant;
  end: Instant;
  type?: string;
  reason?: string;
  notes?: string;
  status?: AppointmentStatus;
}

export interface AppointmentPatch {
  version: number;
  start?: Instant;
  end?: Instant;
  status?: AppointmentStatus;
  type?: string;
  reason?: string;
  notes?: string;
  patientId?: string;
  doctorId?: string;
}
