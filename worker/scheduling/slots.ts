// Free slots: working time minus busy time, cut into slotMinutes pieces on a grid that
// starts at each working period's start (09:00, 09:30, …), so a short booking does not
// shift every later slot off the grid the patient expects. `stepMinutes` (default: the slot
// length) lets a longer booking start on every grid step (a 60-minute visit at 9:00, 9:30, …).
import { type Interval, merge, overlaps } from "./intervals";

export function freeSlots(working: Interval[], busy: Interval[], slotMinutes: number, notBefore = -Infinity, stepMinutes = slotMinutes): Interval[] {
  const len = slotMinutes * 60_000;
  const step = stepMinutes * 60_000;
  if (!(len > 0) || !(step > 0)) return [];
  const b = merge(busy);
  const out: Interval[] = [];
  let j = 0;
  for (const w of merge(working)) {
    for (let s = w.start; s + len <= w.end; s += step) {
      const slot = { start: s, end: s + len };
      if (slot.start < notBefore) continue;
      while (j < b.length && b[j].end <= slot.start) j++;
      let clash = false;
      for (let k = j; k < b.length && b[k].start < slot.end; k++) if (overlaps(b[k], slot)) clash = true;
      if (!clash) out.push(slot);
    }
  }
  return out;
}

/**
 * Starts where a visit of `durationMs` fits wholly in free time, from freeSlots' grid slots:
 * consecutive free slots are joined, so a 60-minute visit needs two free 30-minute slots in a
 * row. The booking dialog's list (web/booking/FreeSlots.tsx startsFitting) calls this too, so
 * every start offered here is one the dialog can pick.
 */
export function fittingStarts(gridSlots: Interval[], durationMs: number): Interval[] {
  const out: Interval[] = [];
  for (let i = 0; i < gridSlots.length; i++) {
    const s = gridSlots[i].start;
    let end = gridSlots[i].end;
    for (let j = i + 1; end < s + durationMs && j < gridSlots.length && gridSlots[j].start === end; j++) end = gridSlots[j].end;
    if (end >= s + durationMs) out.push({ start: s, end: s + durationMs });
  }
  return out;
}
