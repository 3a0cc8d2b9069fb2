// Busiest times: booked appointments per weekday × hour (clinic zone) beside the bookable
// slots the doctors' working hours offered in the same cells, so demand above supply shows.
import { parseWorkingHours, type WorkingHours } from "../scheduling/working-hours";
import { datesBetween, isoWeekday } from "../scheduling/zone";
import { datesOf, type Period } from "./period";
import { doctorsOf, heatCells, type DoctorRow } from "./read";
import type { Scope } from "./scope";
import type { Table } from "./tables";

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const hh = (h: number) => `${String(h).padStart(2, "0")}:00`;
export const cellName = (weekday: number, hour: number) => `${WEEKDAYS[weekday - 1]} ${hh(hour)}–${hh(hour + 1)}`;

const toMin = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/**
 * Slots offered per weekday × hour over the period: each doctor's working hours cut into
 * slot-length steps (a slot counts in the hour it starts), times the number of such weekdays
 * in the period. Key `${weekday}:${hour}`. Time off and external busy time are not taken off
 * here (utilization shows them apart).
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

export interface BusiestCell {
  weekday: number;
  hour: number;
  booked: number;
  previousBooked: number;
  slots: number;
  free: number;
}

export async function busiest(d1: D1Database, scope: Scope) {
  const [cells, doctors] = await Promise.all([heatCells(d1, scope, true), doctorsOf(d1, scope)]);
  const cap = capacityByCell(doctors, scope.period);
  const map = new Map<string, BusiestCell>();
  const cell = (weekday: number, hour: number) => {
    const key = `${weekday}:${hour}`;
    let c = map.get(key);
    if (!c) map.set(key, (c = { weekday, hour, booked: 0, previousBooked: 0, slots: cap.get(key) ?? 0, free: 0 }));
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
    columns: ["Weekday", "Hour", "Booked", "Booked (previous period)", "Slots offered", "Free slots"],
    rows: list.map((c) => [WEEKDAYS[c.weekday - 1], hh(c.hour), c.booked, c.previousBooked, c.slots, c.free]),
  };
  return {
    cells: list,
    busiest: byBooked.slice(0, 3).map(words),
    emptiest: emptiest.slice(0, 3).map(words),
    totals: { booked: list.reduce((a, c) => a + c.booked, 0), previousBooked: list.reduce((a, c) => a + c.previousBooked, 0), slots: open.reduce((a, c) => a + c.slots, 0) },
    tables: [table],
  };
}
