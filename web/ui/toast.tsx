// Short messages (refused moves, saved changes). Announced to screen readers via role=status/alert.
// A toast may carry one action ("Undo"): pressing it runs the action and closes the toast.
import { createSignal, For, Show } from "solid-js";

type Action = { label: string; run: () => void };
type Toast = { id: number; text: string; tone: "info" | "error"; action?: Action };
const [toasts, setToasts] = createSignal<Toast[]>([]);
let next = 1;

export function toast(text: string, tone: Toast["tone"] = "info", ms = 6000, action?: Action) {
  const id = next++;
  setToasts((t) => [...t, { id, text, tone, action }]);
  setTimeout(() => dismiss(id), ms);
  return id;
}

export function dismiss(id: number) {
  setToasts((t) => t.filter((x) => x.id !== id));
}

export function Toasts() {
  return (
    <div class="toasts">
      <For each={toasts()}>
        {(t) => (
          <div class={`toast toast-${t.tone}`} role={t.tone === "error" ? "alert" : "status"} data-testid="toast">
            <span>{t.text}</span>
            <Show when={t.action}>
              {(a) => (
                <button
                  type="button"
                  class="toast-action"
                  onClick={() => {
                    dismiss(t.id);
                    a().run();
                  }}
                >
                  {a().label}
                </button>
              )}
            </Show>
            <button type="button" class="icon-btn" aria-label="Dismiss message" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
