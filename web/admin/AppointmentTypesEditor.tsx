// What can be booked with a doctor and how long each takes by default (the booking dialog sizes
// the offered times by it). Names are unique per doctor; durations in 5-minute steps.
import { For } from "solid-js";
import type { AppointmentType } from "./admin-api";

export function AppointmentTypesEditor(props: { value: AppointmentType[]; onChange: (v: AppointmentType[]) => void; disabled?: boolean }) {
  const update = (i: number, t: Partial<AppointmentType>) => props.onChange(props.value.map((x, j) => (j === i ? { ...x, ...t } : x)));
  return (
    <div class="types" data-testid="appointment-types">
      <table class="admin-table">
        <caption class="sr-only">Appointment types</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Default length (minutes)</th>
            <th scope="col">
              <span class="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          <For each={props.value}>
            {(t, i) => (
              <tr>
                <td>
                  <input aria-label={`Type ${i() + 1} name`} value={t.name} maxlength="64" disabled={props.disabled} onInput={(e) => update(i(), { name: e.currentTarget.value })} />
                </td>
                <td>
                  <input
                    aria-label={`${t.name || `Type ${i() + 1}`} length in minutes`}
                    type="number"
                    min="5"
                    max="480"
                    step="5"
                    value={t.minutes}
                    disabled={props.disabled}
                    onInput={(e) => update(i(), { minutes: Number(e.currentTarget.value) })}
                  />
                </td>
                <td>
                  <button type="button" class="icon-btn" aria-label={`Remove ${t.name || "this type"}`} disabled={props.disabled} onClick={() => props.onChange(props.value.filter((_, j) => j !== i()))}>
                    ×
                  </button>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <button type="button" class="link-btn" disabled={props.disabled} onClick={() => props.onChange([...props.value, { name: "", minutes: 30 }])}>
        + Add a type
      </button>
    </div>
  );
}
