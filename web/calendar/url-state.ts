// The calendar's view, date and doctor filter live in the address ("/?view=week&date=2026-12-07&
// doctors=<id>,<id>"), so a reload, Back/Forward and a link sent to a colleague show the same
// calendar. Each change the user makes is a history entry (Back steps back through them, as in
// other calendars); applying an address never writes one back.
import { batch, createEffect, on, onCleanup } from "solid-js";
import { date, doctorFilter, setDate, setDoctorFilter, setView, view } from "../stores/range";
import { path } from "../stores/route";
import { todayIn, ymd } from "../lib/tz";
import { calendarQuery, parseCalendarQuery } from "./url-query";

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
