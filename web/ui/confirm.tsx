// "Are you sure?" in the app's own dialog instead of window.confirm(): it looks like the rest of
// the app, keeps focus inside (Dialog.tsx), can say what will happen in full sentences, and a
// browser's "don't show more dialogs" cannot silently turn every question into "no".
// askConfirm() returns a promise; <ConfirmHost/> (once, in App.tsx) shows the open question.
import { createSignal, Show } from "solid-js";
import { Dialog } from "./Dialog";

export interface ConfirmQuestion {
  title: string;
  message: string;
  /** The button that goes ahead ("Cancel appointment"). */
  confirmLabel: string;
  /** The button that does nothing ("Keep appointment"); "Go back" when not given. */
  cancelLabel?: string;
  danger?: boolean;
}

const [open, setOpen] = createSignal<(ConfirmQuestion & { answer: (yes: boolean) => void }) | null>(null);

export function askConfirm(q: ConfirmQuestion): Promise<boolean> {
  open()?.answer(false); // a second question replaces an unanswered first one
  return new Promise((resolve) =>
    setOpen({
      ...q,
      answer: (yes) => {
        setOpen(null);
        resolve(yes);
      },
    }),
  );
}

export function ConfirmHost() {
  return (
    <Show when={open()}>
      {(q) => (
        <Dialog title={q().title} onClose={() => q().answer(false)} testId="confirm-dialog">
          <p class="confirm-message">{q().message}</p>
          <div class="actions">
            <button type="button" class="btn" onClick={() => q().answer(false)} data-autofocus>
              {q().cancelLabel ?? "Go back"}
            </button>
            <button type="button" class={`btn ${q().danger ? "btn-danger" : "btn-primary"}`} onClick={() => q().answer(true)}>
              {q().confirmLabel}
            </button>
          </div>
        </Dialog>
      )}
    </Show>
  );
}
