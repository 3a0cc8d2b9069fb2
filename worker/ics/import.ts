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
// Recurrence: RRULE/RDATE/EXDATE/RECURRENCE-ID through ./recurrence.ts (bounded work,
// exact instants); an event whose rule cannot be expanded is reported in `failed`.
import ICAL from "ical.js";
import { isValidTimeZone, resolveWall } from "../scheduling/zone";
import { splitFailedEvents } from "./import-validate";
import { expandEvent, RecurrenceError, singleOccurrence, StepBudget, type EventExpansion, type ExpandOptions, type Frame, type Occurrence } from "./recurrence";

const DAY_MS = 86_400_000;
export const IMPORT_MAX_BYTES = 1024 * 1024; // 1 MiB
export const IMPORT_MAX_EVENTS = 2000; // VEVENT components in a file
export const IMPORT_MAX_OCCURRENCES = 2000; // expanded occurrences inside the window
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
  /** Recurrence work allowance; default a new StepBudget per file. Pass one to share it across several
   *  parseIcs calls (e.g. every resource of one CalDAV sync run), so many small files stay bounded too. */
  budget?: StepBudget;
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

  // Local readings → instants, by the value's zone (see the header). One Frame per zone name, cached for the file.
  const frames = new Map<string, Frame>();
  const utcFrame: Frame = { utc: true, toInstant: (wall) => wall };
  const frameOf = (t: { isDate: boolean; utc: boolean }, tzid: string | null): Frame => {
    if (t.utc) return utcFrame;
    const name = t.isDate || !tzid ? o.clinicZone : tzid;
    let f = frames.get(name);
    if (f) return f;
    if (isValidTimeZone(name)) f = { utc: false, toInstant: (wall) => resolveWall(name, wall).utcMs };
    else if (fileZones.has(name)) {
      // The file's own VTIMEZONE, through ical.js. Its own local → UTC takes the offset *after* a DST gap;
      // RFC 5545 §3.3.5 wants the one before, and the first of a repeated time: resolved here from offsets.
      const own = fileZones.get(name)!;
      const offsetAt = (t: number) => {
        const l = ICAL.Time.fromJSDate(new Date(t), true).convertToZone(own);
        return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - Math.floor(t / 1000) * 1000;
      };
      f = {
        utc: false,
        toInstant: (wall) => {
          const before = offsetAt(wall - DAY_MS);
          const after = offsetAt(wall + DAY_MS);
          if (before === after) return wall - before;
          const hits = [...new Set([wall - before, wall - after])].filter((t) => t + offsetAt(t) === wall).sort((a, b) => a - b);
          return hits.length ? hits[0] : wall - before;
        },
      };
    } else {
      warnings.add(`Unknown time zone "${name}": times read in the clinic's zone ${o.clinicZone}.`);
      f = { utc: false, toInstant: (wall) => resolveWall(o.clinicZone, wall).utcMs };
    }
    frames.set(name, f);
    return f;
  };
  const budget = o.budget ?? new StepBudget();
  const expandOptions: ExpandOptions = { fromMs: o.fromMs, toMs: o.toMs, maxOccurrences: IMPORT_MAX_OCCURRENCES, frameOf, budget };

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
  const failed: FailedEvent[] = [];
  let capped = false;
  const take = (x: EventExpansion) => {
    for (const y of x.inWindow) occurrences.push(occ(y));
    for (const y of x.outOfWindow) outOfWindow.push(occ(y));
    capped ||= x.capped;
  };
  const attempt = (uid: string, ve: ICAL.Component, run: () => void) => {
    budget.startEvent();
    try {
      run();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const summary = String(ve.getFirstPropertyValue("summary") ?? "").slice(0, 200);
      // A rule we cannot expand is reported per event (the preview lists it, the commit refuses);
      // broken event data (no DTSTART, ends before it starts) still refuses the whole file.
      if (err instanceof RecurrenceError) failed.push({ uid, summary, message: `Event "${summary || uid}" (UID ${uid}): ${message}` });
      else problems.push({ path: `VEVENT UID ${uid}`, message });
    }
  };

  for (const [uid, ve] of masters) {
    attempt(uid, ve, () => take(expandEvent(ve, overrides.get(uid) ?? [], expandOptions)));
    overrides.delete(uid);
    if (capped || occurrences.length > IMPORT_MAX_OCCURRENCES) break;
  }
  // Overrides whose master is not in the file: import them as single events.
  for (const [uid, list] of overrides)
    for (const ve of list)
      attempt(uid, ve, () => {
        const rid = ve.getFirstPropertyValue("recurrence-id") as ICAL.Time;
        const x = singleOccurrence(ve, rid.toICALString(), expandOptions);
        take({ inWindow: x.endMs <= o.fromMs || x.startMs >= o.toMs ? [] : [x], outOfWindow: x.endMs <= o.fromMs || x.startMs >= o.toMs ? [x] : [], capped: false });
      });

  if (problems.length) throw new IcsImportError("invalid_ics", `The file has ${problems.length} problem(s); nothing was imported.`, problems.slice(0, MAX_PROBLEMS));
  if (capped || occurrences.length > IMPORT_MAX_OCCURRENCES)
    throw new IcsImportError("too_many_events", `More than ${IMPORT_MAX_OCCURRENCES} occurrences fall in the window; narrow it with from/to.`, [
      { path: "window", message: `> ${IMPORT_MAX_OCCURRENCES} occurrences` },
    ]);
  occurrences.sort((a, b) => a.startMs - b.startMs || a.uid.localeCompare(b.uid));
  return { occurrences, outOfWindow, warnings: [...warnings], events: vevents.length, failed: [...split.failed, ...failed] };
}

function occ(x: Occurrence): ParsedOccurrence {
  const ve = x.component;
  const status = String(ve.getFirstPropertyValue("status") ?? "").toUpperCase();
  const transp = String(ve.getFirstPropertyValue("transp") ?? "").toUpperCase();
  return {
    uid: String(ve.getFirstPropertyValue("uid") ?? ""),
    recurrenceId: x.recurrenceId,
    summary: String(ve.getFirstPropertyValue("summary") ?? "").slice(0, 200),
    startMs: x.startMs,
    endMs: x.endMs,
    allDay: x.allDay,
    cancelled: status === "CANCELLED",
    free: transp === "TRANSPARENT",
  };
}

// Planning (create / update / skip / remove) lives in ./import-plan.ts.
export { planImport, type Busy, type KnownImport, type PlannedItem, type SkipReason } from "./import-plan";
