// Short messages (refused moves, saved changes). Announced to screen readers via role=status/alert.
import { createSignal, For } from "solid-js";

type Toast = { id: number; text: string; tone: "info" | "error" };
const [toasts, setToasts] = createSignal<Toast[]>([]);
let next = 1;

export function toast(text: string, tone: Toast["tone"] = "info", ms = 6000) {
  const id = next++;
  setToasts((t) => [...t, { id, text, tone }]);
  setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), ms);
}

export function Toasts() {
  return (
    <div class="toasts">
      <For each={toasts()}>
        {(t) => (
          <div class={`toast toast-${t.tone}`} role={t.tone === "error" ? "alert" : "status"} data-testid="toast">
            <span>{t.text}</span>
            <button type="button" class="icon-btn" aria-label="Dismiss message" onClick={() => setToasts((l) => l.filter((x) => x.id !== t.id))}>
              ×
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
