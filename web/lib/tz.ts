// Clinic-time conversions. The calendar shows the CLINIC's wall clock, whatever zone the
// browser is in. @event-calendar/core only knows "local", "UTC" or a fixed ±HH:MM offset
// (no IANA zones, so DST would break), so we hand it floating wall-clock strings and convert
// at the edges with Intl (no date library is installed; Intl covers it in a few lines).

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function parts(tz: string, ms: number) {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    fmtCache.set(tz, f);
  }
  const o: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) o[p.type] = p.value;
  return o;
}

/** Offset of tz from UTC at instant ms, in ms (positive east of Greenwich). */
function offsetAt(tz: string, ms: number): number {
  const p = parts(tz, ms);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** "2026-01-05T09:00:00.000Z" → "2026-01-05T10:00:00" (wall clock in tz). */
export function toWall(iso: string | number, tz: string): string {
  const ms = typeof iso === "number" ? iso : Date.parse(iso);
  const p = parts(tz, ms);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/** Wall clock fields in tz → UTC ms. Two passes settle the offset across DST changes. */
export function wallToMs(y: number, mo: number, d: number, h: number, mi: number, tz: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let ms = guess - offsetAt(tz, guess);
  ms = guess - offsetAt(tz, ms);
  return ms;
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
  const p = parts(tz, Date.now());
  return new Date(+p.year, +p.month - 1, +p.day);
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
