// The calendar's view, date and doctor filter live in the address ("/?view=week&date=2026-12-07&
// doctors=<id>,<id>"), so a reload, Back/Forward and a link sent to a colleague show the same
// calendar. Each change the user makes is a history entry (Back steps back through them, as in
// other calendars); applying an address never writes one back.
import { batch, createEffect, on, onCleanup } from "solid-js";
import { date, doctorFilter, setDate, setDoctorFilter, setView, view, type ViewKind } from "../stores/range";
import { path } from "../stores/route";
import { todayIn, ymd } from "../lib/tz";

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

const asDate = (d: string) => new Date(`${d}T00:00:00`);

// The last calendar address of this page load: the nav's plain "/" (back from Settings) returns
// to the calendar as it was left rather than to today's default.
let lastSearch = "";

function apply(search: string, tz: string) {
  const q = parseCalendarQuery(search || lastSearch);
  // One batch: the address effect must see the whole state, not a view with the old date.
  batch(() => {
    if (q.view) setView(q.view);
    setDate(q.date ? asDate(q.date) : todayIn(tz));
    setDoctorFilter(q.doctors ?? []);
  });
}

/**
 * Call once from the calendar page: reads the address into the view/date/filter, then keeps the
 * address following them. `tz` gives the clinic's today for an address without a date.
 */
export function bindCalendarUrl(tz: () => string) {
  apply(location.search, tz());
  const onPop = () => {
    // Back/Forward between calendar states (the path itself is handled by stores/route.ts).
    if (path() === "/" || path().startsWith("/appointments/")) apply(location.search, tz());
  };
  window.addEventListener("popstate", onPop);
  onCleanup(() => window.removeEventListener("popstate", onPop));
  let first = true;
  let sameTick = false;
  createEffect(
    on([view, () => ymd(date()), doctorFilter], ([v, d, f]) => {
      const search = calendarQuery({ view: v, date: d, doctors: f });
      const wasFirst = first;
      first = false;
      lastSearch = search;
      if (search === location.search) return;
      const url = `${location.pathname}${search}${location.hash}`;
      // The first write only spells out what is shown (no extra entry for Back to step through);
      // changes made together (a month day opening as Day view: view + date) are one entry.
      if (wasFirst || sameTick) history.replaceState(history.state, "", url);
      else {
        history.pushState(null, "", url);
        sameTick = true;
        queueMicrotask(() => (sameTick = false));
      }
    }),
  );
}
