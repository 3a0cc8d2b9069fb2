// Per-event checks of an imported calendar, run on ical.js's jCal before any
// event is expanded: the same date rules as the JSON API, and no guessing of
// time zones.
//
// - DATE / DATE-TIME values (DTSTART, DTEND, DUE, RECURRENCE-ID, EXDATE, RDATE,
//   RRULE UNTIL) must be real: the JSON API refuses 2026-02-30, so the importer
//   must too. ical.js would roll 20270230 over to 2 March (or throw an opaque error),
//   silently moving the block. Hours 00–23, minutes and seconds 00–59 (RFC 5545's
//   leap second 60 is refused as the JSON API does), years 1900–2200 for the
//   instants we store (UNTIL may be any real date: 99991231 means "no end").
// - A TZID must be an IANA zone (Intl knows it) or have a VTIMEZONE in the file.
//   Anything else was read in the clinic's zone before: a silent guess that can be
//   hours off. The event is now reported instead, with the zone's name.
// A failing event is taken out whole (master and overrides share the UID) and
// reported like an event whose recurrence cannot be expanded: listed as refused in
// the preview, and a commit of the file is refused (422) until it is fixed.
import type ICAL from "ical.js";
import { isValidTimeZone } from "../scheduling/zone";

/** The shape of import.ts's FailedEvent (uid, summary, message naming the event and why). */
export interface InvalidEvent {
  uid: string;
  summary: string;
  message: string;
}

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;

const TIME_PROPS = ["dtstart", "dtend", "due", "recurrence-id", "exdate", "rdate"];

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z?)$/;

/** ICS basic form of a jCal value, for messages: "2027-02-30T10:00:00" → "20270230T100000". */
const basic = (v: string) => v.replace(/[-:]/g, "").replace(/T$/, "");

function realDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Why a jCal DATE or DATE-TIME string is not acceptable, or null when it is. */
export function dateValueProblem(value: unknown, type: string, opts: { anyYear?: boolean } = {}): string | null {
  if (typeof value !== "string") return "is not a date";
  // ical.js types a bare 8-digit DTSTART as DATE-TIME and leaves "2027-02-30T::"; judge it as the DATE it is.
  const v = type === "date-time" && /^\d{4}-\d{2}-\d{2}T::$/.test(value) ? value.slice(0, 10) : value;
  const m = DATE_RE.exec(v) ?? DATE_TIME_RE.exec(v);
  if (!m) return `${basic(v)} is not a valid ${type === "date" ? "DATE" : "DATE-TIME"}`;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!realDate(y, mo, d)) return `${basic(v)} is not a real calendar date`;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) return `${basic(v)} is not a real time of day`;
  if (!opts.anyYear && (y < MIN_YEAR || y > MAX_YEAR)) return `${basic(v)} is outside the years ${MIN_YEAR}–${MAX_YEAR}`;
  return null;
}

type JProp = [string, Record<string, unknown>, string, ...unknown[]];

/** The first problem of one VEVENT's time values, or null. */
function eventProblem(ve: ICAL.Component, knownZones: Set<string>): { code: "invalid_date" | "unknown_timezone"; message: string } | null {
  for (const p of (ve.jCal as unknown as [string, JProp[]])[1]) {
    const [name, params, type, ...values] = p;
    if (name === "rrule") {
      const until = (values[0] as { until?: unknown } | undefined)?.until;
      const why = until === undefined ? null : dateValueProblem(until, String(until).includes("T") ? "date-time" : "date", { anyYear: true });
      if (why) return { code: "invalid_date", message: `RRULE UNTIL ${why}` };
      continue;
    }
    if (!TIME_PROPS.includes(name)) continue;
    const label = name.toUpperCase();
    for (const v of values) {
      // RDATE may be a PERIOD: [start, end-or-duration]; check the date parts.
      const parts = type === "period" && Array.isArray(v) ? v.filter((x) => typeof x === "string" && !x.startsWith("P") && !x.startsWith("-P")) : [v];
      for (const x of parts) {
        const why = dateValueProblem(x, type === "period" ? "date-time" : type);
        if (why) return { code: "invalid_date", message: `${label} ${why}` };
      }
    }
    const tzid = typeof params.tzid === "string" ? params.tzid : null;
    if (tzid && !knownZones.has(tzid) && !isValidTimeZone(tzid))
      return { code: "unknown_timezone", message: `${label} uses the time zone "${tzid}", which is not an IANA zone and has no VTIMEZONE in the file` };
  }
  return null;
}

/**
 * The events (by UID) that cannot be imported as they are, and the VEVENTs left to
 * expand. VEVENTs without a UID are judged on their own (reported as "VEVENT[i]").
 */
export function splitFailedEvents(vevents: ICAL.Component[], fileZoneIds: Iterable<string>): { ok: ICAL.Component[]; failed: InvalidEvent[] } {
  const known = new Set(fileZoneIds);
  const failedUids = new Map<string, InvalidEvent>();
  const failedIndex = new Set<number>();
  vevents.forEach((ve, i) => {
    const uid = String(ve.getFirstPropertyValue("uid") ?? "").trim();
    if (uid && failedUids.has(uid)) return;
    const problem = eventProblem(ve, known);
    if (!problem) return;
    const summary = String(ve.getFirstPropertyValue("summary") ?? "").slice(0, 200);
    const id = uid || `VEVENT[${i}]`;
    // Same wording as a refused recurrence: which event, then why.
    const failed = { uid: id, summary, message: `Event "${summary || id}" (UID ${id}): ${problem.message}` };
    if (uid) failedUids.set(uid, failed);
    else {
      failedIndex.add(i);
      failedUids.set(`\u0000${i}`, failed);
    }
  });
  if (!failedUids.size) return { ok: vevents, failed: [] };
  const ok = vevents.filter((ve, i) => {
    if (failedIndex.has(i)) return false;
    const uid = String(ve.getFirstPropertyValue("uid") ?? "").trim();
    return !(uid && failedUids.has(uid));
  });
  return { ok, failed: [...failedUids.values()] };
}
