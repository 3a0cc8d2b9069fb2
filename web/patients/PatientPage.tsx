// /patients/:id — the patient's details (editable) and appointment history, newest first, every
// status. The calendar's details panel links here. Each history line opens the appointment in
// the calendar (/appointments/:id).
import { createResource, createSignal, For, Show } from "solid-js";
import type { Appointment } from "../api-client/types";
import { STATUS_LABEL } from "../api-client/statuses";
import { formatDateTime } from "../lib/tz";
import { navigate } from "../stores/route";
import { clinicTz, doctors } from "../stores/session";
import { toast } from "../ui/toast";
import { PatientForm } from "./PatientForm";
import { patientsApi } from "./patients-api";
import { PatientWaitlist } from "../waitlist/PatientWaitlist";
import "../admin/admin.css";

export function PatientPage(props: { id: string }) {
  const [patient, { mutate }] = createResource(
    () => props.id,
    async (id) => (await patientsApi.get(id)).patient,
  );
  const [history, setHistory] = createSignal<Appointment[]>([]);
  const [more, setMore] = createSignal(false);
  const [historyError, setHistoryError] = createSignal("");
  const loadHistory = async (before?: string) => {
    try {
      const r = await patientsApi.history(props.id, before);
      setHistory((h) => (before ? [...h, ...r.appointments] : r.appointments));
      setMore(r.more);
      setHistoryError("");
    } catch (e) {
      setHistoryError(e instanceof Error ? e.message : "Could not load the history.");
    }
  };
  void loadHistory();
  const doctorName = (id: string) => doctors().find((d) => d.id === id)?.name ?? "—";
  const now = Date.now();
  return (
    <main class="settings patient-page" aria-labelledby="patient-title">
      <a
        href="/patients"
        class="back-link"
        onClick={(e) => {
          e.preventDefault();
          navigate("/patients");
        }}
      >
        ← All patients
      </a>
      <Show when={!patient.error} fallback={<p class="banner banner-error">{(patient.error as Error)?.message ?? "Could not load the patient."}</p>}>
        <Show when={patient()} keyed fallback={<p class="muted">Loading…</p>}>
          {(p) => (
            <>
              <h1 id="patient-title">{p.name}</h1>
              <section aria-labelledby="patient-details">
                <h2 id="patient-details">Details</h2>
                <PatientForm
                  testId="patient-form"
                  initial={{ name: p.name, phone: p.phone, email: p.email, dateOfBirth: p.dateOfBirth, notes: p.notes }}
                  submitLabel="Save"
                  onSubmit={async (f) => {
                    const { patient: saved } = await patientsApi.update(props.id, f);
                    mutate(saved);
                    toast("Patient saved.");
                  }}
                />
              </section>
              <PatientWaitlist patientId={props.id} patientName={p.name} />
            </>
          )}
        </Show>
      </Show>
      <section aria-labelledby="patient-history">
        <h2 id="patient-history">Appointments</h2>
        <Show when={!historyError()} fallback={<p class="banner banner-error">{historyError()}</p>}>
          <Show when={history().length} fallback={<p class="muted">No appointments yet.</p>}>
            <ul class="history" data-testid="patient-history">
              <For each={history()}>
                {(a) => (
                  <li data-appointment-id={a.id} class={Date.parse(a.start) > now ? "upcoming" : ""}>
                    <a
                      href={`/appointments/${a.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(`/appointments/${a.id}`);
                      }}
                    >
                      {formatDateTime(a.start, clinicTz())}
                    </a>
                    <span>{doctorName(a.doctorId)}</span>
                    <span>{a.type}</span>
                    <span class={`badge st-${a.status}`}>{STATUS_LABEL[a.status] ?? a.status}</span>
                  </li>
                )}
              </For>
            </ul>
            <Show when={more()}>
              <button type="button" class="btn btn-quiet" onClick={() => void loadHistory(history()[history().length - 1]?.start)}>
                Show older appointments
              </button>
            </Show>
          </Show>
        </Show>
      </section>
    </main>
  );
}
