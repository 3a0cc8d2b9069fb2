// Accessibility fixes applied to @event-calendar/core's markup after it renders — in our wrapper,
// not a patched copy of the library (its DOM is redrawn freely; EventCalendar.tsx re-runs this on
// every child-list change, and it only sets attributes, so it cannot loop).
//
// What axe-core found (critical, WCAG 1.3.1): the library labels its root role="table" and some
// parts role="row"/"rowgroup"/"cell"/"columnheader", but the month body has cells with no row and
// the time grid mixes rows with non-row children (the hour sidebar, the event layer). A table whose
// structure is wrong is worse for a screen reader than none, and the grid's cells carry nothing a
// user acts on: what matters are the appointment buttons (each named with its time, patient,
// status and doctor in CalendarPage's eventDidMount), the day names and our month-cell labels.
// So the broken table roles are turned into plain groups, and the day headers keep their text.
// The list view (phone agenda) has the same problem with role="list" around non-items.
const TABLE_ROLES = ["table", "row", "rowgroup", "cell", "columnheader", "gridcell", "list", "listitem"];
const SPANS = ["aria-colindex", "aria-rowindex", "aria-colspan", "aria-rowspan", "aria-colcount", "aria-rowcount"];

export function fixCalendarA11y(host: HTMLElement) {
  for (const el of host.querySelectorAll<HTMLElement>("[role]")) {
    const role = el.getAttribute("role")!;
    if (!TABLE_ROLES.includes(role)) continue;
    // The root table becomes a labelled group; the rest no longer claims table structure.
    if (el.classList.contains("ec")) el.setAttribute("role", "group");
    else el.removeAttribute("role");
  }
  for (const a of SPANS) for (const el of host.querySelectorAll(`[${a}]`)) el.removeAttribute(a);
  const root = host.querySelector<HTMLElement>(".ec");
  if (root && !root.hasAttribute("aria-label")) root.setAttribute("aria-label", "Calendar grid");
  keyboardScrollable(host);
}

/**
 * A scrolling area must be reachable by keyboard (axe scrollable-region-focusable, WCAG 2.1.1):
 * an empty week's time grid scrolls but holds nothing focusable, so keyboard users could not scroll
 * it. Such an area gets tabindex=0 and a name; once it holds appointments (each focusable) it goes
 * back to being no tab stop of its own. No layout is read (this runs on every redraw, drags
 * included): an area without anything focusable is simply made focusable.
 */
export function keyboardScrollable(host: HTMLElement, selector = ".ec-main", label = "Calendar times") {
  for (const el of host.querySelectorAll<HTMLElement>(selector)) {
    const hasStop = !!el.querySelector('[tabindex="0"], button, a[href], input, select, textarea');
    const ours = el.dataset.kbdScroll === "1";
    if (!hasStop && !ours) {
      el.dataset.kbdScroll = "1";
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", label);
    } else if (hasStop && ours) {
      delete el.dataset.kbdScroll;
      for (const a of ["tabindex", "role", "aria-label"]) el.removeAttribute(a);
    }
  }
}
