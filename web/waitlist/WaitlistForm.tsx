// "Add to waitlist": who (patient search, or fixed when opened from the patient's page), which
// doctor (or any), type, from–to dates, preferred days and times ("mornings", "Tue/Thu after
// 15:00"), how to reach them (SMS needs recorded consent: the server refuses otherwise and the
// message shows at the field), and priority.
import { createResource, createSignal, For, Show } from "solid-js";
import { ApiFailure } from "../api-client/client";
import { typesFor } from "../booking/appointment-types";
import { addDays, formatDateTime, todayIn, ymd } from "../lib/tz";
import { patientsApi } from "../patients/patients-api";
import { clinicTz, doctors } from "../stores/session";
import { type Preference, waitlistApi } from "./waitlist-api";

const WINDOWS: Record<string, [string, string]> = { any: ["00:00", "24:00"], mornings: ["00:00", "12:00"], afternoons: ["12:00", "17:00"], evenings: ["17:00", "24:00"] };
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export function WaitlistForm(props: { patient?: { id: string; name: string }; onDone: () => void }) {
  const today = todayIn(clinicTz());
  const [q, setQ] = createSignal("");
  const [patient, setPatient] = createSignal(props.patient ?? null);
  const [found] = createResource(q, async (s) => (s.trim().length >= 2 ? (await patientsApi.search(s.trim(), 8)).patients : []));
  const [doctorId, setDoctorId] = createSignal<string>("");
  const types = () => typesFor(doctors().find((d) => d.id === doctorId()));
  const [type, setType] = createSignal("consultation");
  const [from, setFrom] = createSignal(ymd(today));
  const [to, setTo] = createSignal(ymd(addDays(today, 28)));
  const [window, setWindow] = createSignal("any");
  const [after, setAfter] = createSignal("15:00");
  const [days, setDays] = createSignal<number[]>([]);
  const [channel, setChannel] = createSignal<"sms" | "email">("sms");
  const [priority, setPriority] = createSignal(0);
  const [note, setNote] = createSignal("");
  const [replaces, setReplaces] = createSignal("");
  // The patient's upcoming appointments: an earlier time can move one of them instead of booking a second.
  const [upcoming] = createResource(
    () => patient()?.id,
    async (id) => (await patientsApi.history(id)).appointments.filter((a) => Date.parse(a.start) > Date.now() && (a.status === "scheduled" || a.status === "confirmed")),
  );
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [busy, setBusy] = createSignal(false);

  const preferences = (): Preference[] => {
    if (window() === "any" && !days().length) return [];
    const [f, t] = window() === "after" ? [after(), "24:00"] : WINDOWS[window()];
    return [{ days: days(), from: f, to: t }];
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const p = patient();
    if (!p) return setErrors({ patientId: "Choose a patient." });
    setBusy(true);
    try {
      await waitlistApi.add({ patientId: p.id, doctorId: doctorId() || null, type: type(), earliestDate: from(), latestDate: to(), preferences: preferences(), channel: channel(), priority: priority(), note: note(), replacesAppointmentId: replaces() || null });
      props.onDone();
    } catch (err) {
      setErrors(err instanceof ApiFailure ? { _: err.message, ...err.fieldErrors() } : { _: String(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="waitlist-form" onSubmit={submit} data-testid="waitlist-form">
      <Show when={errors()._}><p class="banner banner-error" role="alert">{errors()._}</p></Show>
      <Show
        when={patient()}
        keyed
        fallback={
          <label>
            Patient
            <input type="search" value={q()} onInput={(e) => setQ(e.currentTarget.value)} placeholder="Name, phone or e-mail" autocomplete="off" data-testid="waitlist-patient-search" />
            <ul class="pick-list">
              <For each={found() ?? []}>{(p) => <li><button type="button" class="btn btn-quiet" onClick={() => setPatient({ id: p.id, name: p.name })}>{p.name} <span class="muted">{p.phone}</span></button></li>}</For>
            </ul>
            <Show when={errors().patientId}><span class="field-error">{errors().patientId}</span></Show>
          </label>
        }
      >
        {(p) => (
          <p>
            Patient: <strong>{p.name}</strong>{" "}
            <Show when={!props.patient}><button type="button" class="btn btn-quiet" onClick={() => setPatient(null)}>change</button></Show>
          </p>
        )}
      </Show>
      <div class="row3">
        <label>
          Doctor
          <select value={doctorId()} onChange={(e) => setDoctorId(e.currentTarget.value)} data-testid="waitlist-doctor">
            <option value="">Any doctor</option>
            <For each={doctors()}>{(d) => <option value={d.id}>{d.name}</option>}</For>
          </select>
        </label>
        <label>
          Type
          <select value={type()} onChange={(e) => setType(e.currentTarget.value)}>
            <For each={types()}>{(t) => <option value={t.name}>{t.name} ({t.minutes} min)</option>}</For>
          </select>
        </label>
        <label>
          Priority
          <select value={String(priority())} onChange={(e) => setPriority(Number(e.currentTarget.value))}>
            <option value="0">Normal</option>
            <option value="1">High</option>
            <option value="2">Urgent</option>
          </select>
        </label>
      </div>
      <div class="row3">
        <label>Earliest <input type="date" value={from()} onInput={(e) => setFrom(e.currentTarget.value)} required /></label>
        <label>
          Latest <input type="date" value={to()} onInput={(e) => setTo(e.currentTarget.value)} required />
          <Show when={errors().latestDate}><span class="field-error">{errors().latestDate}</span></Show>
        </label>
        <label>
          Times
          <select value={window()} onChange={(e) => setWindow(e.currentTarget.value)} data-testid="waitlist-times">
            <option value="any">Any time</option>
            <option value="mornings">Mornings</option>
            <option value="afternoons">Afternoons</option>
            <option value="evenings">Evenings</option>
            <option value="after">After…</option>
          </select>
        </label>
      </div>
      <Show when={window() === "after"}>
        <label>After <input type="time" value={after()} onInput={(e) => setAfter(e.currentTarget.value)} /></label>
      </Show>
      <fieldset class="days-pick">
        <legend>Days (none ticked: any day)</legend>
        <For each={DAYS}>
          {(d, i) => (
            <label>
              <input type="checkbox" checked={days().includes(i() + 1)} onChange={(e) => setDays((list) => (e.currentTarget.checked ? [...list, i() + 1].sort() : list.filter((x) => x !== i() + 1)))} /> {d}
            </label>
          )}
        </For>
      </fieldset>
      <fieldset class="days-pick">
        <legend>Offer by</legend>
        <label><input type="radio" name="wl-channel" checked={channel() === "sms"} onChange={() => setChannel("sms")} /> SMS</label>
        <label><input type="radio" name="wl-channel" checked={channel() === "email"} onChange={() => setChannel("email")} /> E-mail</label>
        <Show when={errors().channel}><span class="field-error">{errors().channel}</span></Show>
      </fieldset>
      <Show when={upcoming()?.length}>
        <label>
          When an earlier time is accepted
          <select value={replaces()} onChange={(e) => setReplaces(e.currentTarget.value)} data-testid="waitlist-replaces">
            <option value="">book it as a new appointment</option>
            <For each={upcoming()}>{(a) => <option value={a.id}>move the appointment on {formatDateTime(a.start, clinicTz())} ({a.type})</option>}</For>
          </select>
          <Show when={errors().replacesAppointmentId}><span class="field-error">{errors().replacesAppointmentId}</span></Show>
        </label>
      </Show>
      <label>Note for staff <input value={note()} onInput={(e) => setNote(e.currentTarget.value)} maxLength={500} /></label>
      <div class="sticky-actions">
        <button type="submit" class="btn btn-primary" disabled={busy()}>Add to waitlist</button>
      </div>
    </form>
  );
}
