// How one calendar block looks: its content (time, doctor tag, patient · type, hidden status
// and doctor for screen readers, the cancelled marker's tag), the time format the calendar uses,
// and whether an event already looks like a given input (to skip needless redraws).
import type { Calendar } from "@event-calendar/core";
import { ymd } from "../lib/tz";
import { riskBadgeNode, riskWords } from "../suggestions/RiskBadge";
import type { Risk } from "../suggestions/suggestions-api";

export const wallOf = (d: Date) => `${ymd(d)}T${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}:${String(d.getSeconds()).padStart(2, "0")}`;

/** "HH:MM" or "HH:MM–HH:MM" of the calendar's wall-clock dates, without Intl (see options). */
const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
export function formatTimeRange(start: Date, end?: Date | null): string {
  return end ? `${hhmm(start)}–${hhmm(end)}` : hhmm(start);
}

/**
 * A block's content: the same markup as the calendar's default (time + title), built by us.
 * Why: with its default content the calendar rebuilds every block's DOM whenever any event
 * changes (a drop re-lays out the whole grid); with a content function its content is
 * memoised on the event and its time text, so after a drop only the moved block is rebuilt.
 */
export function blockContent(info: Calendar.EventContentInfo): Calendar.Content {
  const ev = info.event;
  const props = ev.extendedProps as { kind?: string; status?: string; initials?: string; doctorName?: string; statusLabel?: string };
  if (ev.display === "background" && props.status === "cancelled") {
    // The cancelled marker: a small struck-through tag that opens the details (see eventDidMount).
    const tag = document.createElement("span");
    tag.className = "cx-tag";
    tag.textContent = String(ev.title ?? "");
    return { domNodes: [tag] };
  }
  if (ev.display === "background" && props.kind === "blocked") {
    // Blocked time says why on the grid itself (a day off's "Holiday", "Lunch"), not only in its
    // aria-label: the receptionist sees why a column is closed.
    const label = document.createElement("span");
    label.className = "bg-label";
    label.setAttribute("aria-hidden", "true"); // the block's aria-label already says it
    label.textContent = String((ev.extendedProps as { label?: string }).label ?? ev.title ?? "");
    return { domNodes: [label] };
  }
  if (ev.display === "background") return { domNodes: [] };
  const time = document.createElement("time");
  time.className = "ec-event-time";
  time.textContent = String(info.timeText ?? "");
  const title = document.createElement("h4");
  title.className = "ec-event-title";
  title.textContent = String(ev.title ?? "");
  // For screen readers the block's name is its visible text (time, patient, type) plus status and
  // doctor. They are in the title's aria-label, which starts with the visible title (WCAG 2.5.3:
  // the name contains what is seen) and is built here, with the content, so every redraw keeps
  // them in step. Not a visually hidden span after the title: it is absolutely positioned, so
  // Chrome counts it as a block and reads "consultation , Scheduled".
  // No-show risk (issue #21), when loaded for this upcoming appointment: its mark is for the eye.
  const risk = (props as { risk?: Risk }).risk;
  const spoken = `${props.statusLabel ? `, ${props.statusLabel}` : ""}${props.doctorName ? `, ${props.doctorName}` : ""}${risk ? riskWords(risk) : ""}`;
  title.setAttribute("aria-label", `${title.textContent}${spoken}`);
  if (props.initials) {
    // Which doctor (shown in combined views only, by CSS): initials, with the colour as a stripe.
    const tag = document.createElement("span");
    tag.className = "doc-tag";
    tag.textContent = props.initials;
    tag.setAttribute("aria-hidden", "true");
    title.insertBefore(tag, title.firstChild);
  }
  if (info.view.type.startsWith("list")) {
    // The phone agenda has no status colours: show the status as a visible badge there (the
    // title's label says it too; the badge is for the eye).
    const extra = document.createElement("span");
    extra.className = `list-status badge st-${props.status ?? ""}`;
    extra.textContent = props.statusLabel ?? "";
    extra.setAttribute("aria-hidden", "true");
    return { domNodes: risk ? [time, title, extra, riskBadgeNode(risk)] : [time, title, extra] };
  }
  return { domNodes: risk ? [time, title, riskBadgeNode(risk)] : [time, title] };
}

/** Whether the calendar's event already looks exactly like `input` (times, column, text, colour, editability). */
export function sameAsShown(cur: Calendar.Event, input: Calendar.EventInput): boolean {
  const ids = (x: unknown) => (Array.isArray(x) ? x.map(String) : x == null ? [] : [String(x)]).join(",");
  const cls = (x: unknown) => (Array.isArray(x) ? x.join(" ") : String(x ?? ""));
  return (
    wallOf(cur.start) === input.start &&
    wallOf(cur.end) === input.end &&
    ids(cur.resourceIds) === ids(input.resourceIds) &&
    String(cur.title) === String(input.title) &&
    cls(cur.classNames) === cls(input.classNames) &&
    cur.editable === input.editable
  );
}
