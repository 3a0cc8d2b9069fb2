// Busiest times: booked appointments per weekday × hour (clinic zone) beside the bookable
// slots the doctors' working hours offered in the same cells, less the slots their time off or
// the busy time from their own calendars covers, so demand above supply shows.
import { type Interval, merge, overlaps } from "../scheduling/intervals";
import { parseWorkingHours, type WorkingHours } from "../scheduling/working-hours";
import { addDays, datesBetween, isoWeekday, localToUtc, utcToLocal } from "../scheduling/zone";
import { datesOf, type Period } from "./period";
import { blocksOf, doctorsOf, heatCells, type BlockRow, type DoctorRow } from "./read";
import type { Scope } from "./scope";
import type { Table } from "./tables";

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const hh = (h: number) => `${String(h).padStart(2, "0")}:00`;
export const cellName = (weekday: number, hour: number) => `${WEEKDAYS[weekday - 1]} ${hh(hour)}–${hh(hour + 1)}`;

const toMin = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/**
 * Slots offered per weekday × hour over the period: each doctor's working hours cut into
 * slot-length steps (a slot counts in the hour it starts), times the number of such weekdays
 * in the period. Key `${weekday}:${hour}`. Blocked time is taken off by blockedByCell.
 */
export function capacityByCell(doctors: Pick<DoctorRow, "working_hours" | "slot_minutes">[], period: Period): Map<string, number> {
  const { first, last } = datesOf(period);
  const weekdayCount = new Map<number, number>();
  for (const d of datesBetween(first, last)) weekdayCount.set(isoWeekday(d), (weekdayCount.get(isoWeekday(d)) ?? 0) + 1);
  const cap = new Map<string, number>();
  for (const doc of doctors) {
    const hours = parseWorkingHours(doc.working_hours);
    const step = Math.max(5, doc.slot_minutes || 30);
    for (const [day, spans] of Object.entries(hours) as [keyof WorkingHours, [string, string][]][]) {
      const times = weekdayCount.get(Number(day)) ?? 0;
      for (const [s, e] of spans ?? []) {
        for (let t = toMin(s); t + step <= toMin(e); t += step) {
          const key = `${day}:${Math.floor(t / 60)}`;
          cap.set(key, (cap.get(key) ?? 0) + times);
        }
      }
    }
  }
  return cap;
}

const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;

/**
 * Slots of capacityByCell that blocked time covers (any overlap: a slot half taken by time off
 * or a busy event cannot be booked), per weekday × hour. Only the dates a block touches are
 * walked, so a year with a few blocks costs a few days of slots, not 365 × doctors. Slot starts
 * are clinic wall times resolved with the zone's rules (DST days included).
 */
export function blockedByCell(
  zone: string,
  doctors: Pick<DoctorRow, "id" | "working_hours" | "slot_minutes">[],
  blocks: Pick<BlockRow, "doctor_id" | "start_ms" | "end_ms">[],
  fromMs: number,
  toMs: number,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const doc of doctors) {
    const spans: Interval[] = merge(
      blocks.filter((b) => b.doctor_id === doc.id && b.end_ms > fromMs && b.start_ms < toMs).map((b) => ({ start: Math.max(b.start_ms, fromMs), end: Math.min(b.end_ms, toMs) })),
    );
    if (!spans.length) continue;
    const hours = parseWorkingHours(doc.working_hours);
    const step = Math.max(5, doc.slot_minutes || 30);
    const dates = new Set<string>();
    // A day before each span too: a slot starting late the day before may reach into it.
    for (const sp of spans) for (const d of datesBetween(addDays(utcToLocal(zone, sp.start).date, -1), utcToLocal(zone, sp.end - 1).date)) dates.add(d);
    for (const date of dates) {
      const day = String(isoWeekday(date)) as keyof WorkingHours;
      for (const [s, e] of hours[day] ?? []) {
        for (let t = toMin(s); t + step <= toMin(e); t += step) {
          const start = localToUtc(zone, date, hhmm(t));
          const slot = { start, end: start + step * 60_000 };
          if (start < fromMs || start >= toMs || !spans.some((sp) => overlaps(sp, slot))) continue;
          const key = `${day}:${Math.floor(t / 60)}`;
          out.set(key, (out.get(key) ?? 0) + 1);
        }
      }
    }
  }
  return out;
}

export interface BusiestCell {
  weekday: number;
  hour: number;
  booked: number;
  previousBooked: number;
  /** Slots the working hours offer in the period, less those blocked. */
  slots: number;
  /** Slots covered by time off or busy time from the doctors' own calendars. */
  blocked: number;
  free: number;
}

export async function busiest(d1: D1Database, scope: Scope, zone: string, fromMs: number, toMs: number) {
  const [cells, doctors] = await Promise.all([heatCells(d1, scope, true), doctorsOf(d1, scope)]);
  const offered = capacityByCell(doctors, scope.period);
  const blockedCells = blockedByCell(zone, doctors, await blocksOf(d1, doctors.map((d) => d.id), fromMs, toMs), fromMs, toMs);
  const cap = new Map([...offered].map(([k, n]) => [k, Math.max(0, n - (blockedCells.get(k) ?? 0))]));
  const map = new Map<string, BusiestCell>();
  const cell = (weekday: number, hour: number) => {
    const key = `${weekday}:${hour}`;
    let c = map.get(key);
    if (!c) map.set(key, (c = { weekday, hour, booked: 0, previousBooked: 0, slots: cap.get(key) ?? 0, blocked: Math.min(offered.get(key) ?? 0, blockedCells.get(key) ?? 0), free: 0 }));
    return c;
  };
  for (const key of cap.keys()) cell(Number(key.split(":")[0]), Number(key.split(":")[1]));
  for (const r of cells) {
    const c = cell(r.weekday, r.hour);
    if (r.cur) c.booked += r.booked;
    else c.previousBooked += r.booked;
  }
  const list = [...map.values()].sort((a, b) => a.weekday - b.weekday || a.hour - b.hour);
  for (const c of list) c.free = Math.max(0, c.slots - c.booked);
  const open = list.filter((c) => c.slots > 0);
  const byBooked = [...list].filter((c) => c.booked > 0).sort((a, b) => b.booked - a.booked || a.weekday - b.weekday || a.hour - b.hour);
  const emptiest = [...open].sort((a, b) => a.booked - b.booked || b.free - a.free || a.weekday - b.weekday || a.hour - b.hour);
  const words = (c: BusiestCell) => ({ ...c, name: cellName(c.weekday, c.hour) });
  const table: Table = {
    id: "busiest",
    title: "Booked appointments and free slots by weekday and hour",
    columns: ["Weekday", "Hour", "Booked", "Booked (previous period)", "Slots offered", "Blocked (time off, busy)", "Free slots"],
    rows: list.map((c) => [WEEKDAYS[c.weekday - 1], hh(c.hour), c.booked, c.previousBooked, c.slots, c.blocked, c.free]),
  };
  return {
    cells: list,
    busiest: byBooked.slice(0, 3).map(words),
    emptiest: emptiest.slice(0, 3).map(words),
    totals: { booked: list.reduce((a, c) => a + c.booked, 0), previousBooked: list.reduce((a, c) => a + c.previousBooked, 0), slots: open.reduce((a, c) => a + c.slots, 0) },
    tables: [table],
  };
}
