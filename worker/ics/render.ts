// Appointments → an RFC 5545 VCALENDAR, built with ical-generator (folding at
// 75 octets, CRLF, TEXT escaping and property order are the library's job, so we
// do not hand-roll any of it). This module is pure: it gets plain data and
// returns text; loading from D1 lives in ./data.ts.
//
// Decisions (documented in README "iCalendar"):
// - UID = `<appointmentId>@<clinic.domain>`: stable across every change, so
//   calendar apps update the same event.
// - SEQUENCE = version - 1 (the first write is version 1 → SEQUENCE 0).
// - STATUS: scheduled → TENTATIVE (booked, not yet confirmed with the patient),
//   confirmed / completed / no_show → CONFIRMED (the slot was or is held),
//   cancelled → CANCELLED (kept in feeds so subscribers remove it).
// - Times are written with TZID=<clinic zone> plus a VTIMEZONE from
//   timezones-ical-library; a zone it does not know (or UTC) falls back to UTC
//   "Z" times, which every client reads correctly.
// - An event whose start or end falls in the repeated hour of a DST change
//   (Europe/London 2027-10-31 00:30Z and 01:30Z both read 01:30 on the wall) is
//   written in UTC "Z" for DTSTART and DTEND: a local time there names two
//   instants, and readers disagree on which one (RFC 5545 says the first, many
//   clients take the second), so only UTC is unambiguous. ical-generator writes
//   one TZID per event, so the whole event switches; RFC 5545 allows any mix.
// - Every calendar ends with CRLF after END:VCALENDAR (RFC 5545 §3.1: every
//   content line ends with CRLF); ical-generator stops at the last line's text.
// - Privacy: "full" (staff download, the patient's own invite), "minimal"
//   (patient initials + type), "busy" ("Patient Appointment" only). Notes and
//   the free-text reason are never written at any level.
import ical, {
  ICalAlarmType,
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventClass,
  ICalEventStatus,
  ICalEventTransparency,
  type ICalEventData,
} from "ical-generator";
import { tzlib_get_ical_block } from "timezones-ical-library";
import type { AppointmentStatus } from "../db/schema";
import { isValidTimeZone, resolveWall, utcToLocal } from "../scheduling/zone";
import { wallClock, ZonedInstant } from "./zoned";

export type Privacy = "full" | "minimal" | "busy";
export const BUSY_SUMMARY = "Patient Appointment";
export const PRODID = { company: "ACMS", product: "ACMS Calendar", language: "EN" };

export interface IcsClinic {
  id: string;
  name: string;
  timeZone: string;
  address: string;
  domain: string;
  /** Minutes before start for each VALARM, e.g. [1440, 60]. */
  reminderMinutes: number[];
}

export interface IcsAppointment {
  id: string;
  doctorId: string;
  doctorName: string;
  patientName: string;
  patientEmail?: string;
  startMs: number;
  endMs: number;
  type: string;
  status: AppointmentStatus;
  version: number;
  createdAt: number;
  updatedAt: number;
  /** The video-visit link (Jitsi room or Teams meeting, worker/video/): not PHI, so every privacy level carries it. */
  videoUrl?: string | null;
}

export interface RenderOptions {
  clinic: IcsClinic;
  appointments: IcsAppointment[];
  privacy: Privacy;
  /** APP_URL: each event links back to the appointment in ACMS. */
  appUrl: string;
  /** iTIP method for e-mailed invites; omitted for downloads and feeds. */
  method?: "REQUEST" | "CANCEL";
  /** Calendar name (NAME and X-WR-CALNAME). */
  calendarName?: string;
  /** REFRESH-INTERVAL / X-PUBLISHED-TTL in seconds, for feeds. */
  ttlSeconds?: number;
  /** ORGANIZER for invites (RFC 5546 requires one with METHOD). */
  organizer?: { name: string; email: string };
  /** DTSTAMP: defaults to each appointment's updatedAt so a feed renders byte-identically until something changes. */
  stampMs?: number;
  /**
   * Subscribed feeds: no VALARM, DESCRIPTION or CREATED. Subscribing clients drop
   * or ignore alarms of subscribed calendars (Google ignores them; Apple strips them
   * by default), and the URL already links back; this keeps a 5,000-event feed
   * about half the size and render time.
   */
  compact?: boolean;
}

export function uidOf(appointmentId: string, domain: string): string {
  return `${appointmentId}@${domain}`;
}

export function sequenceOf(version: number): number {
  return Math.max(0, version - 1);
}

export function statusOf(status: AppointmentStatus): ICalEventStatus {
  if (status === "cancelled") return ICalEventStatus.CANCELLED;
  if (status === "scheduled") return ICalEventStatus.TENTATIVE;
  return ICalEventStatus.CONFIRMED;
}

/** "Jane Q. Doe" → "J.Q.D."; non-ASCII letters kept ("Öz Şahin" → "Ö.Ş."). */
export function initialsOf(name: string): string {
  return name
    .trim()
    .split(/[\s\-]+/u)
    .filter(Boolean)
    .map((w) => [...w.replace(/[^\p{L}]/gu, "")][0] ?? "")
    .filter(Boolean)
    .map((c) => `${c.toUpperCase()}.`)
    .join("");
}

export function typeLabel(type: string): string {
  const t = type.replace(/_/g, " ").trim();
  return t ? t[0].toUpperCase() + t.slice(1) : "Appointment";
}

export function summaryOf(a: IcsAppointment, privacy: Privacy): string {
  if (privacy === "busy") return BUSY_SUMMARY;
  // ASCII separators: lines that stay ASCII take the library's fast folding path.
  if (privacy === "minimal") return `${initialsOf(a.patientName) || "?"} - ${typeLabel(a.type)}`;
  return `${typeLabel(a.type)} with ${a.doctorName} - ${a.patientName}`;
}

export function appointmentUrl(appUrl: string, id: string): string {
  return `${appUrl.replace(/\/+$/, "")}/appointments/${id}`;
}

// VTIMEZONE blocks per zone, resolved once per isolate.
const zoneCache = new Map<string, { tzid: string; block: string } | null>();

/** The TZID and VTIMEZONE for a zone, or null when times should be written in UTC. */
export function vtimezoneFor(zone: string): { tzid: string; block: string } | null {
  if (zoneCache.has(zone)) return zoneCache.get(zone)!;
  let found: { tzid: string; block: string } | null = null;
  if (zone !== "UTC" && zone !== "Etc/UTC" && isValidTimeZone(zone)) {
    const r = tzlib_get_ical_block(zone);
    if (Array.isArray(r) && r[0]?.startsWith("BEGIN:VTIMEZONE")) {
      const tzid = /^TZID:(.+)$/m.exec(r[0])?.[1]?.trim();
      if (tzid) found = { tzid, block: r[0] };
    }
  }
  zoneCache.set(zone, found);
  return found;
}

/**
 * True when the wall-clock reading of `ms` in `zone` names exactly this instant and
 * no other, so `TZID=<zone>:<wall time>` cannot be misread. False in the repeated
 * hour of a DST change (both the first and the second pass).
 */
export function wallTimeIsUnambiguous(ms: number, zone: string): boolean {
  // wallClock reads the per-day offset cache of zoned.ts, and resolveWall's fast path
  // (same offset a day before and after) needs no Intl call: cheap for a 5,000-event feed.
  const w = wallClock(ms, zone);
  const r = resolveWall(zone, Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
  return r.kind === "exact" && r.utcMs === Math.floor(ms / 1000) * 1000;
}

/** The TZID to write an appointment with, or null for UTC "Z" times (no usable VTIMEZONE, or an ambiguous wall time). */
export function eventZone(a: Pick<IcsAppointment, "startMs" | "endMs">, clinicZone: string): string | null {
  const tz = vtimezoneFor(clinicZone);
  if (!tz) return null;
  return wallTimeIsUnambiguous(a.startMs, clinicZone) && wallTimeIsUnambiguous(a.endMs, clinicZone) ? tz.tzid : null;
}

function escapeText(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

function descriptionOf(a: IcsAppointment, o: RenderOptions): string {
  const link = appointmentUrl(o.appUrl, a.id) + (a.videoUrl ? `\nVideo visit: ${a.videoUrl}` : "");
  if (o.privacy === "busy") return `Booked in ${o.clinic.name}.\n${link}`;
  if (o.privacy === "minimal") return `${typeLabel(a.type)} (${initialsOf(a.patientName)}).\n${link}`;
  return `${typeLabel(a.type)} with ${a.doctorName} at ${o.clinic.name}.\nPatient: ${a.patientName}\n${link}`;
}

export function eventData(a: IcsAppointment, o: RenderOptions): ICalEventData {
  const tzid = eventZone(a, o.clinic.timeZone);
  const zone = tzid ? o.clinic.timeZone : "UTC";
  const cancelled = a.status === "cancelled" || o.method === "CANCEL";
  const ev: ICalEventData = {
    id: uidOf(a.id, o.clinic.domain),
    sequence: sequenceOf(a.version),
    start: new ZonedInstant(a.startMs, zone),
    end: new ZonedInstant(a.endMs, zone),
    timezone: tzid,
    stamp: new ZonedInstant(o.stampMs ?? a.updatedAt),
    created: o.compact ? null : new ZonedInstant(a.createdAt),
    lastModified: new ZonedInstant(a.updatedAt),
    summary: summaryOf(a, o.privacy),
    description: o.compact ? null : descriptionOf(a, o),
    // A video visit happens at its link (clients make LOCATION URLs clickable); otherwise the clinic.
    location: a.videoUrl ? a.videoUrl : o.clinic.address ? o.clinic.address : null,
    url: appointmentUrl(o.appUrl, a.id),
    status: cancelled ? ICalEventStatus.CANCELLED : statusOf(a.status),
    transparency: cancelled ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
    // Every appointment is medical: clients that share calendars should hide it.
    class: ICalEventClass.PRIVATE,
    alarms: cancelled || o.compact
      ? []
      : o.clinic.reminderMinutes.map((m) => ({
          type: ICalAlarmType.display,
          trigger: m * 60, // seconds before start
          description: `Reminder: ${summaryOf(a, o.privacy)}`,
        })),
  };
  if (o.organizer) ev.organizer = { name: o.organizer.name, email: o.organizer.email };
  if (o.method && a.patientEmail) {
    ev.attendees = [
      {
        email: a.patientEmail,
        name: o.privacy === "full" ? a.patientName : undefined,
        role: ICalAttendeeRole.REQ,
        status: cancelled ? ICalAttendeeStatus.DECLINED : ICalAttendeeStatus.NEEDSACTION,
        rsvp: false,
      },
    ];
  }
  return ev;
}

/** The whole VCALENDAR text (CRLF line ends including the last, folded at 75 octets). */
export function renderCalendar(o: RenderOptions): string {
  const cal = ical({
    prodId: PRODID,
    // name null: the generator still emits a VTIMEZONE for each event's TZID,
    // while DTSTAMP/CREATED/LAST-MODIFIED stay in UTC as RFC 5545 requires.
    timezone: { name: null, generator: (z) => (vtimezoneFor(o.clinic.timeZone)?.tzid === z ? vtimezoneFor(o.clinic.timeZone)!.block : null) },
    method: o.method === "REQUEST" ? ICalCalendarMethod.REQUEST : o.method === "CANCEL" ? ICalCalendarMethod.CANCEL : null,
    // ical-generator writes NAME/X-WR-CALNAME unescaped: escape TEXT here.
    name: o.calendarName ? escapeText(o.calendarName) : null,
    ttl: o.ttlSeconds ?? null,
  });
  for (const a of o.appointments) cal.createEvent(eventData(a, o));
  return cal.toString() + "\r\n";
}

/**
 * A safe download file name: "appointment-2026-01-05-<id8>.ics". The date is the clinic's (a
 * 09:00 visit in Sydney on 5 January is not named after 4 January, its UTC date).
 */
export function icsFileName(prefix: string, startMs: number | null, id?: string, timeZone = "UTC"): string {
  const date = startMs == null ? "" : isValidTimeZone(timeZone) ? utcToLocal(timeZone, startMs).date : new Date(startMs).toISOString().slice(0, 10);
  return [prefix, date, id?.slice(0, 8)].filter(Boolean).join("-") + ".ics";
}
