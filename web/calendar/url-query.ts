// The calendar's address query, as pure functions (table-tested in test/worker/reception/):
// "?view=week&date=2026-12-07&doctors=<id>,<id>" ⇄ { view, date, doctors }. url-state.ts binds it
// to the calendar's signals and the browser history.
import type { ViewKind } from "../stores/range";

export interface CalendarQuery {
  view?: ViewKind;
  /** Clinic date YYYY-MM-DD. */
  date?: string;
  /** Doctor ids; absent = all doctors. */
  doctors?: string[];
}

const VIEWS = new Set<ViewKind>(["month", "week", "day"]);
const ID = /^[0-9a-f]{32}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.toISOString().slice(0, 10) === s;
}

/** What a query string asks for; anything malformed is left out (a bad link shows the default). */
export function parseCalendarQuery(search: string): CalendarQuery {
  const q = new URLSearchParams(search);
  const out: CalendarQuery = {};
  const v = q.get("view");
  if (v && VIEWS.has(v as ViewKind)) out.view = v as ViewKind;
  const d = q.get("date");
  if (d && validDate(d)) out.date = d;
  const ds = q.get("doctors");
  if (ds) {
    const ids = [...new Set(ds.split(",").filter((x) => ID.test(x)))].slice(0, 200);
    if (ids.length) out.doctors = ids;
  }
  return out;
}

/** The query string for a calendar state ("" when nothing is set). Doctors are kept in order given. */
export function calendarQuery(s: CalendarQuery): string {
  const q = new URLSearchParams();
  if (s.view) q.set("view", s.view);
  if (s.date) q.set("date", s.date);
  if (s.doctors?.length) q.set("doctors", s.doctors.join(","));
  const t = q.toString().replace(/%2C/g, ",");
  return t ? `?${t}` : "";
}
