// The risk part of the calendar's hover/focus card (web/calendar/HoverCard.tsx): the badge and
// the top three reasons in words ("booked 3 weeks ahead", "2 earlier no-shows", "not confirmed
// yet"), from the risks the calendar already loaded (risk-store.ts) — no request per hover.
// Nothing shows for a past or closed appointment (no risk is loaded for it).
import { For, Show } from "solid-js";
import { RiskBadge } from "./RiskBadge";
import { riskOfAppointment } from "./risk-store";

export function RiskReasons(props: { appointmentId: string }) {
  const risk = () => riskOfAppointment(props.appointmentId);
  return (
    <Show when={risk()}>
      {(r) => (
        <div class="hc-row hc-risk" data-testid="hover-risk">
          <RiskBadge risk={r()} /> <span class="muted">{Math.round(r().probability * 100)} % no-show</span>
          <Show when={r().reasons.length}>
            <ul>
              <For each={r().reasons.slice(0, 3)}>{(reason) => <li>{reason}</li>}</For>
            </ul>
          </Show>
        </div>
      )}
    </Show>
  );
}
