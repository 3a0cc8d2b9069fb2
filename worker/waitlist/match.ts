// Which waiting patients fit a freed slot, and in what order they are asked — pure functions,
// table-tested (test/worker/waitlist/match.test.ts).
//
// An entry fits a slot when: its doctor is the slot's doctor (or "any doctor"); its appointment
// type's duration fits into the slot; the slot's clinic-local date lies in the entry's
// [earliest, latest] dates; and, if the entry has preferences, at least one of them holds for the
// whole visit (weekday and wall-clock window, in the clinic's zone — so a DST day is judged by
// the clock on the wall, as the patient means "mornings").
import { z } from "zod";
import { isoWeekday, utcToLocal } from "../scheduling/zone";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "must be a time HH:MM");

/** One preference: on these ISO weekdays (1 = Monday; empty = any day), between from and to (clinic-local). */
export const PreferenceSchema = z
  .strictObject({
    days: z.array(z.number().int().min(1).max(7)).max(7).default([]),
    from: hhmm.default("00:00"),
    to: hhmm.default("24:00"),
  })
  .refine((p) => p.from < p.to, { path: ["to"], message: "must be after from" });
export type Preference = z.infer<typeof PreferenceSchema>;
export const PreferencesSchema = z.array(PreferenceSchema).max(14);

/** The named choices the screen offers ("mornings", "afternoons", …) as preferences. */
export const PRESETS: Record<string, Preference> = {
  mornings: { days: [], from: "00:00", to: "12:00" },
  afternoons: { days: [], from: "12:00", to: "17:00" },
  evenings: { days: [], from: "17:00", to: "24:00" },
};

export function parsePreferences(json: string | null | undefined): Preference[] {
  try {
    const r = PreferencesSchema.safeParse(JSON.parse(json ?? "[]"));
    return r.success ? r.data : [];
  } catch {
    return [];
  }
}

export interface MatchEntry {
  id: string;
  doctorId: string | null;
  minutes: number;
  earliestDate: string;
  latestDate: string;
  preferences: Preference[];
  priority: number;
  createdAt: number;
}

export interface FreedSlot {
  doctorId: string;
  startMs: number;
  endMs: number;
}

/** The clinic-local wall clock at the end of a visit, as "HH:MM", or "24:00" at the next midnight; past that it cannot fit any preference. */
function endClock(zone: string, startDate: string, endMs: number): string {
  const end = utcToLocal(zone, endMs);
  if (end.date === startDate) return end.time.slice(0, 5);
  return end.time.startsWith("00:00") ? "24:00" : "99:99";
}

export function entryFits(e: MatchEntry, slot: FreedSlot, zone: string): boolean {
  if (e.doctorId !== null && e.doctorId !== slot.doctorId) return false;
  const endMs = slot.startMs + e.minutes * 60_000;
  if (!(e.minutes > 0) || endMs > slot.endMs) return false;
  const start = utcToLocal(zone, slot.startMs);
  if (start.date < e.earliestDate || start.date > e.latestDate) return false;
  if (!e.preferences.length) return true;
  const from = start.time.slice(0, 5);
  const to = endClock(zone, start.date, endMs);
  const weekday = isoWeekday(start.date);
  return e.preferences.some((p) => (!p.days.length || p.days.includes(weekday)) && from >= p.from && to <= p.to);
}

/** Who is asked first: staff priority (higher first), then who has waited longest, then id (a stable order). */
export function byWaitlistOrder(a: MatchEntry, b: MatchEntry): number {
  return b.priority - a.priority || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The fitting entries in the order they are offered the slot. */
export function rankFitting<T extends MatchEntry>(entries: T[], slot: FreedSlot, zone: string): T[] {
  return entries.filter((e) => entryFits(e, slot, zone)).sort(byWaitlistOrder);
}
