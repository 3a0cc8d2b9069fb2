// The no-show risk badge: low / medium / high (thresholds from the clinic's own base rate, see
// worker/suggestions/model.ts riskLevel), with the probability and the top reasons as its tooltip;
// screen readers get the level in words (riskWords) in the name of what carries the badge. Used on calendar blocks (as a DOM node, riskBadgeNode),
// in the details panel and in the suggestion list.
import "./suggestions.css";
import { Show } from "solid-js";
import type { Risk } from "./suggestions-api";

export const RISK_LABEL = { low: "Low risk", medium: "Medium risk", high: "High risk" } as const;

/** The level in words, as the end of an accessible name (", Medium risk of no-show"). */
export const riskWords = (r: Pick<Risk, "level">) => `, ${RISK_LABEL[r.level]} of no-show`;

export const riskTitle = (r: Pick<Risk, "probability" | "reasons">) => `No-show risk ${Math.round(r.probability * 100)} %${r.reasons.length ? `: ${r.reasons.join(", ")}` : ""}`;

export function RiskBadge(props: { risk: Pick<Risk, "level" | "probability" | "reasons">; compact?: boolean }) {
  return (
    <span class={`risk-badge risk-${props.risk.level}`} title={riskTitle(props.risk)} data-testid="risk-badge" data-level={props.risk.level}>
      {props.compact ? props.risk.level[0].toUpperCase() : RISK_LABEL[props.risk.level]}
      <Show when={props.compact}>
        <span class="sr-only">{` ${RISK_LABEL[props.risk.level]}`}</span>
      </Show>
    </span>
  );
}

/**
 * The same badge as a plain DOM node, for the calendar's block content function (not
 * Solid-rendered): the mark for the eye only; the block's title label says the level in words
 * (riskWords), as hidden text after the mark read "? , Medium risk" in Chrome.
 */
export function riskBadgeNode(r: Pick<Risk, "level" | "probability" | "reasons">): HTMLElement {
  const el = document.createElement("span");
  el.className = `risk-badge risk-${r.level} risk-on-block`;
  el.title = riskTitle(r);
  el.dataset.testid = "risk-badge";
  el.dataset.level = r.level;
  el.textContent = r.level === "low" ? "" : r.level === "high" ? "!" : "?";
  el.setAttribute("aria-hidden", "true");
  return el;
}
