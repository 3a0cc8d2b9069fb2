// The one SolidJS wrapper around @event-calendar/core (a Svelte 5 library shipped as plain ESM).
// Created on mount, options pushed with setOption whenever they change, destroyed on cleanup.
// Everything else in the SPA talks to the calendar through this component.
import { createCalendar, destroyCalendar, DayGrid, Interaction, List, ResourceTimeGrid, TimeGrid } from "@event-calendar/core";
import type { Calendar } from "@event-calendar/core";
import "@event-calendar/core/index.css";
import { createEffect, on, onCleanup, onMount } from "solid-js";

export type EcOptions = Calendar.Options;
export type EcInstance = Calendar;

export function EventCalendar(props: {
  /** Reactive options; only keys whose value changed are pushed to the calendar. */
  options: () => EcOptions;
  /** Receives the instance once created (for gotoDate, updateEvent, ...). */
  ref?: (ec: EcInstance) => void;
  class?: string;
  label?: string;
  /** Runs after the calendar changed its DOM (batched per frame): markup fixes (a11y.ts). */
  onRendered?: (host: HTMLElement) => void;
}) {
  let el!: HTMLDivElement;
  let ec: EcInstance | undefined;
  let applied: EcOptions = {};

  onMount(() => {
    applied = { ...props.options() };
    ec = createCalendar(el, [TimeGrid, DayGrid, ResourceTimeGrid, List, Interaction], applied);
    // Browser tests and the benchmark find the instance on its host element (read-only use:
    // dateFromPoint to aim clicks and drags at a given time).
    (el as HTMLDivElement & { __ec?: EcInstance }).__ec = ec;
    props.ref?.(ec);
    if (props.onRendered) {
      const fix = props.onRendered;
      // Only child-list changes are observed. The fixes set attributes, and the clinic's now line
      // (clinic-now.ts) adds or removes its elements only when their number changes, so a pass
      // after its own insertions changes nothing and the observer settles: this cannot loop.
      const mo = new MutationObserver(() => fix(el));
      mo.observe(el, { childList: true, subtree: true });
      fix(el);
      onCleanup(() => mo.disconnect());
    }
  });

  createEffect(
    on(props.options, (next) => {
      if (!ec) return;
      for (const key of Object.keys(next) as (keyof EcOptions)[]) {
        if (next[key] !== applied[key]) ec.setOption(key, next[key] as never);
      }
      applied = { ...next };
    }, { defer: true }),
  );

  onCleanup(() => {
    if (ec) void destroyCalendar(ec);
    ec = undefined;
  });

  return <div ref={el} class={props.class} role="region" aria-label={props.label ?? "Calendar"} />;
}
