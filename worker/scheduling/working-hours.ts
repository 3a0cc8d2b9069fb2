// Working hours: JSON keyed by ISO weekday "1" (Monday) … "7" (Sunday), each a list
// of [start, end] wall-clock times in the clinic's zone, e.g.
//   { "1": [["09:00","12:30"],["13:30","17:00"]], "3": [["08:00","12:00"]] }
// "24:00" is allowed as an end (midnight at the end of the day).
import { z } from "zod";
import { type Interval, merge } from "./intervals";
import { addDays, datesBetween, isoWeekday, localToUtc } from "./zone";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "must be a time HH:MM");

/** The shape doctors' working hours must have; the doctors routes validate updates with it. */
export const workingHoursSchema = z
  .partialRecord(z.enum(["1", "2", "3", "4", "5", "6", "7"]), z.array(z.tuple([hhmm, hhmm])).max(12))
  .superRefine((wh, ctx) => {
    for (const [day, ranges] of Object.entries(wh)) {
      const sorted = [...(ranges ?? [])].sort((a, b) => a[0].localeCompare(b[0]));
      sorted.forEach(([s, e], i) => {
        if (s >= e || s === "24:00") ctx.addIssue({ code: "custom", path: [day, i], message: "start must be before end" });
        if (i > 0 && s < sorted[i - 1][1]) ctx.addIssue({ code: "custom", path: [day, i], message: "ranges overlap" });
      });
    }
  });

export type WorkingHours = Partial<Record<"1" | "2" | "3" | "4" | "5" | "6" | "7", [string, string][]>>;

// Parsed values by their stored text: a doctor's hours change rarely and every booking, free-list
// and sync check parses them (zod's check was ~0.7 ms of a booking's CPU; issue #18). Frozen,
// since callers share them; bounded, since the texts come from the database.
const parsed = new Map<string, Readonly<WorkingHours>>();
const PARSED_MAX = 500;

/** Parses stored working hours; a broken value means "no working hours" rather than a crash. The result is shared: do not mutate it. */
export function parseWorkingHours(json: string | null | undefined): WorkingHours {
  const text = json ?? "{}";
  const hit = parsed.get(text);
  if (hit) return hit as WorkingHours;
  let value: WorkingHours = {};
  try {
    const r = workingHoursSchema.safeParse(JSON.parse(text));
    if (r.success) value = r.data as WorkingHours;
  } catch {
    // not JSON: no working hours
  }
  for (const ranges of Object.values(value)) for (const range of ranges ?? []) Object.freeze(range);
  for (const ranges of Object.values(value)) Object.freeze(ranges);
  Object.freeze(value);
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(text, value);
  return value;
}

/**
 * The doctor's working time as UTC intervals for each local date from `fromDate` to `toDate`
 * (both included). Wall times in a DST gap move forward, ambiguous ones take the earlier
 * instant (see zone.ts), so a 09:00–17:00 day is 8 h except on the transition itself.
 */
export function workingIntervals(zone: string, hours: WorkingHours, fromDate: string, toDate: string): Interval[] {
  const out: Interval[] = [];
  for (const date of datesBetween(fromDate, toDate)) {
    const ranges = hours[String(isoWeekday(date)) as keyof WorkingHours] ?? [];
    for (const [s, e] of ranges) {
      const start = localToUtc(zone, date, s);
      const end = e === "24:00" ? localToUtc(zone, addDays(date, 1), "00:00") : localToUtc(zone, date, e);
      if (end > start) out.push({ start, end });
    }
  }
  return merge(out);
}
