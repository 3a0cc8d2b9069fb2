// The details panel's "No-show risk" row: level badge, probability and the top three reasons in
// words, for upcoming scheduled / confirmed appointments (nothing for past or closed ones).
// Fetched again when the appointment's version changes (moved, confirmed, …).
import { createResource, For, Show } from "solid-js";
import { RiskBadge } from "./RiskBadge";
import { suggestionsApi } from "./suggestions-api";

export function RiskFacts(props: { appointmentId: string; version: number }) {
  const [data] = createResource(
    () => ({ id: props.appointmentId, v: props.version }),
    async ({ id }) => {
      try {
        return await suggestionsApi.risk(id);
      } catch {
        return null;
      }
    },
  );
  return (
    <Show when={data()?.risk}>
      {(r) => (
        <>
          <dt>No-show risk</dt>
          <dd data-testid="panel-risk">
            <RiskBadge risk={r()} /> {Math.round(r().probability * 100)} %
            <ul class="risk-reasons">
              <For each={r().reasons}>{(reason) => <li>{reason}</li>}</For>
            </ul>
            <Show when={data()!.model.kind === "default"}>
              <span class="muted">Default model: the clinic has fewer than 300 finished appointments to learn from.</span>
            </Show>
          </dd>
        </>
      )}
    </Show>
  );
}
