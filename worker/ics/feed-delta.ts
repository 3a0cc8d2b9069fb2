// The doctor's feed as its hub last built it, kept in the hub's memory, so a rebuild after a
// change reads only the appointments that changed instead of the whole window (issue #18: a
// booking of a doctor with a feed re-read ~2,000 rows, and turning those D1 results into
// objects was the largest single CPU cost the booking bench profiled).
//
// Every appointment change of the doctor reaches the hub (it publishes them: bookings, moves,
// sync results, imports), which hands the changed ids to the next build. The merged list is in
// the order a full read gives — start time, then rowid (the index's tie order) — so a delta
// build and a full build of the same data are the same bytes (test/worker/ics/feed-delta.test.ts).
// A full read is still made when the hub has no snapshot (woken after eviction), the shape
// changed (a new day, a rename, another privacy), a build failed, and at least every
// FULL_EVERY_MS, which bounds how long a change written without the hub could stay unseen.
import type { IcsAppointment } from "./render";

/** One event of the feed and where a full read would place it. */
export interface FeedEntry {
  a: IcsAppointment;
  /** appointments.rowid: the tie order of equal start times in the doctor's start index. */
  rid: number;
}

export const FULL_EVERY_MS = 10 * 60_000;

export interface FeedSnapshot {
  /** feedShape of the build (day, window, privacy, names, clinic fields, format). */
  shape: string;
  clinicId: string;
  fromMs: number;
  toMs: number;
  /** When the entries were last read in full. */
  fullAt: number;
  entries: FeedEntry[];
}

const byPosition = (x: FeedEntry, y: FeedEntry) => x.a.startMs - y.a.startMs || x.rid - y.rid;

/**
 * The snapshot's entries with the changed appointments replaced by what was read of them now:
 * `rows` are those of `changed` still in this doctor's window (a changed id without a row was
 * deleted, moved to another doctor or out of the window, and leaves the feed). Pure.
 */
export function mergeChanged(entries: readonly FeedEntry[], changed: ReadonlySet<string>, rows: readonly FeedEntry[]): FeedEntry[] {
  const kept = entries.filter((e) => !changed.has(e.a.id));
  const added = rows.filter((r) => changed.has(r.a.id)).sort(byPosition);
  // Both lists are sorted: merge them.
  const out: FeedEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < kept.length || j < added.length) {
    if (j >= added.length || (i < kept.length && byPosition(kept[i], added[j]) <= 0)) out.push(kept[i++]);
    else out.push(added[j++]);
  }
  return out;
}

/** True when a build may start from `snapshot` instead of a full read. */
export function snapshotUsable(snapshot: FeedSnapshot | null, shape: string, nowMs: number): snapshot is FeedSnapshot {
  return snapshot != null && snapshot.shape === shape && nowMs - snapshot.fullAt < FULL_EVERY_MS;
}
