// Which charting library for the Analytics page (docs/analytics.md): uPlot, Chart.js and
// Observable Plot, each drawing the same line chart — a year of daily values in two series plus
// a target line — measured for bundle size (esbuild, minified, gzip) and first render time in
// headless Chromium (median of 15 fresh renders).
// Not part of `npm run bench` (it installs the three libraries into a scratch directory):
//   node bench/chart-libs.mjs
import { execSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import os from "node:os";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const dir = path.join(os.tmpdir(), "acms-chart-libs");
mkdirSync(dir, { recursive: true });
execSync("npm init -y >/dev/null && npm install --no-audit --no-fund uplot@1.6.32 chart.js@4.6.1 @observablehq/plot@0.6.17", { cwd: dir, stdio: "inherit" });

const data = `const DAY = 86400000, t0 = Date.UTC(2026, 0, 1);
const xs = Array.from({ length: 365 }, (_, i) => t0 + i * DAY);
const a = xs.map((_, i) => 800 + 400 * Math.sin(i / 9) + (i % 7) * 60);
const b = xs.map((_, i) => 2500 + 1500 * Math.cos(i / 13) + (i % 5) * 120);
export function draw(el) {`;
const entries = {
  uplot: `import uPlot from "uplot"; ${data}
  new uPlot({ width: 800, height: 300, series: [{}, { label: "p50", stroke: "#1d4ed8" }, { label: "p95", stroke: "#b45309" }, { label: "target", stroke: "#a21c1c", dash: [6, 4] }] },
    [xs.map((x) => x / 1000), a, b, xs.map(() => 5000)], el); }`,
  chartjs: `import { Chart, LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend } from "chart.js";
  Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend); ${data}
  const c = document.createElement("canvas"); c.width = 800; c.height = 300; el.append(c);
  new Chart(c, { type: "line", options: { animation: false, responsive: false, parsing: false, normalized: true, elements: { point: { radius: 0 } }, scales: { x: { type: "linear" } } },
    data: { datasets: [{ label: "p50", data: xs.map((x, i) => ({ x, y: a[i] })) }, { label: "p95", data: xs.map((x, i) => ({ x, y: b[i] })) }, { label: "target", data: xs.map((x) => ({ x, y: 5000 })) }] } }); }`,
  plot: `import * as Plot from "@observablehq/plot"; ${data}
  const rows = xs.flatMap((x, i) => [{ x: new Date(x), y: a[i], s: "p50" }, { x: new Date(x), y: b[i], s: "p95" }]);
  el.append(Plot.plot({ width: 800, height: 300, marks: [Plot.lineY(rows, { x: "x", y: "y", stroke: "s" }), Plot.ruleY([5000], { stroke: "#a21c1c", strokeDasharray: "6,4" })] })); }`,
};

const results = {};
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
for (const [name, src] of Object.entries(entries)) {
  writeFileSync(path.join(dir, `${name}.js`), src + "\nwindow.draw = draw;\n");
  const out = path.join(dir, `${name}.bundle.js`);
  await build({ entryPoints: [path.join(dir, `${name}.js`)], bundle: true, minify: true, format: "iife", outfile: out, absWorkingDir: dir, logLevel: "silent" });
  const js = readFileSync(out);
  const css = name === "uplot" ? readFileSync(path.join(dir, "node_modules/uplot/dist/uPlot.min.css"), "utf8") : "";
  const page = await browser.newPage();
  await page.setContent(`<style>${css}</style><div id="c"></div>`);
  await page.addScriptTag({ content: js.toString() });
  const times = await page.evaluate(() => {
    const out = [];
    for (let i = 0; i < 15; i++) {
      const el = document.getElementById("c");
      el.replaceChildren();
      const t = performance.now();
      window.draw(el);
      el.getBoundingClientRect(); // force layout
      out.push(performance.now() - t);
    }
    return out.sort((x, y) => x - y);
  });
  await page.close();
  results[name] = { minKB: +(js.length / 1024).toFixed(1), gzipKB: +(gzipSync(js).length / 1024).toFixed(1), firstMs: +times[times.length - 1].toFixed(1), medianMs: +times[7].toFixed(1) };
}
await browser.close();
console.table(results);
