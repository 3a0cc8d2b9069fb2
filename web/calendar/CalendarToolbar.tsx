// The calendar's toolbar: Today, ‹ ›, the range title, the date picker, the view switch and
// "+ New". The same controls on a phone (styles.css lays them out in two short rows), so a day
// can be changed without discovering the swipe.
import { createMemo, For } from "solid-js";
import { addDays, ymd } from "../lib/tz";
import { date, setDate, setView, view, visible, type ViewKind } from "../stores/range";

const VIEWS: { kind: ViewKind; label: string; key: string }[] = [
  { kind: "month", label: "Month", key: "m" },
  { kind: "week", label: "Week", key: "w" },
  { kind: "day", label: "Day", key: "d" },
];

export function CalendarToolbar(props: { onStep: (dir: 1 | -1) => void; onToday: () => void; onNew: () => void }) {
  const title = createMemo(() => {
    const d = date();
    const v = view();
    if (v === "month") return d.toLocaleDateString(undefined, { month: "long", year: "numeric" });
    if (v === "day") return d.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    const r = visible();
    if (!r) return "";
    const end = addDays(r.end, -1);
    return `${r.start.toLocaleDateString(undefined, { day: "numeric", month: "short" })} – ${end.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" })}`;
  });

  return (
    <div class="toolbar" role="toolbar" aria-label="Calendar navigation">
      <div class="group">
        <button type="button" class="btn" onClick={() => props.onToday()} aria-keyshortcuts="t">
          Today
        </button>
        <button type="button" class="btn icon" aria-label={`Previous ${view()}`} onClick={() => props.onStep(-1)} aria-keyshortcuts="ArrowLeft k">
          ‹
        </button>
        <button type="button" class="btn icon" aria-label={`Next ${view()}`} onClick={() => props.onStep(1)} aria-keyshortcuts="ArrowRight j">
          ›
        </button>
        <h1 class="range-title" aria-live="polite" data-testid="range-title">
          {title()}
        </h1>
      </div>
      <div class="group">
        <label class="sr-only" for="date-picker">
          Go to date
        </label>
        <input
          id="date-picker"
          type="date"
          value={ymd(date())}
          onChange={(e) => {
            const v = e.currentTarget.value;
            if (v) setDate(new Date(`${v}T00:00:00`));
          }}
        />
        <div class="seg" role="radiogroup" aria-label="View">
          <For each={VIEWS}>
            {(v) => (
              <button
                type="button"
                role="radio"
                aria-checked={view() === v.kind}
                class={view() === v.kind ? "active" : ""}
                onClick={() => setView(v.kind)}
                aria-keyshortcuts={v.key}
              >
                {v.label}
              </button>
            )}
          </For>
        </div>
        <button type="button" class="btn btn-primary" onClick={() => props.onNew()} aria-keyshortcuts="n" aria-label="New appointment">
          <span aria-hidden="true">+</span>
          <span class="new-label" aria-hidden="true"> New</span>
        </button>
      </div>
    </div>
  );
}
