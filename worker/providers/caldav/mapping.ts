// Pure mapping between ACMS and CalDAV resources (one VCALENDAR per .ics href).
// No I/O: table-tested in test/worker/caldav/mapping.test.ts.
// - Outbound: the VEVENT comes from the iCalendar renderer (worker/ics/render.ts,
//   privacy "busy": "Patient Appointment", a link, CLASS:PRIVATE, TRANSP:OPAQUE,
//   DTSTART;TZID= with its VTIMEZONE, the same UID and SEQUENCE as .ics downloads,
//   no VALARM) plus our ids as X-ACMS- properties. No second renderer here.
// - Inbound: times, recurrences (RRULE/RDATE/EXDATE, RECURRENCE-ID overrides),
//   all-day, VTIMEZONE for non-IANA TZIDs and floating times come from the import
//   parser (worker/ics/import.ts parseIcs); this file only adds what CalDAV needs on
//   top: which resource is ours, LAST-MODIFIED, and the account's own declined ATTENDEE.
import ICAL from "ical.js";
import { parseIcs, type ParsedOccurrence } from "../../ics/import";
import { renderCalendar, type IcsAppointment } from "../../ics/render";
import type { ExternalItem, OutboundAppointment, TimeWindow } from "../provider";

export const X_APPOINTMENT = "X-ACMS-APPOINTMENT-ID";
export const X_DOCTOR = "X-ACMS-DOCTOR-ID";
export const X_CLINIC = "X-ACMS-CLINIC-ID";
export const X_VERSION = "X-ACMS-VERSION";

export interface ClinicInfo {
  name: string;
  /** The clinic's domain: UIDs are "<appointmentId>@<domain>" like the .ics downloads. */
  domain: string;
}

/** The deterministic resource name of an appointment in the write calendar. */
export const resourceName = (appointmentId: string) => `${appointmentId}.ics`;

const escapeText = (s: string) => s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");

/** The VCALENDAR we PUT for an appointment. `stampMs` is the edit time we claim (LAST-MODIFIED/DTSTAMP). */
export function renderOwnEvent(a: OutboundAppointment, clinic: ClinicInfo, stampMs: number): string {
  const appt: IcsAppointment = {
    id: a.appointmentId,
    doctorId: a.doctorId,
    // Never PHI: privacy "busy" renders neither names nor the type.
    doctorName: "",
    patientName: "",
    startMs: a.startMs,
    endMs: a.endMs,
    type: "",
    status: a.status as IcsAppointment["status"],
    version: a.version,
    createdAt: stampMs,
    updatedAt: stampMs,
    // Not PHI: the renderer puts it in LOCATION and DESCRIPTION.
    videoUrl: a.videoUrl ?? null,
  };
  const suffix = `/appointments/${a.appointmentId}`;
  const appUrl = a.url.endsWith(suffix) ? a.url.slice(0, -suffix.length) : a.url;
  const text = renderCalendar({
    clinic: { id: a.clinicId, name: clinic.name, timeZone: a.timeZone, address: "", domain: clinic.domain, reminderMinutes: [] },
    appointments: [appt],
    privacy: "busy",
    appUrl,
  });
  // Our ids ride in X- properties (RFC 5545 §3.8.8.2), added to the one VEVENT the renderer made.
  const x = [`${X_APPOINTMENT}:${escapeText(a.appointmentId)}`, `${X_DOCTOR}:${escapeText(a.doctorId)}`, `${X_CLINIC}:${escapeText(a.clinicId)}`, `${X_VERSION}:${a.version}`];
  const withIds = text.replace("END:VEVENT", `${x.join("\r\n")}\r\nEND:VEVENT`);
  // Never lower than the server's copy (issue 17: the server had 2 after a refused move, we wrote 1):
  // max(ours, theirs + 1), so every client takes our write as the newer one.
  return a.sequenceAtLeast != null ? withIds.replace(/^SEQUENCE:(\d+)\r?$/m, (line, n) => (a.sequenceAtLeast! > Number(n) ? line.replace(n, String(a.sequenceAtLeast)) : line)) : withIds;
}

interface ComponentFacts {
  appointmentId: string | null;
  updatedMs: number | null;
  sequence: number | null;
  declined: boolean;
}

const utcMs = (v: unknown): number | null => {
  if (!(v instanceof ICAL.Time)) return null;
  const ms = v.toUnixTime() * 1000;
  return Number.isFinite(ms) ? ms : null;
};

/** What the expander does not tell: our ids, last edit, the account's own PARTSTAT. Keyed "uid|recurrence-id". */
function componentFacts(text: string, ownAddresses: string[]): Map<string, ComponentFacts> {
  const out = new Map<string, ComponentFacts>();
  const own = new Set(ownAddresses.map((a) => a.toLowerCase().replace(/^mailto:/, "")));
  const root = new ICAL.Component(ICAL.parse(text) as any);
  for (const ve of root.getAllSubcomponents("vevent")) {
    const uid = String(ve.getFirstPropertyValue("uid") ?? "").trim();
    const rid = ve.getFirstPropertyValue("recurrence-id");
    const key = `${uid}|${rid instanceof ICAL.Time ? rid.toICALString() : ""}`;
    const x = String(ve.getFirstPropertyValue(X_APPOINTMENT.toLowerCase()) ?? "").trim().toLowerCase();
    const uidId = /^([0-9a-f]{32})@/.exec(uid)?.[1] ?? null;
    const declined = ve.getAllProperties("attendee").some((p) => {
      const addr = String(p.getFirstValue() ?? "").toLowerCase().replace(/^mailto:/, "");
      return own.has(addr) && String(p.getParameter("partstat") ?? "").toUpperCase() === "DECLINED";
    });
    out.set(key, {
      appointmentId: /^[0-9a-f]{32}$/.test(x) ? x : uidId,
      updatedMs: utcMs(ve.getFirstPropertyValue("last-modified")) ?? utcMs(ve.getFirstPropertyValue("dtstamp")),
      sequence: Number.isInteger(Number(ve.getFirstPropertyValue("sequence"))) ? Number(ve.getFirstPropertyValue("sequence")) : null,
      declined,
    });
  }
  return out;
}

export interface ResourceInput {
  /** The resource's path on the server: our event id. */
  href: string;
  etag: string | null;
  ics: string;
}

export interface ExpandOptions {
  /** The clinic's zone: all-day dates and floating times mean local time there. */
  zone: string;
  window: TimeWindow;
  /** The account's own calendar-user addresses (mailto:), for declined invitations. */
  ownAddresses: string[];
}

/** Occurrence ids of a foreign resource are "<href>_<recurrence-id>", so the engine drops them all by "<href>". */
export const occurrenceId = (href: string, o: Pick<ParsedOccurrence, "recurrenceId">) => `${href}_${o.recurrenceId || "0"}`;

/**
 * One resource → engine items. Ours (X-ACMS-APPOINTMENT-ID, or a UID "<id>@…" we
 * wrote) → one item with id = href; a foreign resource → one item per occurrence in
 * the window. Throws on unparseable text (the caller skips that resource).
 */
export function itemsOfResource(r: ResourceInput, o: ExpandOptions): { own: boolean; items: ExternalItem[] } {
  const facts = componentFacts(r.ics, o.ownAddresses);
  const parsed = parseIcs(r.ics, { clinicZone: o.zone, fromMs: o.window.startMs, toMs: o.window.endMs });
  const master = [...facts.entries()].find(([k]) => k.endsWith("|"))?.[1] ?? [...facts.values()][0];
  if (master?.appointmentId) {
    const all = [...parsed.occurrences, ...parsed.outOfWindow];
    const occ = all.find((x) => !x.recurrenceId) ?? all[0];
    return {
      own: true,
      items: [
        {
          id: r.href,
          cancelled: false,
          etag: r.etag,
          updatedMs: master.updatedMs,
          appointmentId: master.appointmentId,
          timing: occ && occ.endMs > occ.startMs ? { startMs: occ.startMs, endMs: occ.endMs, allDay: occ.allDay } : null,
          blocks: !!occ && !occ.cancelled && !occ.free,
          title: occ?.summary ?? "",
          sequence: master.sequence,
        },
      ],
    };
  }
  const items = parsed.occurrences.map((x): ExternalItem => {
    const f = facts.get(`${x.uid}|${x.recurrenceId}`) ?? facts.get(`${x.uid}|`);
    const timing = x.endMs > x.startMs ? { startMs: x.startMs, endMs: x.endMs, allDay: x.allDay } : null;
    return {
      id: occurrenceId(r.href, x),
      cancelled: x.cancelled,
      etag: r.etag,
      updatedMs: f?.updatedMs ?? null,
      appointmentId: null,
      timing,
      blocks: !x.cancelled && !x.free && !f?.declined && timing != null,
      title: x.summary,
    };
  });
  return { own: false, items };
}

/** The engine item for a resource that is gone (404 in a sync report, or deleted): it drops all its occurrences. */
export const goneItem = (href: string): ExternalItem => ({ id: href, cancelled: true, etag: null, updatedMs: null, appointmentId: null, timing: null, blocks: false, title: "" });
