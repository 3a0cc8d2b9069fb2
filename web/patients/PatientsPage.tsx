// /patients: find a patient by any word of the name, phone digits or e-mail (the API's prefix
// search), open one, or add a new one. The search follows typing with a short pause so each
// keystroke does not cost a request.
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { navigate } from "../stores/route";
import { Dialog } from "../ui/Dialog";
import { PageHead } from "../ui/page-parts";
import { toast } from "../ui/toast";
import { emptyPatient, PatientForm } from "./PatientForm";
import { patientsApi } from "./patients-api";
import "../admin/admin.css";

export function PatientsPage() {
  const [input, setInput] = createSignal(new URLSearchParams(location.search).get("q") ?? "");
  const [query, setQuery] = createSignal(input());
  const [adding, setAdding] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const [list] = createResource(query, async (q) => (await patientsApi.search(q.trim())).patients);
  const typed = (v: string) => {
    setInput(v);
    clearTimeout(timer);
    timer = setTimeout(() => {
      setQuery(v);
      // Keep the search in the address, so a reload or Back shows the same list.
      history.replaceState(null, "", v ? `/patients?q=${encodeURIComponent(v)}` : "/patients");
    }, 200);
  };
  return (
    <main class="settings patients" aria-labelledby="patients-title">
      <PageHead id="patients-title" title="Patients" add="New patient" onAdd={() => setAdding(true)} />
      <label class="search-label">
        Search by name, phone or e-mail
        <input type="search" value={input()} onInput={(e) => typed(e.currentTarget.value)} placeholder="e.g. smith, 0207, anna@" autocomplete="off" />
      </label>
      <Show when={!list.error} fallback={<p class="banner banner-error">Could not search patients: {String((list.error as Error)?.message ?? "")}</p>}>
        <Show when={list()} fallback={<p class="muted">Searching…</p>}>
          <Show when={list()!.length} fallback={<p class="muted">No patient matches “{query()}”.</p>}>
            <table class="admin-table" data-testid="patient-list">
              <caption class="sr-only">Patients{query() ? ` matching ${query()}` : ""}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Phone</th>
                  <th scope="col">E-mail</th>
                  <th scope="col">Date of birth</th>
                </tr>
              </thead>
              <tbody>
                <For each={list()}>
                  {(p) => (
                    <tr data-patient-id={p.id}>
                      <th scope="row">
                        <a
                          href={`/patients/${p.id}`}
                          onClick={(e) => {
                            e.preventDefault();
                            navigate(`/patients/${p.id}`);
                          }}
                        >
                          {p.name}
                        </a>
                      </th>
                      <td>{p.phone}</td>
                      <td>{p.email}</td>
                      <td>{p.dateOfBirth ?? ""}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        </Show>
      </Show>
      <Show when={adding()}>
        <Dialog title="New patient" onClose={() => setAdding(false)} testId="new-patient">
          <PatientForm
            initial={{ ...emptyPatient(), name: /\d/.test(input()) ? "" : input() }}
            submitLabel="Add patient"
            onCancel={() => setAdding(false)}
            onSubmit={async (f) => {
              const { patient } = await patientsApi.create(f);
              setAdding(false);
              toast(`${patient.name} added.`);
              navigate(`/patients/${patient.id}`);
            }}
          />
        </Dialog>
      </Show>
    </main>
  );
}
