// Half-open UTC intervals [start, end) in epoch ms, and the set operations slot maths needs.
export interface Interval {
  start: number;
  end: number;
}

export const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

/** Sorted, non-overlapping, touching intervals joined; empty ones dropped. */
export function merge(list: Interval[]): Interval[] {
  const sorted = list.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/** `base` minus every interval in `cuts`. */
export function subtract(base: Interval[], cuts: Interval[]): Interval[] {
  const b = merge(base);
  const c = merge(cuts);
  const out: Interval[] = [];
  let j = 0;
  for (const iv of b) {
    let cur = iv.start;
    while (j < c.length && c[j].end <= cur) j++;
    let k = j;
    while (k < c.length && c[k].start < iv.end) {
      if (c[k].start > cur) out.push({ start: cur, end: c[k].start });
      cur = Math.max(cur, c[k].end);
      k++;
    }
    if (cur < iv.end) out.push({ start: cur, end: iv.end });
  }
  return out;
}

/** True when [start, end) lies entirely inside one interval of the (merged) list. */
export function containedIn(list: Interval[], start: number, end: number): boolean {
  return merge(list).some((i) => i.start <= start && end <= i.end);
}
