// Status from the details panel: one click per status. Completed and No-show only once the
// appointment has started (before that they would be wrong by definition); a cancelled
// appointment offers "Restore" instead — only while its time is still free for the doctor
// (the server re-checks the slot on un-cancelling and refuses with slot_taken otherwise).
import { For, Show } from "solid-js";
import { STATUS_LABEL } from "../api-client/statuses";
import type { Appointment, AppointmentStatus } from "../api-client/types";
import { appointments } from "../stores/appointments";
import { offeredStatuses, slotStillFree } from "./status-rules";

export function StatusButtons(props: { appt: Appointment; busy: boolean; onStatus: (s: AppointmentStatus) => void }) {
  return (
    <div class="status-buttons" role="group" aria-label="Set status">
      <Show
        when={props.appt.status !== "cancelled"}
        fallback={
          <Show when={slotStillFree(props.appt, Object.values(appointments))} fallback={<p class="muted">Its time has been taken since, so it cannot be restored.</p>}>
            <button type="button" class="btn" disabled={props.busy} onClick={() => props.onStatus("scheduled")}>
              Restore appointment
            </button>
          </Show>
        }
      >
        <For each={offeredStatuses(props.appt, Date.now())}>
          {(s) => (
            <button type="button" class={`btn status-btn st-btn-${s}`} disabled={props.busy} onClick={() => props.onStatus(s)}>
              Mark {STATUS_LABEL[s].toLowerCase()}
            </button>
          )}
        </For>
      </Show>
    </div>
  );
}
