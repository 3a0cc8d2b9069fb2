// What the calendar is looking at: view kind, anchor date, which doctors, side-by-side.
// The default view follows the screen: phone → day, tablet → week, desktop → month.
import { createSignal } from "solid-js";

export type ViewKind = "month" | "week" | "day";

export const PHONE_MAX = 767;
export const TABLET_MAX = 1199;

export function defaultViewFor(width: number): ViewKind {
  return width <= PHONE_MAX ? "day" : width <= TABLET_MAX ? "week" : "month";
}

const [isPhone, setIsPhone] = createSignal(typeof window !== "undefined" && window.innerWidth <= PHONE_MAX);
if (typeof window !== "undefined") {
  const mq = window.matchMedia(`(max-width: ${PHONE_MAX}px)`);
  mq.addEventListener("change", () => setIsPhone(mq.matches));
}
export { isPhone };

const [view, setView] = createSignal<ViewKind>(defaultViewFor(typeof window !== "undefined" ? window.innerWidth : 1280));
/** Anchor date as a calendar Date (local fields = clinic wall clock). */
const [date, setDate] = createSignal<Date>(new Date());
/** Doctors shown; empty = all. */
const [doctorFilter, setDoctorFilter] = createSignal<string[]>([]);
/** Week/day as one column per doctor (resource columns). */
const [sideBySide, setSideBySide] = createSignal(true);
/** The range the calendar currently shows, as reported by the calendar (local Dates). */
const [visible, setVisible] = createSignal<{ start: Date; end: Date } | null>(null);

/** Show Saturday/Sunday even when nobody works then (hidden by default; remembered per browser). */
const [showWeekends, setShowWeekendsSignal] = createSignal(typeof localStorage !== "undefined" && localStorage.getItem("acms.showWeekends") === "1");
function setShowWeekends(v: boolean) {
  setShowWeekendsSignal(v);
  try {
    localStorage.setItem("acms.showWeekends", v ? "1" : "0");
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}

export { view, setView, date, setDate, doctorFilter, setDoctorFilter, sideBySide, setSideBySide, visible, setVisible, showWeekends, setShowWeekends };

/** @event-calendar/core view name for our view kind. */
export function ecView(kind: ViewKind, resources: boolean, phone = false): string {
  if (kind === "month") return "dayGridMonth";
  // A phone's week is an agenda (list grouped by day), not 7 × doctors slivers.
  if (kind === "week" && phone) return "listWeek";
  if (kind === "week") return resources ? "resourceTimeGridWeek" : "timeGridWeek";
  return resources ? "resourceTimeGridDay" : "timeGridDay";
}
