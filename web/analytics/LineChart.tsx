// Time-series lines with uPlot (docs/analytics.md: the smallest and fastest of uPlot, Chart.js
// and Observable Plot for a year of data, and framework-free, so it sits in a Solid component
// with onMount/onCleanup). Drawn on canvas: the figure carries a summary and the table holds
// the numbers.
import { createEffect, on, onCleanup } from "solid-js";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { markFirstChart } from "./first-chart";

export interface LineSeries {
  label: string;
  values: (number | null)[];
  color: string;
  dash?: number[];
}


export function LineChart(props: {
  title: string;
  /** x values: unix seconds. */
  x: number[];
  series: LineSeries[];
  yLabel: string;
  /** Vertical markers (unix seconds) with a label, e.g. "reminders on". */
  markers?: { at: number; label: string }[];
  testId?: string;
}) {
  let host!: HTMLDivElement;
  let chart: uPlot | undefined;
  const markerPlugin = (): uPlot.Plugin => ({
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        for (const m of props.markers ?? []) {
          const px = u.valToPos(m.at, "x", true);
          ctx.save();
          ctx.strokeStyle = "#7c3aed";
          ctx.setLineDash([4, 4]);
          ctx.beginPath();
          ctx.moveTo(px, u.bbox.top);
          ctx.lineTo(px, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillStyle = "#7c3aed";
          ctx.font = `${12 * devicePixelRatio}px system-ui`;
          ctx.fillText(m.label, px + 4, u.bbox.top + 14 * devicePixelRatio);
          ctx.restore();
        }
      },
    },
  });
  createEffect(
    on(
      () => [props.x, props.series] as const,
      () => {
        chart?.destroy();
        const width = Math.max(320, Math.min(860, host.clientWidth || 860));
        chart = new uPlot(
          {
            width,
            height: 260,
            plugins: [markerPlugin()],
            scales: { x: { time: true } },
            axes: [{}, { label: props.yLabel }],
            series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, spanGaps: false, points: { show: props.x.length < 40 } }))],
          },
          [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData,
          host,
        );
        markFirstChart();
      },
    ),
  );
  onCleanup(() => chart?.destroy());
  return (
    <figure class="an-line" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <div ref={host} role="img" aria-label={`${props.title}; the numbers are in the table below.`} />
    </figure>
  );
}
