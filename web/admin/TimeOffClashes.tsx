// Days off that land on booked appointments: blocking a day does not cancel what is already on
// it (worker/appointments/blocked-write.ts), so right after blocking, the screen lists those
// appointments and offers, for each, to move it (another time or another doctor, from the free
// times only) or to cancel it. Either way the patient is told through the usual path: a move
// sends the updated invitation, a cancel sends the cancellation (worker/email/outbox.ts).
import { createEffect, createResource, createSignal, For, Show } from "solid-js";
import { ApiFailure, api } from "../api-client/client";
import type { Appointment } from "../api-client/types";
import { RescheduleForm } from "../details/RescheduleForm";
import { formatDateTime } from "../lib/tz";
import { clinicTz } from "../stores/session";
import { askConfirm } from "../ui/confirm";
import { toast } from "../ui/toast";

/** Appointments still to happen (scheduled or confirmed) of `doctorId` in [from, to). */
export async function appointmentsOn(doctorId: string, from: string, to: string): Promise<Appointment[]> {
  // The list API takes at most 62 days per query; time off may be longer (up to a year).
  const WINDOW = 60 * 86_400_000;
  const all = new Map<string, Appointment>();
  for (let t = Date.parse(from); t < Date.parse(to); t += WINDOW) {
    const r = await api.appointments(new Date(t).toISOString(), new Date(Math.min(t + WINDOW, Date.parse(to))).toISOString(), doctorId);
    for (const a of r.appointments) all.set(a.id, a);
  }
  return [...all.values()].filter((a) => a.status === "scheduled" || a.status === "confirmed").sort((a, b) => a.start.localeCompare(b.start));
}

export function TimeOffClashes(props: { doctorId: string; from: string; to: string; label: string; onDone: () => void }) {
  // A failed load shows as "could not list" rather than throwing from the resource.
  const [list, { mutate }] = createResource(() => appointmentsOn(props.doctorId, props.from, props.to).catch(() => null));
  const [moving, setMoving] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const drop = (id: string) => mutate((l) => l?.filter((a) => a.id !== id));
  const when = (a: Appointment) => formatDateTime(a.start, clinicTz());
  // Nothing was booked on those days: nothing to show (the "Nothing booked any more" line is for
  // after the last one was moved or cancelled here).
  let first = true;
  createEffect(() => {
    const l = list();
    if (l === undefined || !first) return;
    first = false;
    if (l !== null && l.length === 0) props.onDone();
  });

  async function cancel(list: Appointment[]) {
    setBusy(true);
    let failed = 0;
    for (const a of list) {
      try {
        await api.cancelAppointment(a.id, a.version);
        drop(a.id);
      } catch (e) {
        failed++;
        // Changed meanwhile (moved, cancelled by someone else): show it as it is now.
        if (e instanceof ApiFailure && e.code === "version_conflict") {
          const cur = (e.details as { current?: Appointment })?.current;
          if (cur) mutate((l) => l?.map((x) => (x.id === cur.id ? cur : x)).filter((x) => x.status === "scheduled" || x.status === "confirmed"));
        }
      }
    }
    setBusy(false);
    if (failed) toast(`${failed} appointment${failed === 1 ? "" : "s"} could not be cancelled. Try again.`, "error");
    else toast(list.length === 1 ? "Appointment cancelled; the patient is told." : `${list.length} appointments cancelled; the patients are told.`);
  }

  async function cancelAll() {
    const l = list() ?? [];
    const ok = await askConfirm({
      title: `Cancel ${l.length} appointment${l.length === 1 ? "" : "s"}?`,
      message: `Every appointment on ${props.label} is cancelled and each patient gets the cancellation by e-mail (when their address is on file).`,
      confirmLabel: "Cancel them all",
      cancelLabel: "Go back",
      danger: true,
    });
    if (ok) await cancel(l);
  }

  return (
    <Show
      when={list() !== null}
      fallback={
        <p class="notice notice-warn" role="alert">
          The days are blocked, but the appointments on them could not be listed. Check {props.label} in the calendar.
        </p>
      }
    >
    <Show when={list()}>
      {(l) => (
        <section class="clashes notice notice-warn" role="region" aria-labelledby="clashes-title" data-testid="time-off-clashes">
          <Show
            when={l().length}
            fallback={
              <>
                <p id="clashes-title">Nothing is booked on {props.label} any more.</p>
                <button type="button" class="btn" onClick={() => props.onDone()}>
                  Done
                </button>
              </>
            }
          >
            <h3 id="clashes-title">
              {l().length} appointment{l().length === 1 ? " is" : "s are"} booked on {props.label}
            </h3>
            <p>The days are blocked for new bookings. Move or cancel what is already booked; the patient is told either way.</p>
            <ul class="clash-list">
              <For each={l()}>
                {(a) => (
                  <li data-appointment-id={a.id}>
                    <span>
                      <strong>{when(a)}</strong> · {a.patientName} · {a.type}
                    </span>
                    <span class="row-actions">
                      <button type="button" class="btn" disabled={busy()} onClick={() => setMoving(moving() === a.id ? null : a.id)} aria-expanded={moving() === a.id} aria-label={`Move ${a.patientName}, ${when(a)}`}>
                        Move…
                      </button>
                      <button type="button" class="btn btn-danger" disabled={busy()} onClick={() => void cancel([a])} aria-label={`Cancel ${a.patientName}, ${when(a)}`}>
                        Cancel
                      </button>
                    </span>
                    <Show when={moving() === a.id}>
                      <RescheduleForm
                        appt={a}
                        onDone={() => {
                          setMoving(null);
                          drop(a.id);
                        }}
                        onCancel={() => setMoving(null)}
                      />
                    </Show>
                  </li>
                )}
              </For>
            </ul>
            <div class="actions">
              <button type="button" class="btn" onClick={() => props.onDone()}>
                Keep them booked
              </button>
              <button type="button" class="btn btn-danger" disabled={busy()} onClick={() => void cancelAll()}>
                Cancel all {l().length}
              </button>
            </div>
          </Show>
        </section>
      )}
    </Show>
    </Show>
  );
}
