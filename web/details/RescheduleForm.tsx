// Reschedule from the details panel: pick a date (and, for staff, another doctor) and one of
// that doctor's free times. Phones cannot drag comfortably, so this is their way to move a
// visit. The free times come from the booking dialog's own module (booking/FreeSlots.tsx) and
// keep the appointment's length; the server still has the last word (409s shown here).
import { createMemo, createSignal, For, Show } from "solid-js";
import { ApiFailure, api } from "../api-client/client";
import type { Appointment } from "../api-client/types";
import { createFreeSlots, FreeSlotSelect, startsFitting } from "../booking/FreeSlots";
import { toWall } from "../lib/tz";
import { upsertAppointment } from "../stores/appointments";
import { setDate } from "../stores/range";
import { clinicTz, doctors, user } from "../stores/session";
import { toast } from "../ui/toast";
import { FieldError } from "../ui/FieldError";

const REFUSAL: Record<string, string> = {
  slot_taken: "Someone just booked this time. Pick another free time.",
  blocked_time: "This time is blocked for the doctor. Pick another free time.",
};

export function RescheduleForm(props: { appt: Appointment; onDone: () => void; onCancel: () => void }) {
  const tz = clinicTz;
  const [doctorId, setDoctorId] = createSignal(props.appt.doctorId);
  const [day, setDay] = createSignal(toWall(props.appt.start, tz()).slice(0, 10));
  const [start, setStart] = createSignal("");
  const [error, setError] = createSignal("");
  const [saving, setSaving] = createSignal(false);
  const durationMs = () => Date.parse(props.appt.end) - Date.parse(props.appt.start);

  const [free, { refetch }] = createFreeSlots(() => (doctorId() && day() ? { doctorId: doctorId(), day: day() } : false), tz);
  // Only starts where the whole visit fits; the appointment's own current time is not a move.
  const offered = createMemo(() => {
    const slots = free();
    return slots ? startsFitting(slots, durationMs()).filter((s) => !(s.start === props.appt.start && doctorId() === props.appt.doctorId)) : undefined;
  });
  // A doctor may only change their own appointments, so only staff may hand one to a colleague.
  const mayChangeDoctor = () => user()?.role !== "doctor";

  async function submit(e: Event) {
    e.preventDefault();
    setError("");
    const slot = offered()?.find((s) => s.start === start());
    if (!slot) return setError("Pick a free time.");
    setSaving(true);
    try {
      const a = props.appt;
      const { appointment } = await api.updateAppointment(a.id, {
        version: a.version,
        start: slot.start,
        end: slot.end,
        ...(doctorId() !== a.doctorId ? { doctorId: doctorId() } : {}),
      });
      // Show the day it moved to, so the user sees the result (and the panel keeps its record).
      setDate(new Date(`${day()}T00:00:00`));
      upsertAppointment(appointment, true);
      toast("Appointment rescheduled.");
      props.onDone();
    } catch (err) {
      if (err instanceof ApiFailure && REFUSAL[err.code]) {
        setError(REFUSAL[err.code]);
        setStart("");
        void refetch();
      } else if (err instanceof ApiFailure && err.code === "version_conflict") {
        const cur = (err.details as { current?: Appointment })?.current;
        if (cur) upsertAppointment(cur, true);
        setError("Someone else changed this appointment meanwhile. You now see their version above; pick a time again.");
        void refetch();
      } else if (err instanceof ApiFailure && err.code === "validation_failed") {
        setError(Object.values(err.fieldErrors()).join(" ") || err.message);
      } else setError(err instanceof Error ? err.message : "The appointment was not moved.");
    } finally {
      setSaving(false);
    }
  }

  return (
    <form class="form reschedule" onSubmit={submit} novalidate data-testid="reschedule-form" aria-label="Reschedule">
      <Show when={mayChangeDoctor()}>
        <label>
          Doctor
          <select value={doctorId()} onChange={(e) => (setDoctorId(e.currentTarget.value), setStart(""))}>
            <For each={doctors()}>{(d) => <option value={d.id}>{d.name}</option>}</For>
          </select>
        </label>
      </Show>
      <label>
        New date
        <input type="date" value={day()} onInput={(e) => e.currentTarget.value && (setDay(e.currentTarget.value), setStart(""))} />
      </label>
      <label>
        New time
        <FreeSlotSelect
          slots={offered()}
          loading={free.loading}
          error={free.error}
          value={start()}
          onChange={setStart}
          tz={tz()}
          invalid={!!error()}
          describedBy={error() ? "reschedule-error" : undefined}
          testId="reschedule-slot"
        />
      </label>
      <FieldError message={error()} id="reschedule-error" />
      <div class="actions">
        <button type="button" class="btn" onClick={() => props.onCancel()}>
          Keep current time
        </button>
        <button type="submit" class="btn btn-primary" disabled={saving() || !start()}>
          {saving() ? "Moving…" : "Move appointment"}
        </button>
      </div>
    </form>
  );
}
