// Pure mapping between ACMS and Google Calendar v3 events. No I/O here, so it is
// table-tested (test/worker/google/mapping.test.ts).
// Privacy: the outbound event carries NO PHI: a fixed summary, a link back into
// ACMS (which requires log-in), our ids in extendedProperties.private, a colour
// for the status. Never the patient's name, reason, notes, phone or e-mail.
import type { ExternalItem, OutboundAppointment } from "../provider";
import { localToUtc } from "../../scheduling/zone";

export const EVENT_SUMMARY = "Patient Appointment";
/** extendedProperties.private keys that mark an event as ours. */
export const PROP_APPOINTMENT = "acmsAppointmentId";
export const PROP_DOCTOR = "acmsDoctorId";
export const PROP_CLINIC = "acmsClinicId";
export const PROP_VERSION = "acmsVersion";

// Google's event colour ids (1–11): scheduled = Peacock(7), confirmed = Basil(10),
// completed = Graphite(8), no_show = Tomato(11).
const COLOR_BY_STATUS: Record<string, string> = { scheduled: "7", confirmed: "10", completed: "8", no_show: "11" };
const STATUS_BY_COLOR: Record<string, string> = Object.fromEntries(Object.entries(COLOR_BY_STATUS).map(([k, v]) => [v, k]));

/** Google event ids must be base32hex (a–v, 0–9), 5–1024 chars. Our ids are 32 hex chars. */
export function isValidGoogleEventId(id: string): boolean {
  return /^[a-v0-9]{5,1024}$/.test(id);
}

export function eventIdFor(appointmentId: string): string {
  const id = appointmentId.toLowerCase();
  if (!isValidGoogleEventId(id)) throw new Error(`appointment id ${appointmentId} is not a valid Google event id`);
  return id;
}

/** The Google event body for an appointment (insert and patch use the same body). */
export function toGoogleEvent(a: OutboundAppointment) {
  return {
    id: eventIdFor(a.appointmentId),
    summary: EVENT_SUMMARY,
    description: a.videoUrl ? `${a.url}\nVideo visit: ${a.videoUrl}` : a.url,
    // A video visit's link (not PHI) where Google shows a place; otherwise no location at all.
    ...(a.videoUrl ? { location: a.videoUrl } : {}),
    start: { dateTime: new Date(a.startMs).toISOString(), timeZone: a.timeZone },
    end: { dateTime: new Date(a.endMs).toISOString(), timeZone: a.timeZone },
    // Restores the event if the doctor had deleted it (re-create policy, see README).
    status: "confirmed",
    transparency: "opaque",
    visibility: "private",
    colorId: COLOR_BY_STATUS[a.status] ?? "7",
    // No attendees, no reminders of ours: nothing that makes Google send e-mails.
    extendedProperties: {
      private: {
        [PROP_APPOINTMENT]: a.appointmentId,
        [PROP_DOCTOR]: a.doctorId,
        [PROP_CLINIC]: a.clinicId,
        [PROP_VERSION]: String(a.version),
      },
    },
  };
}

export interface GoogleEventTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}
export interface GoogleEvent {
  id: string;
  status?: "confirmed" | "tentative" | "cancelled";
  etag?: string;
  updated?: string;
  summary?: string;
  start?: GoogleEventTime;
  end?: GoogleEventTime;
  transparency?: "opaque" | "transparent";
  attendees?: { self?: boolean; responseStatus?: string }[];
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
  recurringEventId?: string;
  colorId?: string;
}

function instantOf(t: GoogleEventTime | undefined, tz: string): { ms: number; allDay: boolean } | null {
  if (!t) return null;
  if (t.dateTime) {
    const ms = Date.parse(t.dateTime);
    return Number.isNaN(ms) ? null : { ms, allDay: false };
  }
  if (t.date && /^\d{4}-\d{2}-\d{2}$/.test(t.date)) return { ms: localToUtc(tz, t.date, "00:00"), allDay: true };
  return null;
}

/**
 * A Google event (from a singleEvents=true listing, so recurring events arrive
 * as their instances) → the engine's item. `tz` is the zone all-day dates mean
 * (the clinic's). Busy = not cancelled, not transparent, not declined by the user.
 */
export function fromGoogleEvent(ev: GoogleEvent, tz: string): ExternalItem {
  const cancelled = ev.status === "cancelled";
  const start = instantOf(ev.start, tz);
  const end = instantOf(ev.end, tz);
  const timing =
    !cancelled && start && end && end.ms > start.ms ? { startMs: start.ms, endMs: end.ms, allDay: start.allDay } : null;
  const declined = ev.attendees?.some((a) => a.self && a.responseStatus === "declined") ?? false;
  const updated = ev.updated ? Date.parse(ev.updated) : NaN;
  const appt = ev.extendedProperties?.private?.[PROP_APPOINTMENT];
  return {
    id: ev.id,
    cancelled,
    etag: ev.etag ?? null,
    updatedMs: Number.isNaN(updated) ? null : updated,
    appointmentId: appt && /^[0-9a-f]{32}$/.test(appt) ? appt : null,
    timing,
    blocks: !cancelled && timing != null && ev.transparency !== "transparent" && !declined,
    title: ev.summary ?? "",
    // Ours only: the status our colour shows (cheap reconnect compares it; null = a colour we never write).
    ...(appt ? { shownStatus: STATUS_BY_COLOR[ev.colorId ?? ""] ?? null } : {}),
  };
}
