// A week of working hours: per weekday a list of time ranges; the gaps between them are breaks
// (09:00–12:30 and 13:30–17:00 = lunch 12:30–13:30), a day with none is a day off. Same JSON the
// Worker validates (worker/scheduling/working-hours.ts); it names overlaps and back-to-front ranges.
import { For, Show } from "solid-js";
import type { WorkingHours } from "./admin-api";

export const WEEKDAYS: { key: keyof WorkingHours; label: string }[] = [
  { key: "1", label: "Monday" },
  { key: "2", label: "Tuesday" },
  { key: "3", label: "Wednesday" },
  { key: "4", label: "Thursday" },
  { key: "5", label: "Friday" },
  { key: "6", label: "Saturday" },
  { key: "7", label: "Sunday" },
];

/** "09:00–12:30, 13:30–17:00" or "Day off". */
export const describeDay = (ranges: [string, string][] | undefined) => (ranges?.length ? ranges.map(([s, e]) => `${s}–${e}`).join(", ") : "Day off");

export function WorkingHoursEditor(props: { value: WorkingHours; onChange: (v: WorkingHours) => void; errors?: Record<string, string> }) {
  const day = (k: keyof WorkingHours) => props.value[k] ?? [];
  const setDay = (k: keyof WorkingHours, ranges: [string, string][]) => {
    const next = { ...props.value };
    if (ranges.length) next[k] = ranges;
    else delete next[k];
    props.onChange(next);
  };
  const setEnd = (k: keyof WorkingHours, i: number, end: string) => setDay(k, day(k).map((x, j) => (j === i ? [x[0], end] : x)));
  const addRange = (k: keyof WorkingHours) => {
    const r = day(k);
    const last = r[r.length - 1];
    // After the last range, a sensible next block; an empty day starts at office hours.
    setDay(k, [...r, last ? [bump(last[1], 60, LAST_START), bump(last[1], 240, 24 * 60)] : ["09:00", "17:00"]]);
  };
  const copyMonday = () => {
    const mon = day("1");
    const next = { ...props.value };
    for (const k of ["2", "3", "4", "5"] as const) {
      if (mon.length) next[k] = mon.map((r) => [...r] as [string, string]);
      else delete next[k];
    }
    props.onChange(next);
  };
  return (
    <div class="hours" data-testid="working-hours">
      <For each={WEEKDAYS}>
        {(d) => (
          <fieldset class="hours-day" data-day={d.key}>
            <legend>{d.label}</legend>
            <Show when={day(d.key).length} fallback={<span class="muted">Day off</span>}>
              <For each={day(d.key)}>
                {(r, i) => (
                  <span class="hours-range">
                    <label>
                      <span class="sr-only">
                        {d.label} block {i() + 1} from
                      </span>
                      <input type="time" step="300" value={r[0]} onChange={(e) => setDay(d.key, day(d.key).map((x, j) => (j === i() ? [e.currentTarget.value, x[1]] : x)))} />
                    </label>
                    –
                    {/* A time input stops at 23:59, so "24:00" (work until midnight) is its own choice. */}
                    <Show when={r[1] !== MIDNIGHT} fallback={<span class="hours-midnight">{MIDNIGHT}</span>}>
                      <label>
                        <span class="sr-only">
                          {d.label} block {i() + 1} until
                        </span>
                        <input type="time" step="300" value={r[1]} onChange={(e) => setEnd(d.key, i(), e.currentTarget.value)} />
                      </label>
                    </Show>
                    <label class="check">
                      <input type="checkbox" checked={r[1] === MIDNIGHT} onChange={(e) => setEnd(d.key, i(), e.currentTarget.checked ? MIDNIGHT : "23:00")} />
                      until midnight<span class="sr-only"> on {d.label} block {i() + 1}</span>
                    </label>
                    <button type="button" class="icon-btn" aria-label={`Remove ${d.label} ${r[0]}–${r[1]}`} onClick={() => setDay(d.key, day(d.key).filter((_, j) => j !== i()))}>
                      ×
                    </button>
                  </span>
                )}
              </For>
            </Show>
            {/* The day goes into the name as hidden text, not aria-label: the visible words must stay part of the name (axe label-content-name-mismatch). */}
            <button type="button" class="link-btn" onClick={() => addRange(d.key)}>
              {day(d.key).length ? "+ hours after a break" : "+ hours"}
              <span class="sr-only"> on {d.label}</span>
            </button>
            <Show when={props.errors?.[d.key]}>
              <span class="field-error" role="alert">
                {d.label}: {props.errors![d.key]}
              </span>
            </Show>
          </fieldset>
        )}
      </For>
      <button type="button" class="btn btn-quiet" onClick={copyMonday}>
        Copy Monday to Tuesday–Friday
      </button>
    </div>
  );
}

/** The end of a range that lasts until midnight (the API's "24:00"). */
const MIDNIGHT = "24:00";
const LAST_START = 23 * 60 + 55;

/** hh:mm plus minutes, capped (the editor proposes; the person adjusts): a start at 23:55, an end at 24:00. */
function bump(hhmm: string, min: number, cap: number): string {
  const t = Math.min(cap, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)) + min);
  return `${String(Math.floor(t / 60)).padStart(2, "0")}:${String(t % 60).padStart(2, "0")}`;
}
