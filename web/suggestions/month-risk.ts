// The no-show risk on a month-view line (issue #21: "a badge on calendar blocks"). Month cells
// are HTML strings (web/calendar/month-cells.ts builds them for speed), so this returns HTML:
// a small visible badge for medium/high, and for every level the words in hidden text, so the
// level is part of the line's accessible name and never told by colour alone. Kept here, beside
// the other risk views, so the calendar's month module only asks "what goes after this line?".
import { riskOfAppointment } from "./risk-store";
import type { Risk } from "./suggestions-api";

const LEVEL = { low: "Low risk", medium: "Medium risk", high: "High risk" } as const;
const MARK = { low: "", medium: "?", high: "!" } as const;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The badge HTML for an appointment's month line ("" when no risk is loaded: past, closed, not yet). */
export function monthLineRisk(appointmentId: string, risk: Risk | undefined = riskOfAppointment(appointmentId)): string {
  if (!risk) return "";
  const mark = MARK[risk.level] ? `<span class="risk-badge risk-${risk.level} risk-on-line" aria-hidden="true">${MARK[risk.level]}</span>` : "";
  return `${mark}<span class="sr-only">, ${LEVEL[risk.level]} of no-show</span>`;
}

/** The line's title (mouse users): the level, probability and top three reasons. */
export function monthLineRiskTitle(appointmentId: string, risk: Risk | undefined = riskOfAppointment(appointmentId)): string {
  if (!risk) return "";
  return esc(` — ${LEVEL[risk.level]} of no-show (${Math.round(risk.probability * 100)} %)${risk.reasons.length ? `: ${risk.reasons.slice(0, 3).join(", ")}` : ""}`);
}
