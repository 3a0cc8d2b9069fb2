// Status from the details panel: one click per status. Completed and No-show only once the
// appointment has started (before that they would be wrong by definition); a cancelled
// appointment offers "Restore" instead — only while its time is still free for the doctor
// (the server re-checks the slot on un-cancelling and refuses with slot_taken otherwise).
import { For, Show } from "solid-js";
import { STATUS_LABEL } from "../api-client/statuses";
import type { Appointment, AppointmentStatus } from "../api-client/types";
import { appointments } from "../stores/appointments";

/** Statuses offered as buttons for `a` at time `now` (ms). */
export function offeredStatuses(a: Pick<Appointment, "status" | "start">, now: number): AppointmentStatus[] {
  if (a.status === "cancelled") return [];
  const started = Date.parse(a.start) <= now;
  const all: AppointmentStatus[] = started ? ["scheduled", "confirmed", "completed", "no_show"] : ["scheduled", "confirmed"];
  return all.filter((s) => s !== a.status);
}

/** Whether nothing active of the same doctor overlaps a cancelled appointment's time (as far as loaded). */
export function slotStillFree(a: Appointment, all: Iterable<Appointment> = Object.values(appointments)): boolean {
  const s = Date.parse(a.start);
  const e = Date.parse(a.end);
  for (const o of all) if (o.id !== a.id && o.doctorId === a.doctorId && o.status !== "cancelled" && Date.parse(o.start) < e && Date.parse(o.end) > s) return false;
  return true;
}

export function StatusButtons(props: { appt: Appointment; busy: boolean; onStatus: (s: AppointmentStatus) => void }) {
  return (
    <div class="status-buttons" role="group" aria-label="Set status">
      <Show
        when={props.appt.status !== "cancelled"}
        fallback={
          <Show when={slotStillFree(props.appt)} fallback={<p class="muted">Its time has been taken since, so it cannot be restored.</p>}>
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
