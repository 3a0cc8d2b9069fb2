// Details of one appointment: side panel on desktop, bottom sheet on phones (same markup, CSS decides).
// Edit, change status, cancel, download .ics, and where calendar sync stands.
import { createEffect, createResource, createSignal, For, on, onCleanup, onMount, Show } from "solid-js";
import { ApiFailure, api } from "../api-client/client";
import { STATUS_LABEL } from "../api-client/statuses";
import type { Appointment, AppointmentStatus } from "../api-client/types";
import { appointments, upsertAppointment } from "../stores/appointments";
import { clinicTz, doctors, user } from "../stores/session";
import { formatDateTime, formatTime, toWall } from "../lib/tz";
import { setDate } from "../stores/range";
import { typesFor } from "../booking/appointment-types";
import { canEdit } from "../calendar/events";
import { toast } from "../ui/toast";
import { askConfirm } from "../ui/confirm";
import { FieldError } from "../ui/FieldError";
import { RescheduleForm } from "./RescheduleForm";
import { PatientContact } from "./PatientContact";
import { StatusButtons } from "./StatusButtons";
import { EngagementSection } from "../engagement/EngagementSection";
import { TeamsLink } from "./TeamsLink";
import { RiskFacts } from "../suggestions/RiskFacts";

const PROVIDER_LABEL: Record<string, string> = { google: "Google Calendar", microsoft: "Outlook", caldav: "iCloud" };

export function AppointmentPanel(props: { id: string; onClose: () => void }) {
  const appt = () => appointments[props.id] as Appointment | undefined;
  // Sync state is not in the range lists (it would cost a join per row); fetch it for the open
  // appointment, and again whenever its version changes (a live update or our own edit).
  const [syncState] = createResource(
    () => (appt() ? { id: props.id, version: appt()!.version } : undefined),
    async ({ id }) => (await api.appointment(id)).appointment.sync ?? [],
  );
  // Opened by link (/appointments/:id from a notice, a Google event, or after a reload) on a day
  // the calendar is not showing: fetch it and take the calendar to its day, so it can be seen.
  createEffect(
    on(
      () => props.id,
      async (id) => {
        if (appointments[id]) return;
        try {
          const { appointment } = await api.appointment(id);
          if (appointments[id]) return;
          setDate(new Date(`${toWall(appointment.start, clinicTz()).slice(0, 10)}T00:00:00`));
          upsertAppointment(appointment, true);
        } catch {
          /* gone or not ours: the fallback text says so */
        }
      },
    ),
  );
  // "Add to calendar" links depend on the time, so fetch again when the version changes.
  const [addLinks] = createResource(
    () => (appt() ? { id: props.id, version: appt()!.version } : undefined),
    async ({ id }) => (await api.addLinks(id)).links,
  );
  const [editing, setEditing] = createSignal(false);
  const [rescheduling, setRescheduling] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal("");
  const [fieldErrors, setFieldErrors] = createSignal<Record<string, string>>({});
  const [form, setForm] = createSignal({ type: "", reason: "", notes: "" });
  // Focus: opening an appointment moves focus into the panel (its heading), so keyboard and
  // screen-reader users land on what they opened; closing gives focus back to what opened it.
  let heading!: HTMLHeadingElement;
  const opener = document.activeElement as HTMLElement | null;
  onMount(() => heading.focus());
  createEffect(on(() => props.id, () => heading.focus(), { defer: true }));
  onCleanup(() => {
    if (opener?.isConnected && opener !== document.body) opener.focus();
  });

  const doctorName = () => doctors().find((d) => d.id === appt()?.doctorId)?.name ?? "";
  const mayWrite = () => {
    const a = appt();
    const u = user();
    return !!a && !!u && (u.role !== "doctor" || u.doctorId === a.doctorId);
  };

  async function run(fn: (a: Appointment) => Promise<{ appointment: Appointment }>, done: string) {
    const a = appt();
    if (!a) return;
    setBusy(true);
    setError("");
    setFieldErrors({});
    try {
      const { appointment } = await fn(a);
      upsertAppointment(appointment, true);
      setEditing(false);
      toast(done);
    } catch (e) {
      if (e instanceof ApiFailure && e.code === "version_conflict") {
        const cur = (e.details as { current?: Appointment })?.current;
        if (cur) upsertAppointment(cur, true);
        setError("Someone else changed this appointment meanwhile. You now see their version; try again.");
      } else if (e instanceof ApiFailure && e.code === "validation_failed") setFieldErrors(e.fieldErrors());
      else setError(e instanceof Error ? e.message : "The change was not saved.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <aside class="panel" aria-labelledby="panel-title" data-testid="appointment-panel">
      <div class="sheet-grip" aria-hidden="true" />
      <header class="panel-head">
        <h2 id="panel-title" tabindex="-1" ref={heading}>{appt()?.patientName ?? "Appointment"}</h2>
        <button type="button" class="icon-btn" aria-label="Close details" onClick={() => props.onClose()}>
          ×
        </button>
      </header>
      <Show when={appt()} fallback={<p class="muted">This appointment is no longer in view (it may have been moved or deleted).</p>}>
        {(a) => (
          <>
            <p>
              <span class={`badge st-${a().status}`} data-testid="status-badge">
                {STATUS_LABEL[a().status]}
              </span>
            </p>
            {/* The actions come before the facts: the contact, Teams link and no-show risk below load
                after the panel opens and grow it, and buttons under them moved as they arrived, so a
                tap aimed at "Mark confirmed" could land on whatever slid into its place. */}
            <Show when={mayWrite() && !editing() && !rescheduling()}>
              <div class="panel-actions">
                <Show when={a().status !== "cancelled"}>
                  <button type="button" class="btn" onClick={() => (setError(""), setRescheduling(true))}>
                    Reschedule
                  </button>
                </Show>
                <button
                  type="button"
                  class="btn"
                  onClick={() => {
                    setForm({ type: a().type, reason: a().reason, notes: a().notes });
                    setEditing(true);
                  }}
                >
                  Edit
                </button>
                <StatusButtons
                  appt={a()}
                  busy={busy()}
                  onStatus={(st: AppointmentStatus) =>
                    void run((x) => api.updateAppointment(x.id, { version: x.version, status: st }), st === "scheduled" && a().status === "cancelled" ? "Appointment restored." : `Marked ${STATUS_LABEL[st].toLowerCase()}.`)
                  }
                />
                <Show when={a().status !== "cancelled"}>
                  <button
                    type="button"
                    class="btn btn-danger"
                    disabled={busy()}
                    onClick={async () => {
                      const ok = await askConfirm({
                        title: "Cancel appointment?",
                        message: `${a().patientName}, ${formatDateTime(a().start, clinicTz())}. The time becomes free again; the patient is told if notifications are on.`,
                        confirmLabel: "Cancel appointment",
                        cancelLabel: "Keep appointment",
                        danger: true,
                      });
                      if (ok) void run((x) => api.cancelAppointment(x.id, x.version), "Appointment cancelled.");
                    }}
                  >
                    Cancel appointment
                  </button>
                </Show>
              </div>
            </Show>
            <dl class="facts">
              <dt>When</dt>
              <dd data-testid="panel-when">
                {formatDateTime(a().start, clinicTz())} – {formatTime(a().end, clinicTz())}
              </dd>
              <dt>Doctor</dt>
              <dd>{doctorName()}</dd>
              <PatientContact patientId={a().patientId} />
              <dt>Type</dt>
              <dd>{a().type}</dd>
              <dt>Reason</dt>
              <dd>{a().reason || "—"}</dd>
              <dt>Notes</dt>
              <dd>{a().notes || "—"}</dd>
              <dt>Calendar sync</dt>
              {/* Busy until the sync state has arrived: "not synced" is said only when it is known. */}
              <dd data-testid="sync-state" aria-busy={syncState.state !== "ready" && syncState.state !== "errored"}>
                <Show when={syncState()?.length} fallback={<span class="muted">{syncState.state === "ready" ? "Not synced to an external calendar." : syncState.state === "errored" ? "Sync state could not be loaded." : "Checking…"}</span>}>
                  <For each={syncState()}>
                    {(s) => (
                      <span title={s.lastError ?? undefined}>
                        {PROVIDER_LABEL[s.provider] ?? s.provider}: {s.state}
                        {s.lastError ? ` (${s.lastError})` : ""}
                      </span>
                    )}
                  </For>
                </Show>
              </dd>
              <TeamsLink appointmentId={a().id} version={a().version} sync={syncState.state === "ready" ? syncState()!.map((x) => `${x.provider}:${x.state}`).join(",") : syncState.state === "errored" ? "unknown" : undefined} />
              <RiskFacts appointmentId={a().id} version={a().version} />
            </dl>
            <FieldError message={error()} />

            <Show when={editing()}>
              <form
                class="form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void run((x) => api.updateAppointment(x.id, { version: x.version, ...form() }), "Appointment saved.");
                }}
              >
                <label>
                  Type
                  <select value={form().type} onChange={(e) => setForm({ ...form(), type: e.currentTarget.value })}>
                    <For each={[...new Set([form().type, ...typesFor(doctors().find((d) => d.id === a().doctorId)).map((t) => t.name)])]}>{(t) => <option value={t}>{t}</option>}</For>
                  </select>
                  <Show when={fieldErrors().type}><p class="field-error">{fieldErrors().type}</p></Show>
                </label>
                <label>
                  Reason
                  <input value={form().reason} onInput={(e) => setForm({ ...form(), reason: e.currentTarget.value })} />
                  <Show when={fieldErrors().reason}><p class="field-error">{fieldErrors().reason}</p></Show>
                </label>
                <label>
                  Notes
                  <textarea rows="3" value={form().notes} onInput={(e) => setForm({ ...form(), notes: e.currentTarget.value })} />
                  <Show when={fieldErrors().notes}><p class="field-error">{fieldErrors().notes}</p></Show>
                </label>
                <div class="actions">
                  <button type="button" class="btn" onClick={() => setEditing(false)}>
                    Discard
                  </button>
                  <button type="submit" class="btn btn-primary" disabled={busy()}>
                    Save
                  </button>
                </div>
              </form>
            </Show>

            <Show when={rescheduling()}>
              <RescheduleForm appt={a()} onDone={() => setRescheduling(false)} onCancel={() => setRescheduling(false)} />
            </Show>

            <EngagementSection appointmentId={a().id} canEdit={canEdit(a(), user())} />
            {/* Not a heading: the panel's one heading is the patient's name. */}
            <section class="add-to-calendar" aria-labelledby="add-cal-title" data-testid="add-to-calendar">
              <p id="add-cal-title" class="subhead">Add to calendar</p>
              <div class="link-row">
                <Show when={addLinks()}>
                  {(l) => (
                    <>
                      <a class="btn" href={l().google} target="_blank" rel="noopener noreferrer">
                        Google Calendar
                      </a>
                      <a class="btn" href={l().outlook} target="_blank" rel="noopener noreferrer">
                        Outlook
                      </a>
                    </>
                  )}
                </Show>
                {/* Staff's own download (full details, same endpoint the add-links .ics names). */}
                <a class="btn" href={api.icalUrl(a().id)} download="">
                  Download .ics
                </a>
              </div>
            </section>
            <Show when={!canEdit(a(), user()) && a().status !== "cancelled" && user()?.role === "doctor"}>
              <p class="muted">This is another doctor's appointment: you can view it, not change it.</p>
            </Show>
          </>
        )}
      </Show>
    </aside>
  );
}
