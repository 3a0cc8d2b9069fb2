// Pure mapping between ACMS and Microsoft Graph (Outlook) events. No I/O here, so
// it is table-tested (test/worker/microsoft/mapping.test.ts).
// Privacy: the outbound event carries NO PHI: a fixed subject, a link back into
// ACMS (which requires log-in), our ids in extended properties of our own GUID
// namespace, showAs busy, sensitivity private, and no attendees (patients are
// invited by ACMS's own e-mail, never by Microsoft). Never the patient's name,
// reason, notes, phone or e-mail.
import type { ExternalItem, OutboundAppointment } from "../provider";
import { localToUtc, resolveWall, wallMsAt } from "../../scheduling/zone";
import { ianaZoneOf } from "./zones";

export const EVENT_SUBJECT = "Patient Appointment";

/**
 * Our property set (a GUID of ours, fixed forever: changing it would orphan every
 * event already written). Named string properties, as Graph documents them:
 * "String {guid} Name <name>". The appointment id has its own property so an
 * event can be found with $filter on it (lost create answers, reconnects).
 */
export const PROP_SET = "{8f3c6a52-1d47-4e0b-9b3e-5a7c2f41d6e9}";
export const PROP_APPOINTMENT = `String ${PROP_SET} Name acmsAppointmentId`;
export const PROP_REF = `String ${PROP_SET} Name acmsRef`;

export type ShowAs = "free" | "tentative" | "busy" | "oof" | "workingElsewhere" | "unknown";

export interface GraphDateTime {
  dateTime?: string;
  timeZone?: string;
}
export interface GraphEvent {
  id: string;
  "@odata.etag"?: string;
  "@removed"?: { reason?: string };
  changeKey?: string;
  lastModifiedDateTime?: string;
  subject?: string;
  start?: GraphDateTime;
  end?: GraphDateTime;
  originalStartTimeZone?: string;
  isAllDay?: boolean;
  isCancelled?: boolean;
  showAs?: ShowAs;
  type?: "singleInstance" | "occurrence" | "exception" | "seriesMaster";
  seriesMasterId?: string;
  responseStatus?: { response?: string };
  singleValueExtendedProperties?: { id: string; value: string }[];
  isOnlineMeeting?: boolean;
  onlineMeeting?: { joinUrl?: string } | null;
  transactionId?: string;
}

/** Tiny FNV-1a (32-bit) → 8 hex chars; only to make transaction ids distinct, not for security. */
function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * transactionId for creating an appointment's event: the same for every retry of
 * one create (so Graph makes one event however often the POST is repeated), and a
 * new one when we must create it again after the doctor deleted it (`replaces` =
 * the deleted event's id), since Graph would otherwise answer with the old one.
 */
export function transactionIdFor(appointmentId: string, version: number, replaces: string | null = null): string {
  return `acms-${appointmentId}-v${version}${replaces ? `-r${fnv(replaces)}` : ""}`;
}

/**
 * Wall-clock time in `tz` as Graph wants it ("2026-12-07T09:00:00"), with the zone
 * name. A time that happens twice in the zone (autumn DST change) would name the
 * wrong one as a local time: then UTC is written instead (lesson 21).
 */
export function graphTime(ms: number, tz: string): { dateTime: string; timeZone: string } {
  const wall = wallMsAt(tz, ms);
  const r = resolveWall(tz, wall);
  if (r.kind !== "exact") return { dateTime: new Date(ms).toISOString().slice(0, 19), timeZone: "UTC" };
  return { dateTime: new Date(wall).toISOString().slice(0, 19), timeZone: tz };
}

export interface OutboundOptions {
  /** Work/school account (only those get Teams meetings from Microsoft). */
  workAccount: boolean;
  /** Appointment types that get a Teams meeting. */
  teamsTypes: string[];
}

/** Whether this appointment's event gets a Teams meeting, or why not (shown in the details panel). */
export function teamsDecision(a: Pick<OutboundAppointment, "appointmentType">, o: OutboundOptions): { teams: true } | { teams: false; reason: string } {
  if (!a.appointmentType || !o.teamsTypes.includes(a.appointmentType))
    return { teams: false, reason: "This appointment type is not marked as a video (Teams) visit." };
  if (!o.workAccount) return { teams: false, reason: "The doctor's Outlook is a personal Microsoft account; Microsoft makes Teams links only for work or school accounts." };
  return { teams: true };
}

/** The Graph event body for an appointment (create and update send the same fields). */
export function toGraphEvent(a: OutboundAppointment, o: OutboundOptions = { workAccount: false, teamsTypes: [] }) {
  return {
    // A Teams meeting (work/school accounts, chosen types): its join link is not PHI.
    ...(teamsDecision(a, o).teams ? { isOnlineMeeting: true, onlineMeetingProvider: "teamsForBusiness" as const } : {}),
    subject: EVENT_SUBJECT,
    // The video link (Jitsi; a Teams meeting carries its own) rides in the body, not as a location.
    body: { contentType: "text", content: `Open in ACMS: ${a.url}${a.videoUrl && !teamsDecision(a, o).teams ? `\nVideo visit: ${a.videoUrl}` : ""}` },
    start: graphTime(a.startMs, a.timeZone),
    end: graphTime(a.endMs, a.timeZone),
    showAs: "busy" as const,
    sensitivity: "private" as const,
    isReminderOn: false,
    // No attendees and no location: nothing that makes Outlook send invitations.
    singleValueExtendedProperties: [
      { id: PROP_APPOINTMENT, value: a.appointmentId },
      { id: PROP_REF, value: `doctor=${a.doctorId};clinic=${a.clinicId};version=${a.version};status=${a.status}` },
    ],
  };
}

/** "2026-12-07T09:00:00.0000000" in `zone` → epoch ms; null when unreadable. */
export function parseGraphTime(t: GraphDateTime | undefined): { ms: number; date: string } | null {
  if (!t?.dateTime) return null;
  const m = t.dateTime.match(/^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?Z?$/);
  if (!m) return null;
  const zone = ianaZoneOf(t.timeZone ?? "UTC");
  if (!zone) return null;
  const [, date, hh, mm, ss = "0", frac = "0"] = m;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return null;
  const base = zone === "UTC" ? Date.parse(`${date}T${hh}:${mm}:00Z`) : localToUtc(zone, date, `${hh}:${mm}`);
  if (Number.isNaN(base)) return null;
  return { ms: base + Number(ss) * 1000 + Math.floor(Number(`0.${frac}`) * 1000), date };
}

export interface InboundOptions {
  /** Tentative events block (the default; a doctor can turn it off). */
  blockTentative: boolean;
}

/** showAs values that make the doctor unavailable. `unknown` blocks: better a free slot lost than a double booking. */
export function showAsBlocks(showAs: ShowAs | undefined, opts: InboundOptions): boolean {
  switch (showAs ?? "busy") {
    case "free":
      return false;
    case "tentative":
      return opts.blockTentative;
    default:
      return true;
  }
}

const APPT_ID = /^[0-9a-f]{32}$/;
/** Our transactionId (transactionIdFor): the only mark of ours that delta answers carry. */
const OUR_TRANSACTION = /^acms-([0-9a-f]{32})-v\d+(?:-r[0-9a-f]{8})?$/;

/**
 * A Graph event (from calendarView or calendarView/delta, so series arrive as their
 * occurrences and exceptions) → the engine's item. `tz` is the zone all-day dates
 * mean (the clinic's). Blocks = busy / oof / workingElsewhere / tentative (option),
 * not free, not cancelled, not declined by the doctor.
 */
export function fromGraphEvent(ev: GraphEvent, tz: string, opts: InboundOptions = { blockTentative: true }): ExternalItem {
  if (ev["@removed"])
    return { id: ev.id, cancelled: true, etag: null, updatedMs: null, appointmentId: null, timing: null, blocks: false, title: "" };
  const cancelled = ev.isCancelled === true;
  const start = parseGraphTime(ev.start);
  const end = parseGraphTime(ev.end);
  let timing: ExternalItem["timing"] = null;
  if (!cancelled && start && end) {
    if (ev.isAllDay) {
      // All-day events are dates, not instants: they block the clinic's day(s).
      const s = localToUtc(tz, start.date, "00:00");
      const e = localToUtc(tz, end.date, "00:00");
      if (e > s) timing = { startMs: s, endMs: e, allDay: true };
    } else if (end.ms > start.ms) timing = { startMs: start.ms, endMs: end.ms, allDay: false };
  }
  const declined = ev.responseStatus?.response === "declined";
  const updated = ev.lastModifiedDateTime ? Date.parse(ev.lastModifiedDateTime) : NaN;
  const prop = ev.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === PROP_APPOINTMENT.toLowerCase())?.value;
  // Delta answers carry no extended properties: our events are recognised by the transactionId
  // we created them with, so they never become busy blocks of the doctor's own appointments.
  const appt = prop ?? (typeof ev.transactionId === "string" ? ev.transactionId.match(OUR_TRANSACTION)?.[1] : undefined);
  return {
    id: ev.id,
    cancelled,
    etag: ev["@odata.etag"] ?? (ev.changeKey ? `W/"${ev.changeKey}"` : null),
    updatedMs: Number.isNaN(updated) ? null : updated,
    appointmentId: appt && APPT_ID.test(appt) ? appt : null,
    timing,
    // A series master is not a time span of its own: its occurrences are.
    blocks: !cancelled && timing != null && ev.type !== "seriesMaster" && !declined && showAsBlocks(ev.showAs, opts),
    title: ev.subject ?? "",
  };
}
