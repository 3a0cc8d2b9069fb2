// The staff NPS question at the top of the Analytics page (at most once a quarter; the server
// decides with GET /api/nps/prompt). "Not now" hides it for a week on this browser.
import { createResource, createSignal, For, Show } from "solid-js";
import { request } from "../api-client/client";

const SNOOZE_KEY = "acms:nps-snoozed-until";

export const npsSnoozed = () => Number(localStorage.getItem(SNOOZE_KEY) ?? 0) > Date.now();

/** Shows the question when it is due and not snoozed. */
export function StaffNps() {
  const [due] = createResource(() => (npsSnoozed() ? Promise.resolve({ due: false }) : request<{ due: boolean }>("GET", "/api/nps/prompt")));
  const [open, setOpen] = createSignal(true);
  return (
    <Show when={open() && due()?.due}>
      <NpsPrompt onDone={() => setOpen(false)} />
    </Show>
  );
}

function NpsPrompt(props: { onDone: () => void }) {
  const [score, setScore] = createSignal<number | null>(null);
  const [comment, setComment] = createSignal("");
  const [error, setError] = createSignal("");
  const [sent, setSent] = createSignal(false);
  const send = async (e: Event) => {
    e.preventDefault();
    if (score() === null) return setError("Choose a number from 0 to 10.");
    try {
      await request("POST", "/api/nps", { score: score(), comment: comment().trim() || undefined });
      setSent(true);
      setTimeout(props.onDone, 2500);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <aside class="banner nps-prompt" aria-label="A quick question" data-testid="nps-prompt">
      <Show when={!sent()} fallback={<p role="status">Thank you!</p>}>
        <form onSubmit={send}>
          <fieldset>
            <legend>How likely are you to recommend ACMS Calendar to a colleague?</legend>
            <div class="nps-scale">
              <For each={Array.from({ length: 11 }, (_, i) => i)}>
                {(i) => (
                  <label>
                    <input type="radio" name="nps" value={i} checked={score() === i} onChange={() => setScore(i)} />
                    <span>{i}</span>
                  </label>
                )}
              </For>
            </div>
          </fieldset>
          <label>
            Comment (optional)
            <input type="text" maxLength={1000} value={comment()} onInput={(e) => setComment(e.currentTarget.value)} />
          </label>
          <button type="submit" class="btn btn-primary">Send</button>
          <button
            type="button"
            class="btn btn-quiet"
            onClick={() => {
              localStorage.setItem(SNOOZE_KEY, String(Date.now() + 7 * 86_400_000));
              props.onDone();
            }}
          >
            Not now
          </button>
          <Show when={error()}>
            <p class="field-error" role="alert">{error()}</p>
          </Show>
        </form>
      </Show>
    </aside>
  );
}
