// The calendar's "now" line and "today" highlight, in the CLINIC's clock. @event-calendar/core
// takes both from the browser's clock (its `timeZone` is "local" or a fixed offset: no IANA zones),
// while the grid shows clinic wall time (lib/tz.ts): a London clinic seen from New York had its
// now line at 09:00 at 14:00 BST, and a Sydney clinic seen from London highlighted Monday on
// Tuesday morning. So the library's own are switched off (nowIndicator: false, an inert "today"
// class via `clinicTheme`) and drawn here from the clinic's wall clock, which follows its DST.
import type { Calendar } from "@event-calendar/core";
import { createEffect, on, onCleanup } from "solid-js";
import { toWall } from "../lib/tz";
import "./clinic-now.css";

/** The library's theme with its browser-clock "today" class renamed to one nothing styles. */
export const clinicTheme = (t: Calendar.Theme): Calendar.Theme => ({ ...t, today: "ec-browser-today" });

export interface NowParams {
  tz: string;
  /** The first shown day (YYYY-MM-DD): a side-by-side day view has no dated column heads. */
  day: string;
  slotMinTime: string;
  slotMaxTime: string;
  slotMinutes: number;
  slotHeight: number;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const MARK = "data-clinic-today";

function mark(el: Element, on: boolean) {
  // Only when it differs: the page watches the calendar's DOM and this must not feed back.
  if (el.hasAttribute(MARK) !== on) el.toggleAttribute(MARK, on);
}

/** Marks the clinic's today (column heads, day cells) and draws the now line in time-grid views. */
export function paintClinicNow(host: HTMLElement, p: NowParams, nowMs = Date.now()) {
  const wall = toWall(nowMs, p.tz);
  const today = wall.slice(0, 10);
  const nowMin = minutesOf(wall.slice(11, 16)) + Number(wall.slice(17, 19)) / 60;
  for (const head of host.querySelectorAll(".ec-col-head")) mark(head, head.querySelector(":scope > time[datetime]")?.getAttribute("datetime") === today);
  // Month and list cells carry their date; time-grid columns are in the order of the dated heads.
  const heads = [...host.querySelectorAll(".ec-header .ec-col-head > time[datetime]")].map((t) => t.getAttribute("datetime"));
  const columns = [...host.querySelectorAll(".ec-time-grid .ec-body > .ec-grid > .ec-day")];
  for (const cell of host.querySelectorAll(".ec-day")) {
    const own = cell.querySelector("time[datetime]");
    if (own) mark(cell, own.getAttribute("datetime") === today);
  }
  const dateOf = (i: number) => (heads.length === columns.length ? heads[i] : heads.length === 0 ? p.day : null);
  columns.forEach((c, i) => mark(c, dateOf(i) === today));

  // One line over each run of adjacent today columns (side by side: one per doctor, or one across all).
  const main = host.querySelector<HTMLElement>(".ec-time-grid .ec-main");
  const runs: { col: number; span: number }[] = [];
  columns.forEach((c, i) => {
    if (!c.hasAttribute(MARK)) return;
    const last = runs[runs.length - 1];
    if (last && last.col + last.span === i + 2) last.span++;
    else runs.push({ col: i + 2, span: 1 }); // column 1 is the time labels
  });
  const min = minutesOf(p.slotMinTime);
  const inside = nowMin >= min && nowMin <= minutesOf(p.slotMaxTime);
  const want = main && inside ? runs : [];
  const top = `${((nowMin - min) / p.slotMinutes) * p.slotHeight}px`;
  const lines: HTMLElement[] = main ? [...main.querySelectorAll<HTMLElement>(":scope > .cx-now")] : [];
  if (lines.length !== want.length) {
    lines.forEach((l) => l.remove());
    lines.length = 0;
    for (let i = 0; i < want.length; i++) {
      const l = document.createElement("div");
      l.className = "ec-now-indicator cx-now";
      l.dataset.testid = "now-line";
      l.setAttribute("aria-hidden", "true");
      main!.appendChild(l);
      lines.push(l);
    }
  }
  want.forEach((r, i) => {
    const l = lines[i];
    const col = `${r.col} / span ${r.span}`;
    if (l.dataset.col !== col) (l.dataset.col = col), (l.style.gridColumn = col);
    if (l.style.insetBlockStart !== top) l.style.insetBlockStart = top;
  });
}

/** Repaints on the calendar's own DOM changes (call `paint` from onRendered), on new params and twice a minute. */
export function clinicNowPainter(params: () => NowParams) {
  let host: HTMLElement | undefined;
  let current: NowParams | undefined;
  const paint = (h: HTMLElement) => {
    host = h;
    if (current) paintClinicNow(h, current);
  };
  createEffect(on(params, (p) => ((current = p), host && paintClinicNow(host, p))));
  const timer = setInterval(() => host && current && paintClinicNow(host, current), 30_000);
  onCleanup(() => clearInterval(timer));
  return { paint };
}
