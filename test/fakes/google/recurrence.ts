// Simple recurrence, as Google expands it for singleEvents=true: RRULE FREQ=DAILY|WEEKLY
// with COUNT/UNTIL/INTERVAL, EXDATE, into instances "<id>_<YYYYMMDDTHHMMSSZ>".
import type { Calendar, StoredEvent } from "./types";

/** An instance id of a recurring event (modifying it creates an exception). */
export function instanceOf(cal: Calendar, id: string): StoredEvent | undefined {
  const m = id.match(/^(.+)_(\d{8}T\d{6}Z)$/);
  if (!m) return undefined;
  const master = cal.events.get(m[1]);
  if (!master?.data.recurrence) return undefined;
  const inst = expand(master.data, -Infinity, Infinity).find((i) => i.id === id);
  return inst ? { data: inst, seq: master.seq } : undefined;
}

/** RRULE FREQ=DAILY|WEEKLY (INTERVAL, COUNT, UNTIL) + EXDATE → instances. Capped at 730 occurrences. */
export function expand(master: Record<string, any>, fromMs: number, toMs: number): Record<string, any>[] {
  const rule = (master.recurrence as string[]).find((l) => l.startsWith("RRULE:"));
  if (!rule) return [];
  const parts = Object.fromEntries(rule.slice(6).split(";").map((kv) => kv.split("=")));
  const step = (parts.FREQ === "WEEKLY" ? 7 : 1) * 86_400_000 * Number(parts.INTERVAL ?? 1);
  const allDay = !!master.start.date;
  const s0 = Date.parse(master.start.dateTime ?? master.start.date + "T00:00:00Z");
  const dur = Date.parse(master.end.dateTime ?? master.end.date + "T00:00:00Z") - s0;
  const until = parts.UNTIL ? Date.parse(parts.UNTIL.replace(/^(\d{4})(\d{2})(\d{2})(T(\d{2})(\d{2})(\d{2})Z)?$/, (_: string, y: string, mo: string, d: string, _t: string, h = "23", mi = "59", s = "59") => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`)) : Infinity;
  const count = parts.COUNT ? Number(parts.COUNT) : 730;
  const ex = new Set(
    (master.recurrence as string[]).filter((l) => l.startsWith("EXDATE")).flatMap((l) => l.split(":")[1].split(",")),
  );
  const out: Record<string, any>[] = [];
  for (let i = 0; i < Math.min(count, 730); i++) {
    const s = s0 + i * step;
    if (s > until) break;
    const stamp = new Date(s).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    if (ex.has(stamp) || ex.has(stamp.slice(0, 8))) continue;
    if (s + dur <= fromMs || s >= toMs) continue;
    const t = (ms: number) => (allDay ? { date: new Date(ms).toISOString().slice(0, 10) } : { dateTime: new Date(ms).toISOString(), timeZone: master.start.timeZone });
    const { recurrence: _r, ...rest } = master;
    out.push({ ...rest, id: `${master.id}_${stamp}`, recurringEventId: master.id, originalStartTime: t(s), start: t(s), end: t(s + dur) });
  }
  return out;
}
