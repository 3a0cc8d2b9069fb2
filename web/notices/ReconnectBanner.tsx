// Said plainly wherever the doctor is: their calendar grant is dead (revoked or expired refresh
// token → integration status "needs_reconnect"), with a button that starts the connect flow again.
import { For } from "solid-js";
import type { Integration } from "../api-client/types";
import { needingReconnect, providerLabel, connectProvider } from "../stores/integrations";
import { toast } from "../ui/toast";

export function ReconnectNotice(props: { integration: Integration; class?: string }) {
  const start = () =>
    void connectProvider(props.integration.provider).catch((e) => toast(e instanceof Error ? e.message : "Could not start reconnecting.", "error"));
  return (
    <div class={props.class ?? "banner banner-warn"} role="alert" data-testid="reconnect-banner">
      <span>{providerLabel(props.integration.provider)} access was revoked or expired — Reconnect to resume syncing. Changes made meanwhile are kept.</span>
      <button type="button" class="btn btn-primary" onClick={start}>
        Reconnect {providerLabel(props.integration.provider)}
      </button>
    </div>
  );
}

/** App-wide banner for the signed-in doctor. */
export function ReconnectBanner() {
  return <For each={needingReconnect()}>{(i) => <ReconnectNotice integration={i} />}</For>;
}
