// Clinic-time conversions. The calendar shows the CLINIC's wall clock, whatever zone the
// browser is in. @event-calendar/core only knows "local", "UTC" or a fixed ±HH:MM offset
// (no IANA zones, so DST would break), so we hand it floating wall-clock strings and convert
// at the edges. The zone maths is the Worker's own (worker/scheduling/zone.ts: pure Intl, no
// Worker imports), so the screen and the server resolve DST gaps and overlaps the same way.
import { resolveWall, utcToLocal, wallMsAt } from "../../worker/scheduling/zone";

/** "2026-01-05T09:00:00.000Z" → "2026-01-05T10:00:00" (wall clock in tz). */
export function toWall(iso: string | number, tz: string): string {
  const ms = typeof iso === "number" ? iso : Date.parse(iso);
  return new Date(wallMsAt(tz, ms)).toISOString().slice(0, 19);
}

/** Wall clock fields in tz → UTC ms (DST gap: moved forward; overlap: the earlier instant). */
export function wallToMs(y: number, mo: number, d: number, h: number, mi: number, tz: string): number {
  return resolveWall(tz, Date.UTC(y, mo - 1, d, h, mi)).utcMs;
}

/** A Date handed back by the calendar (local fields = clinic wall clock) → ISO UTC instant. */
export function calendarDateToIso(d: Date, tz: string): string {
  return new Date(wallToMs(d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), tz)).toISOString();
}

/** "YYYY-MM-DD" of a calendar Date (local fields). */
export function ymd(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Today's date in tz as a calendar Date (local midnight with the clinic's Y-M-D). */
export function todayIn(tz: string): Date {
  const [y, m, d] = utcToLocal(tz, Date.now()).date.split("-").map(Number);
  return new Date(y, m - 1, d);
}

export function addDays(d: Date, n: number): Date {
  const r = new Date(d);
  r.setDate(r.getDate() + n);
  return r;
}

export function formatTime(iso: string, tz: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone: tz, hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function formatDateTime(iso: string, tz: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: tz,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

/** Does [start, end) touch clinic day `day` (YYYY-MM-DD) in tz? An end at midnight belongs to the day before. */
export function rangeTouchesDay(start: string, end: string, day: string, tz: string): boolean {
  const from = toWall(start, tz).slice(0, 10);
  const to = toWall(Date.parse(end) - 1, tz).slice(0, 10);
  return from <= day && day <= to;
}
