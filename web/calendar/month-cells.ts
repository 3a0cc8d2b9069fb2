// Month view cells: per day, a coloured dot with a count for each status and the first few
// appointments as lines; the rest is "+N more" (click → that day).
// Why not calendar events: @event-calendar/core lays out month events by measuring each block
// in turn (a forced layout per event), which is quadratic: 2,000 events took ~20 s to draw.
// A summary per day is what the spec asks for anyway, and costs 42 cells whatever the volume.
import type { Calendar } from "@event-calendar/core";
import { STATUS_LABEL } from "../api-client/statuses";
import type { Appointment, AppointmentStatus } from "../api-client/types";
import { formatTime, toWall } from "../lib/tz";
import { monthLineRisk, monthLineRiskTitle, monthLineRiskWords } from "../suggestions/month-risk";

export const MONTH_LINES = 3;
const ORDER: AppointmentStatus[] = ["scheduled", "confirmed", "completed", "no_show", "cancelled"];

export interface DaySummary {
  counts: Partial<Record<AppointmentStatus, number>>;
  total: number;
  first: Appointment[];
}

/** Group appointments by clinic-local day (YYYY-MM-DD); keep the earliest few per day. */
export function summarize(appts: Iterable<Appointment>, tz: string, doctorIds: Set<string>): Map<string, DaySummary> {
  const out = new Map<string, DaySummary>();
  for (const a of appts) {
    if (!doctorIds.has(a.doctorId)) continue;
    const day = toWall(a.start, tz).slice(0, 10);
    let s = out.get(day);
    if (!s) out.set(day, (s = { counts: {}, total: 0, first: [] }));
    s.counts[a.status] = (s.counts[a.status] ?? 0) + 1;
    s.total++;
    // Insert into the short sorted list (at most MONTH_LINES long): O(1) per appointment.
    if (s.first.length < MONTH_LINES || a.start < s.first[s.first.length - 1].start) {
      let i = s.first.length;
      while (i > 0 && s.first[i - 1].start > a.start) i--;
      s.first.splice(i, 0, a);
      if (s.first.length > MONTH_LINES) s.first.pop();
    }
  }
  return out;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One appointment's line: its time and patient; the risk level, when loaded, in its name and as a mark. */
function lineHtml(a: Appointment, time: string): string {
  const shown = `${time} ${esc(a.patientName)}`;
  const words = monthLineRiskWords(a.id);
  return (
    `<button type="button" class="mc-line st-${a.status}" data-appointment-id="${a.id}"${words ? ` aria-label="${shown}${esc(words)}"` : ""} ` +
    `title="${esc(a.patientName)} · ${esc(a.type)} — ${STATUS_LABEL[a.status]}${monthLineRiskTitle(a.id)}">${shown}${monthLineRisk(a.id)}</button>`
  );
}
const ymdLocal = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

/**
 * `selected` (YYYY-MM-DD) switches to the phone's compact month: number and status dots only,
 * the selected day marked; its appointments are listed beneath the grid (PhoneDayList).
 */
export function dayCellContent(summary: Map<string, DaySummary>, tz: string, selected?: string) {
  return (arg: Calendar.DayCellContentArg): Calendar.Content => {
    const day = ymdLocal(arg.date);
    const s = summary.get(day);
    const num = `<span class="mc-num">${arg.date.getDate()}</span>`;
    if (selected !== undefined) {
      const dots = s ? ORDER.filter((st) => s.counts[st]).map((st) => `<span class="mc-pip st-${st}"></span>`).join("") : "";
      const label = `${arg.date.getDate()}${s ? `, ${s.total} appointment${s.total === 1 ? "" : "s"}` : ""}`;
      return { html: `<div class="mc mc-compact${day === selected ? " mc-selected" : ""}" aria-label="${label}">${num}<div class="mc-pips" aria-hidden="true">${dots}</div></div>` };
    }
    if (!s) return { html: `<div class="mc">${num}</div>` };
    const dots = ORDER.filter((st) => s.counts[st])
      .map((st) => `<span class="mc-dot st-${st}" title="${s.counts[st]} ${STATUS_LABEL[st].toLowerCase()}">${s.counts[st]}</span>`)
      .join("");
    const lines = s.first.map((a) => lineHtml(a, formatTime(a.start, tz))).join("");
    const more = s.total > s.first.length ? `<span class="mc-more">+${s.total - s.first.length} more</span>` : "";
    return {
      html: `<div class="mc" aria-label="${s.total} appointment${s.total === 1 ? "" : "s"}">${num}<div class="mc-dots">${dots}</div>${lines}${more}</div>`,
    };
  };
}
