// No-show rates as dots with their 95% interval as a line, in plain SVG. Groups with too few
// appointments are drawn grey and marked "too few", never ranked (the order is the natural
// one: weekday, hour, lead time …).
import { For } from "solid-js";
import type { Rate } from "./analytics-api";

const W = 420;
const LABEL = 150;
const ROW = 22;
const pctTxt = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(1)}%`);

export function RateChart(props: { title: string; groups: Rate[]; testId?: string }) {
  const max = () => Math.min(1, Math.max(0.1, ...props.groups.map((g) => (g.few ? 0 : (g.high ?? 0)))));
  const x = (v: number) => LABEL + ((W - LABEL - 60) * Math.min(v, max())) / max();
  return (
    <figure class="an-rates" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <svg width={W} height={props.groups.length * ROW + 18} viewBox={`0 0 ${W} ${props.groups.length * ROW + 18}`} role="img" aria-label={`${props.title}; the numbers are in the table below.`}>
        <line x1={LABEL} x2={LABEL} y1={0} y2={props.groups.length * ROW} class="an-grid" />
        <For each={props.groups}>
          {(g, i) => {
            const y = () => i() * ROW + ROW / 2;
            return (
              <g class={g.few ? "an-few" : undefined}>
                <text x={LABEL - 6} y={y() + 4} text-anchor="end" class="an-axis">
                  {g.label}
                </text>
                {g.rate !== null && g.low !== null && g.high !== null && (
                  <>
                    <line x1={x(g.low)} x2={x(g.high)} y1={y()} y2={y()} class="an-ci" />
                    <circle cx={x(g.rate)} cy={y()} r={4} class="an-dot" />
                  </>
                )}
                <text x={W - 56} y={y() + 4} class="an-axis">
                  {g.few ? `n=${g.n} (few)` : `${pctTxt(g.rate)} n=${g.n}`}
                </text>
                <title>{`${g.label}: ${pctTxt(g.rate)} (95% ${pctTxt(g.low)}–${pctTxt(g.high)}), ${g.k} of ${g.n}${g.few ? ", too few to compare" : ""}`}</title>
              </g>
            );
          }}
        </For>
        <text x={LABEL} y={props.groups.length * ROW + 14} class="an-axis">
          0%
        </text>
        <text x={W - 60} y={props.groups.length * ROW + 14} text-anchor="end" class="an-axis">
          {pctTxt(max())}
        </text>
      </svg>
    </figure>
  );
}
