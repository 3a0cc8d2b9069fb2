// The no-show risk on a month-view line (issue #21: "a badge on calendar blocks"). Month cells
// are HTML strings (web/calendar/month-cells.ts builds them for speed), so this returns HTML:
// a small visible badge for medium/high, and for every level the words for the line's
// accessible name (its aria-label), so the level is never told by colour alone. Kept here, beside
// the other risk views, so the calendar's month module only asks "what goes after this line?".
import { riskOfAppointment } from "./risk-store";
import type { Risk } from "./suggestions-api";
import { RISK_LABEL, riskWords } from "./RiskBadge";

const MARK = { low: "", medium: "?", high: "!" } as const;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The badge HTML for an appointment's month line ("" when no risk is loaded: past, closed, not yet, or low). */
export function monthLineRisk(appointmentId: string, risk: Risk | undefined = riskOfAppointment(appointmentId)): string {
  if (!risk || !MARK[risk.level]) return "";
  return `<span class="risk-badge risk-${risk.level} risk-on-line" aria-hidden="true">${MARK[risk.level]}</span>`;
}

/**
 * What the line's name says after its visible text (", Medium risk of no-show"; "" when no risk
 * is loaded). It goes into the line's aria-label, which starts with the visible text (WCAG
 * 2.5.3): as visually hidden text after it, Chrome read "Alice Archer , Medium risk" (the hidden
 * span is absolutely positioned, so it counts as a block).
 */
export function monthLineRiskWords(appointmentId: string, risk: Risk | undefined = riskOfAppointment(appointmentId)): string {
  return risk ? riskWords(risk) : "";
}

/** The line's title (mouse users): the level, probability and top three reasons. */
export function monthLineRiskTitle(appointmentId: string, risk: Risk | undefined = riskOfAppointment(appointmentId)): string {
  if (!risk) return "";
  return esc(` — ${RISK_LABEL[risk.level]} of no-show (${Math.round(risk.probability * 100)} %)${risk.reasons.length ? `: ${risk.reasons.slice(0, 3).join(", ")}` : ""}`);
}
