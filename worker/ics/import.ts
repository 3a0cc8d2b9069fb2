// .ics import: parse a file with ical.js, expand recurrences inside a window,
// and plan what to create (blocked time by default, or appointments).
// Pure apart from the inputs it is given: reading existing rows and writing
// live in routes/imports.ts and ./import-write.ts.
//
// Times: ical.js gives wall-clock fields; we turn them into instants ourselves:
//   "…Z"                → UTC
//   TZID=<IANA zone>    → that zone via Intl (DST-exact, no registry)
//   TZID=<other name>   → the file's own VTIMEZONE (ical.js Timezone, not registered
//                         globally, so one upload cannot change another's zones)
//   floating            → the clinic's zone
//   unknown TZID        → the event is left out and reported (./import-validate.ts)
//   all-day (DATE)      → local midnight to midnight in the clinic's zone
// Recurrence: RRULE/RDATE/EXDATE through ical.js's iterator, RECURRENCE-ID
// overrides related to their master (moved or cancelled occurrences).
import ICAL from "ical.js";
import { isValidTimeZone } from "../scheduling/zone";
import { instantOf } from "./zoned";
import { splitFailedEvents } from "./import-validate";

export const IMPORT_MAX_BYTES = 1024 * 1024; // 1 MiB
export const IMPORT_MAX_EVENTS = 2000; // VEVENT components in a file
export const IMPORT_MAX_OCCURRENCES = 2000; // expanded occurrences inside the window
const MAX_ITERATIONS_PER_EVENT = 20_000; // protects CPU from FREQ=MINUTELY since 1970
const MAX_PROBLEMS = 10;

export interface Problem {
  path: string;
  message: string;
}

export class IcsImportError extends Error {
  constructor(
    readonly code: "invalid_ics" | "too_many_events",
    message: string,
    readonly problems: Problem[],
  ) {
    super(message);
  }
}

export interface ParseOptions {
  clinicZone: string;
  fromMs: number;
  toMs: number;
}

export interface ParsedOccurrence {
  uid: string;
  /** "" for a single event; the occurrence's original start (ICS basic format) for recurrences. */
  recurrenceId: string;
  summary: string;
  startMs: number;
  endMs: number;
  allDay: boolean;
  cancelled: boolean;
  free: boolean;
}

/** An event whose recurrence could not be expanded (invalid or impossible rule, budget used up). */
export interface FailedEvent {
  uid: string;
  summary: string;
  /** Names the event and says why, for the preview and the 422. */
  message: string;
}

export interface ParseResult {
  occurrences: ParsedOccurrence[];
  /** Events left out because their recurrence could not be expanded: callers must show them, never drop them silently. */
  failed: FailedEvent[];
  outOfWindow: ParsedOccurrence[];
  warnings: string[];
  events: number;
}

const basic = (t: ICAL.Time) => t.toICALString();

export function parseIcs(text: string, o: ParseOptions): ParseResult {
  const problems: Problem[] = [];
  const warnings = new Set<string>();
  let root: ICAL.Component;
  try {
    const jcal = ICAL.parse(text);
    root = new ICAL.Component(jcal as any);
  } catch (err) {
    throw new IcsImportError("invalid_ics", "The file is not valid iCalendar.", [{ path: "file", message: err instanceof Error ? err.message : String(err) }]);
  }
  if (root.name !== "vcalendar") throw new IcsImportError("invalid_ics", "The file is not valid iCalendar.", [{ path: "file", message: "the top-level component is not VCALENDAR" }]);

  const fileZones = new Map<string, ICAL.Timezone>();
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    const tzid = String(vtz.getFirstPropertyValue("tzid") ?? "");
    if (tzid) fileZones.set(tzid, new ICAL.Timezone(vtz));
  }

  const vevents = root.getAllSubcomponents("vevent");
  if (vevents.length > IMPORT_MAX_EVENTS)
    throw new IcsImportError("too_many_events", `The file has ${vevents.length} events; at most ${IMPORT_MAX_EVENTS} are accepted.`, [
      { path: "file", message: `${vevents.length} VEVENTs > ${IMPORT_MAX_EVENTS}` },
    ]);

  const toMs = (t: ICAL.Time, tzid: string | null): number => {
    const w = { year: t.year, month: t.month, day: t.day, hour: t.isDate ? 0 : t.hour, minute: t.isDate ? 0 : t.minute, second: t.isDate ? 0 : t.second };
    if (!t.isDate && t.zone?.tzid === "UTC") return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    if (t.isDate || !tzid) return instantOf(w, o.clinicZone);
    if (isValidTimeZone(tzid)) return instantOf(w, tzid);
    const own = fileZones.get(tzid);
    if (own) {
      const c = t.clone();
      c.zone = own;
      return c.toUnixTime() * 1000;
    }
    warnings.add(`Unknown time zone "${tzid}": times read in the clinic's zone ${o.clinicZone}.`);
    return instantOf(w, o.clinicZone);
  };

  // Invalid dates and unknown TZIDs fail their own event only (./import-validate.ts).
  const split = splitFailedEvents(vevents, fileZones.keys());
  // Nothing left to import: the file as a whole cannot be imported (a clear 422, as before).
  if (vevents.length && !split.ok.length)
    throw new IcsImportError("invalid_ics", "No event in the file can be imported.", split.failed.slice(0, MAX_PROBLEMS).map((f) => ({ path: `VEVENT UID ${f.uid}`, message: f.message })));
  // (Invalid dates and unknown zones join `failed`, next to events whose recurrence cannot be expanded.)

  // Group by UID: masters and their RECURRENCE-ID overrides.
  const masters = new Map<string, ICAL.Component>();
  const overrides = new Map<string, ICAL.Component[]>();
  split.ok.forEach((ve, i) => {
    const path = `VEVENT[${i}]`;
    let uid = String(ve.getFirstPropertyValue("uid") ?? "").trim();
    if (!ve.getFirstProperty("dtstart")) {
      problems.push({ path, message: "has no DTSTART" });
      return;
    }
    if (!uid) {
      // RFC 5545 requires UID; derive a stable one so a re-import still matches.
      uid = `nouid-${String(ve.getFirstProperty("dtstart")?.toICALString())}-${String(ve.getFirstPropertyValue("summary") ?? "")}`;
      ve.updatePropertyWithValue("uid", uid);
    }
    if (ve.getFirstProperty("recurrence-id")) {
      const list = overrides.get(uid) ?? [];
      list.push(ve);
      overrides.set(uid, list);
    } else if (masters.has(uid)) {
      problems.push({ path, message: `duplicate UID ${uid}` });
    } else masters.set(uid, ve);
  });

  const occurrences: ParsedOccurrence[] = [];
  const outOfWindow: ParsedOccurrence[] = [];
  const push = (x: ParsedOccurrence) => {
    if (x.endMs <= o.fromMs || x.startMs >= o.toMs) outOfWindow.push(x);
    else occurrences.push(x);
  };

  const single = (ve: ICAL.Component, path: string, recurrenceId: string) => {
    const ev = new ICAL.Event(ve);
    const tzid = tzidOf(ve, "dtstart");
    const start = ev.startDate;
    const end = ev.endDate ?? start;
    const startMs = toMs(start, tzid);
    let endMs = toMs(end, tzidOf(ve, "dtend") ?? tzid);
    if (start.isDate && end.compare(start) <= 0) endMs = startMs + 86400_000;
    if (endMs < startMs) {
      problems.push({ path, message: "ends before it starts" });
      return;
    }
    push(occ(ev, recurrenceId, startMs, endMs, start.isDate));
  };

  for (const [uid, ve] of masters) {
    const path = `VEVENT UID ${uid}`;
    try {
      const ev = new ICAL.Event(ve);
      for (const ex of overrides.get(uid) ?? []) ev.relateException(ex);
      overrides.delete(uid);
      if (!ev.isRecurring()) {
        single(ve, path, "");
        continue;
      }
      const tzid = tzidOf(ve, "dtstart");
      const it = ev.iterator();
      let n = 0;
      for (let next = it.next(); next; next = it.next()) {
        if (++n > MAX_ITERATIONS_PER_EVENT) {
          warnings.add(`Recurrence of ${uid} stopped after ${MAX_ITERATIONS_PER_EVENT} occurrences.`);
          break;
        }
        const d = ev.getOccurrenceDetails(next);
        const item = d.item;
        const itemTz = item === ev ? tzid : tzidOf(item.component, "dtstart");
        const startMs = toMs(d.startDate, itemTz);
        const endMs = d.endDate ? toMs(d.endDate, item === ev ? (tzidOf(ve, "dtend") ?? tzid) : (tzidOf(item.component, "dtend") ?? itemTz)) : startMs;
        const originalMs = toMs(d.recurrenceId, tzid);
        // Occurrences come in original order; once past the window (and overrides cannot
        // move one back in by more than a year) we can stop.
        if (originalMs >= o.toMs + 366 * 86400_000) break;
        const x = occ(item, basic(d.recurrenceId), startMs, Math.max(endMs, startMs + (d.startDate.isDate && endMs <= startMs ? 86400_000 : 0)), d.startDate.isDate);
        if (x.endMs <= o.fromMs || x.startMs >= o.toMs) {
          if (originalMs >= o.toMs) break;
          continue; // past occurrences before the window are not worth listing one by one
        }
        push(x);
        if (occurrences.length > IMPORT_MAX_OCCURRENCES) break;
      }
    } catch (err) {
      problems.push({ path, message: err instanceof Error ? err.message : String(err) });
    }
  }
  // Overrides whose master is not in the file: import them as single events.
  for (const [uid, list] of overrides)
    for (const ve of list) {
      try {
        const rid = ve.getFirstPropertyValue("recurrence-id") as ICAL.Time;
        single(ve, `VEVENT UID ${uid}`, basic(rid));
      } catch (err) {
        problems.push({ path: `VEVENT UID ${uid}`, message: err instanceof Error ? err.message : String(err) });
      }
    }

  if (problems.length) throw new IcsImportError("invalid_ics", `The file has ${problems.length} problem(s); nothing was imported.`, problems.slice(0, MAX_PROBLEMS));
  if (occurrences.length > IMPORT_MAX_OCCURRENCES)
    throw new IcsImportError("too_many_events", `More than ${IMPORT_MAX_OCCURRENCES} occurrences fall in the window; narrow it with from/to.`, [
      { path: "window", message: `> ${IMPORT_MAX_OCCURRENCES} occurrences` },
    ]);
  occurrences.sort((a, b) => a.startMs - b.startMs || a.uid.localeCompare(b.uid));
  return { occurrences, outOfWindow, warnings: [...warnings], events: vevents.length, failed: split.failed };
}

function tzidOf(ve: ICAL.Component, prop: string): string | null {
  const p = ve.getFirstProperty(prop);
  const tz = p?.getParameter("tzid");
  return typeof tz === "string" && tz ? tz : null;
}

function occ(ev: ICAL.Event, recurrenceId: string, startMs: number, endMs: number, allDay: boolean): ParsedOccurrence {
  const status = String(ev.component.getFirstPropertyValue("status") ?? "").toUpperCase();
  const transp = String(ev.component.getFirstPropertyValue("transp") ?? "").toUpperCase();
  return {
    uid: ev.uid,
    recurrenceId,
    summary: String(ev.summary ?? "").slice(0, 200),
    startMs,
    endMs,
    allDay,
    cancelled: status === "CANCELLED",
    free: transp === "TRANSPARENT",
  };
}

// Planning (create / update / skip / remove) lives in ./import-plan.ts.
export { planImport, type Busy, type KnownImport, type PlannedItem, type SkipReason } from "./import-plan";
