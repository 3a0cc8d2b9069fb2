// Phone month: the selected day's appointments listed beneath the compact grid (dots per day
// above, the day's list below, as phone calendars do). Tapping one opens its details.
import { createMemo, For, Show } from "solid-js";
import { STATUS_LABEL } from "../api-client/statuses";
import { appointments, generation } from "../stores/appointments";
import { clinicTz, doctors } from "../stores/session";
import { formatTime, toWall } from "../lib/tz";

export function PhoneDayList(props: { day: string; doctorIds: string[]; onOpen: (id: string) => void }) {
  const list = createMemo(() => {
    generation();
    const ids = new Set(props.doctorIds);
    return Object.values(appointments)
      .filter((a) => ids.has(a.doctorId) && toWall(a.start, clinicTz()).startsWith(props.day))
      .sort((a, b) => a.start.localeCompare(b.start));
  });
  const title = () => new Date(`${props.day}T00:00:00`).toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long" });
  return (
    <section class="phone-day" aria-label={`Appointments on ${title()}`} data-testid="phone-day-list">
      <h2 class="phone-day-title">{title()}</h2>
      <Show when={list().length} fallback={<p class="muted">No appointments.</p>}>
        <ul>
          <For each={list()}>
            {(a) => (
              <li>
                <button type="button" class={`pd-item st-${a.status}`} data-appointment-id={a.id} onClick={() => props.onOpen(a.id)}>
                  <span class="pd-time">
                    {formatTime(a.start, clinicTz())}–{formatTime(a.end, clinicTz())}
                  </span>
                  <span class="pd-name">{a.patientName}</span>
                  <span class="pd-meta">
                    {a.type} · {doctors().find((d) => d.id === a.doctorId)?.name ?? ""} · {STATUS_LABEL[a.status]}
                  </span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
