// Weekday × hour heatmap in plain SVG (a grid of rects needs no chart library): one for the
// appointments booked, one beside it for the free slots left, same grid, so demand above
// supply shows as a dark cell next to a pale one.
import { For, onMount } from "solid-js";
import { markFirstChart } from "./first-chart";

export interface HeatCell {
  weekday: number;
  hour: number;
  value: number;
}

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const CW = 30;
const CH = 24;
const LEFT = 36;
const TOP = 18;

export function Heatmap(props: { cells: HeatCell[]; hours: number[]; days: number[]; label: string; color: string; testId: string }) {
  onMount(markFirstChart);
  const max = () => Math.max(1, ...props.cells.map((c) => c.value));
  const value = (d: number, h: number) => props.cells.find((c) => c.weekday === d && c.hour === h)?.value ?? 0;
  const width = () => LEFT + props.hours.length * CW + 2;
  const height = () => TOP + props.days.length * CH + 2;
  return (
    <figure class="an-heat" data-testid={props.testId}>
      <figcaption>{props.label}</figcaption>
      <svg width={width()} height={height()} viewBox={`0 0 ${width()} ${height()}`} role="img" aria-label={`${props.label}: heatmap by weekday and hour; the numbers are in the table below.`}>
        <For each={props.hours}>
          {(h, i) => (
            <text x={LEFT + i() * CW + CW / 2} y={12} text-anchor="middle" class="an-axis">
              {String(h).padStart(2, "0")}
            </text>
          )}
        </For>
        <For each={props.days}>
          {(d, r) => (
            <>
              <text x={0} y={TOP + r() * CH + CH / 2 + 4} class="an-axis">
                {DAYS[d - 1]}
              </text>
              <For each={props.hours}>
                {(h, i) => {
                  const v = () => value(d, h);
                  return (
                    <g>
                      <rect x={LEFT + i() * CW} y={TOP + r() * CH} width={CW - 2} height={CH - 2} rx={3} fill={props.color} fill-opacity={v() ? 0.12 + (0.88 * v()) / max() : 0.04}>
                        <title>{`${DAYS[d - 1]} ${String(h).padStart(2, "0")}:00 — ${v()}`}</title>
                      </rect>
                      <text x={LEFT + i() * CW + (CW - 2) / 2} y={TOP + r() * CH + CH / 2 + 3} text-anchor="middle" class={v() / max() > 0.55 ? "an-cell an-cell-dark" : "an-cell"}>
                        {v() || ""}
                      </text>
                    </g>
                  );
                }}
              </For>
            </>
          )}
        </For>
      </svg>
    </figure>
  );
}
