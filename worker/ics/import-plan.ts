// What an import will do with each occurrence of a parsed file, compared with
// what earlier imports of the same events left in the calendar. Pure: the route
// reads the rows, ./import-write.ts commits the plan.
//
//   new occurrence                              → create
//   imported before, the file's times unchanged → skip "already_imported" (also when staff
//                                                 moved it here since: not moved back)
//   imported before, the file moved / resized it, or its SUMMARY changed (labels=summary)
//                                               → update (the same block or appointment)
//   imported before, now cancelled or free      → remove
//   imported before, gone from the file         → remove, when the row came from this
//                                                 same source or its event (UID) is still
//                                                 in the file; only inside the window
//   imported before, deleted or cancelled here  → skip "already_imported" (never resurrected)
// Events the parser refused (invalid dates, unknown zones) keep their earlier rows
// untouched: a file we cannot read must not free anyone's time.

export type SkipReason = "out_of_window" | "already_imported" | "conflict" | "cancelled" | "free" | "duplicate_in_file" | "zero_length" | "too_long";

/** One occurrence and what the import will do with it. */
export interface PlannedItem {
  uid: string;
  recurrenceId: string;
  summary: string;
  startMs: number;
  endMs: number;
  allDay: boolean;
  action: "create" | "update" | "remove" | "skip";
  reason?: SkipReason;
  /** Set when a block overlaps existing appointments (still written: blocking cancels nothing). */
  overlaps?: "appointment";
  /** update / remove: the block or appointment concerned. */
  entityId?: string;
  /** update / remove: where it is now (remove: startMs/endMs are these too). */
  previous?: { startMs: number; endMs: number };
  /** update / remove of an appointment: the version the write must find. */
  version?: number;
}

export interface Busy {
  startMs: number;
  endMs: number;
  /** Appointments: so an update does not conflict with itself. */
  id?: string;
}

/** An imported_events row with the entity it points at, as it is now. */
export interface KnownImport {
  uid: string;
  recurrenceId: string;
  entityType: "blocked_time" | "appointment";
  entityId: string;
  /** Hash of the import source ("" when unknown: such rows are only removed through their UID). */
  source: string;
  /** Where the file put it at the last import (null for rows from before that was recorded). */
  last?: { startMs: number; endMs: number } | null;
  /** null: the block or appointment was deleted here. `active` false: an appointment cancelled here. */
  current: { startMs: number; endMs: number; allDay: boolean; label: string; active: boolean; version: number } | null;
}

interface Occurrence {
  uid: string;
  recurrenceId: string;
  summary: string;
  startMs: number;
  endMs: number;
  allDay: boolean;
  cancelled: boolean;
  free: boolean;
}

export interface PlanInput {
  occurrences: Occurrence[];
  outOfWindow: Occurrence[];
  /** Events the parser refused (only their uid is used here). */
  failed?: { uid: string }[];
}

export interface PlanContext {
  mode: "blocked" | "appointments";
  /** Keyed by importKey(uid, recurrenceId). */
  known: Map<string, KnownImport>;
  /** This import's source hash ("" when unknown). */
  source?: string;
  /** The import window; removals are only decided inside it (outside, the file was not expanded). */
  window?: { fromMs: number; toMs: number };
  appointments: Busy[];
  blocks: Busy[];
  maxAppointmentMs: number;
  /** Blocked mode with labels=summary: the label a block gets for an occurrence (compared on re-import). */
  labelOf?: (summary: string) => string;
}

const MAX_BLOCK_MS = 366 * 86400_000;

export const importKey = (uid: string, recurrenceId: string) => `${uid}\u0000${recurrenceId}`;

export function planImport(parsed: PlanInput, ctx: PlanContext): PlannedItem[] {
  const entityType = ctx.mode === "blocked" ? "blocked_time" : "appointment";
  const seen = new Set<string>();
  const taken: Busy[] = [];
  const overlaps = (list: Busy[], x: Busy, self?: string) => list.some((b) => b.startMs < x.endMs && x.startMs < b.endMs && (!self || b.id !== self));

  const items: PlannedItem[] = parsed.occurrences.map((x) => {
    const base: PlannedItem = { uid: x.uid, recurrenceId: x.recurrenceId, summary: x.summary, startMs: x.startMs, endMs: x.endMs, allDay: x.allDay, action: "create" };
    const key = importKey(x.uid, x.recurrenceId);
    const skip = (reason: SkipReason): PlannedItem => ({ ...base, action: "skip", reason });
    if (seen.has(key)) return skip("duplicate_in_file");
    seen.add(key);
    const k = ctx.known.get(key);
    if (k && k.entityType !== entityType) return skip("already_imported");
    const live = k?.current?.active ? k.current : null;
    if (x.cancelled || x.free) {
      // Cancelled or marked free at the source: the time it held here is free again.
      if (k && live) return { ...base, action: "remove", entityId: k.entityId, startMs: live.startMs, endMs: live.endMs, allDay: live.allDay, previous: { startMs: live.startMs, endMs: live.endMs }, version: live.version };
      return skip(x.cancelled ? "cancelled" : "free");
    }
    if (k && !live) return skip("already_imported");
    if (k && live) {
      // Compare the file with the file (where it put this occurrence last time); rows from before
      // that was recorded compare with the block or appointment itself.
      const was = k.last ?? live;
      const moved = was.startMs !== x.startMs || was.endMs !== x.endMs || (!k.last && live.allDay !== x.allDay);
      const relabelled = ctx.mode === "blocked" && !!ctx.labelOf && ctx.labelOf(x.summary) !== live.label;
      if (!moved && !relabelled) return skip("already_imported");
    }
    if (x.endMs <= x.startMs) return skip("zero_length");
    const change: Partial<PlannedItem> = k && live ? { action: "update", entityId: k.entityId, previous: { startMs: live.startMs, endMs: live.endMs }, version: live.version } : {};
    if (ctx.mode === "blocked") {
      if (x.endMs - x.startMs > MAX_BLOCK_MS) return skip("too_long");
      return { ...base, ...change, ...(overlaps(ctx.appointments, x) ? { overlaps: "appointment" as const } : {}) };
    }
    if (x.allDay || x.endMs - x.startMs > ctx.maxAppointmentMs) return skip("too_long");
    if (overlaps(ctx.appointments, x, change.entityId) || overlaps(ctx.blocks, x) || overlaps(taken, x)) return skip("conflict");
    taken.push(x);
    return { ...base, ...change };
  });

  const present = new Set<string>(seen);
  for (const x of parsed.outOfWindow) {
    present.add(importKey(x.uid, x.recurrenceId));
    items.push({ uid: x.uid, recurrenceId: x.recurrenceId, summary: x.summary, startMs: x.startMs, endMs: x.endMs, allDay: x.allDay, action: "skip", reason: "out_of_window" });
  }

  // Rows of earlier imports whose occurrence is no longer in the file.
  const uidsInFile = new Set([...parsed.occurrences, ...parsed.outOfWindow].map((x) => x.uid));
  const protectedUids = new Set((parsed.failed ?? []).map((f) => f.uid));
  const w = ctx.window;
  for (const [key, k] of ctx.known) {
    const cur = k.current;
    if (k.entityType !== entityType || !cur?.active || present.has(key) || protectedUids.has(k.uid)) continue;
    if (!uidsInFile.has(k.uid) && !(ctx.source && k.source === ctx.source)) continue;
    if (w && !(cur.startMs < w.toMs && cur.endMs > w.fromMs)) continue;
    items.push({
      uid: k.uid,
      recurrenceId: k.recurrenceId,
      summary: cur.label,
      startMs: cur.startMs,
      endMs: cur.endMs,
      allDay: cur.allDay,
      action: "remove",
      entityId: k.entityId,
      previous: { startMs: cur.startMs, endMs: cur.endMs },
      version: cur.version,
    });
  }
  return items;
}
