// A banner while the API is unreachable (network error or 5xx); it clears on the next good answer.
import { createSignal, onCleanup, Show } from "solid-js";
import { netListeners } from "../api-client/client";

export function ErrorBanner() {
  const [down, setDown] = createSignal(false);
  const l = (ok: boolean) => setDown(!ok);
  netListeners.add(l);
  onCleanup(() => netListeners.delete(l));
  return (
    <Show when={down()}>
      <div class="banner banner-error" role="alert" data-testid="error-banner">
        The calendar server cannot be reached. What you see may be out of date; changes are not saved until it is back.
      </div>
    </Show>
  );
}
