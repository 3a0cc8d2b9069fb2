// Day view: a line above the grid per doctor on screen who is off that day (a whole-day block,
// e.g. "Dr House: Holiday"), so the reason is read at a glance instead of guessed from a greyed
// column. The grid itself labels the block too (block-content.ts).
import { createMemo, For, Show } from "solid-js";
import { blocked, generation } from "../stores/appointments";
import { doctors } from "../stores/session";
import { rangeTouchesDay, toWall } from "../lib/tz";

export function DayNotes(props: { day: string; doctorIds: string[]; tz: string }) {
  const notes = createMemo(() => {
    generation();
    const ids = new Set(props.doctorIds);
    const out: string[] = [];
    for (const b of Object.values(blocked)) {
      if (!b.allDay || !ids.has(b.doctorId)) continue;
      if (!rangeTouchesDay(b.start, b.end, props.day, props.tz)) continue;
      const from = toWall(b.start, props.tz).slice(0, 10);
      const to = toWall(Date.parse(b.end) - 1, props.tz).slice(0, 10);
      const name = doctors().find((d) => d.id === b.doctorId)?.name ?? "A doctor";
      out.push(`${name}: ${b.label || "Day off"}${from !== to ? ` (${from} – ${to})` : ""}`);
    }
    return out.sort();
  });
  return (
    <Show when={notes().length}>
      <ul class="day-notes" data-testid="day-notes" aria-label="Doctors off this day">
        <For each={notes()}>{(n) => <li>{n}</li>}</For>
      </ul>
    </Show>
  );
}
