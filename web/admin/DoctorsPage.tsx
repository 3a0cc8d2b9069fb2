// Settings → Doctors. An admin sees every doctor (inactive ones too), adds doctors and edits all
// of a doctor's settings; a doctor sees only themself and edits their working hours, slot length
// and colour (what PATCH /api/doctors/:id lets them; worker/routes/doctors.ts) plus their time off.
// Saved changes reach open calendars live (worker/live/doctor-change.ts → stores/live.ts).
import { createEffect, createResource, createSignal, For, on, Show } from "solid-js";
import { ApiFailure } from "../api-client/client";
import { navigate, path } from "../stores/route";
import { refreshDoctors, upsertDoctor, user } from "../stores/session";
import { Dialog } from "../ui/Dialog";
import { Loaded, PageHead } from "../ui/page-parts";
import { FieldError } from "../ui/FieldError";
import { toast } from "../ui/toast";
import { adminApi, type AdminDoctor, type DoctorPatch, messageOf } from "./admin-api";
import { AppointmentTypesEditor } from "./AppointmentTypesEditor";
import { TimeOff } from "./TimeOff";
import { WEEKDAYS, WorkingHoursEditor } from "./WorkingHoursEditor";
import "./admin.css";

const SLOT_CHOICES = [5, 10, 15, 20, 30, 40, 45, 60, 90, 120];

/** The doctor id in "/settings/doctors/:id". */
const doctorInPath = () => /^\/settings\/doctors\/([0-9a-f]{32})\/?$/.exec(path())?.[1] ?? null;

export function DoctorsPage() {
  const isAdmin = () => user()?.role === "admin";
  // A doctor has exactly one doctor to edit: their own.
  const selected = () => (isAdmin() ? doctorInPath() : user()?.doctorId ?? null);
  return (
    <Show when={selected()} keyed fallback={<DoctorList />}>
      {(id) => <DoctorEditor id={id} />}
    </Show>
  );
}

function DoctorList() {
  const [list, { refetch }] = createResource(async () => (await adminApi.doctors(true)).doctors);
  const [adding, setAdding] = createSignal(false);
  return (
    <main class="settings" aria-labelledby="doctors-title">
      <PageHead id="doctors-title" title="Doctors" add="Add doctor" onAdd={() => setAdding(true)} />
      <p class="muted">Each doctor is a column in the calendar. To give a doctor a log-in, add them under Staff with the Doctor role instead.</p>
      <Loaded of={list} what="doctors">
          <ul class="cards" data-testid="doctor-list">
            <For each={list()}>
              {(d) => (
                <li class="card">
                  <a
                    href={`/settings/doctors/${d.id}`}
                    class="doctor-link"
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/settings/doctors/${d.id}`);
                    }}
                  >
                    <span class="swatch" style={{ background: d.color }} aria-hidden="true" />
                    {d.name}
                  </a>
                  <span class="muted">
                    {d.specialty || "—"} · {d.slotMinutes}-minute slots{d.active ? "" : " · inactive"}
                  </span>
                  <span class="muted small">{WEEKDAYS.filter((w) => d.workingHours[w.key]?.length).map((w) => w.label.slice(0, 3)).join(" ") || "No working hours"}</span>
                </li>
              )}
            </For>
          </ul>
      </Loaded>
      <Show when={adding()}>
        <Dialog title="Add doctor" onClose={() => setAdding(false)} testId="add-doctor">
          <AddDoctorForm
            onDone={(d) => {
              setAdding(false);
              void refetch();
              void refreshDoctors();
              if (d) navigate(`/settings/doctors/${d.id}`);
            }}
          />
        </Dialog>
      </Show>
    </main>
  );
}

function AddDoctorForm(props: { onDone: (d: AdminDoctor | null) => void }) {
  const [name, setName] = createSignal("");
  const [error, setError] = createSignal("");
  async function submit(e: Event) {
    e.preventDefault();
    try {
      props.onDone((await adminApi.createDoctor({ name: name() })).doctor);
    } catch (x) {
      setError(messageOf(x));
    }
  }
  return (
    <form class="form" onSubmit={submit}>
      <label>
        Name
        <input required value={name()} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <FieldError message={error()} />
      <div class="actions">
        <button type="button" class="btn" onClick={() => props.onDone(null)}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary">
          Add
        </button>
      </div>
    </form>
  );
}

function DoctorEditor(props: { id: string }) {
  const isAdmin = () => user()?.role === "admin";
  const [doc, { mutate }] = createResource(
    () => props.id,
    async (id) => (await adminApi.doctor(id)).doctor,
  );
  const [form, setForm] = createSignal<AdminDoctor | null>(null);
  createEffect(on(doc, (d) => d && setForm(structuredClone(d))));
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const edit = (p: Partial<AdminDoctor>) => setForm({ ...form()!, ...p });
  const hourErrors = () =>
    Object.fromEntries(
      Object.entries(errors())
        .filter(([k]) => k.startsWith("workingHours."))
        .map(([k, v]) => [k.split(".")[1], v]),
    );

  async function save(e: Event) {
    e.preventDefault();
    const f = form()!;
    setBusy(true);
    setError("");
    setErrors({});
    const patch: DoctorPatch = { workingHours: f.workingHours, slotMinutes: f.slotMinutes, color: f.color };
    if (isAdmin()) Object.assign(patch, { name: f.name, specialty: f.specialty, active: f.active, appointmentTypes: f.appointmentTypes.map((t) => ({ ...t, name: t.name.trim() })) });
    try {
      const { doctor } = await adminApi.updateDoctor(props.id, patch);
      mutate(doctor);
      upsertDoctor(doctor);
      toast(`Saved ${doctor.name}.`);
    } catch (x) {
      if (x instanceof ApiFailure && x.status === 422) setErrors(x.fieldErrors());
      setError(messageOf(x));
    } finally {
      setBusy(false);
    }
  }

  const own = () => user()?.doctorId === props.id;
  return (
    <main class="settings" aria-labelledby="doctor-title">
      <Show when={isAdmin()}>
        <a
          href="/settings/doctors"
          class="back-link"
          onClick={(e) => {
            e.preventDefault();
            navigate("/settings/doctors");
          }}
        >
          ← All doctors
        </a>
      </Show>
      <Show when={!doc.error} fallback={<p class="banner banner-error">{messageOf(doc.error, "Could not load the doctor.")}</p>}>
        <Show when={form()} fallback={<p class="muted">Loading…</p>}>
          {(f) => (
            <form class="form doctor-form" onSubmit={save} data-testid="doctor-form">
              <h1 id="doctor-title">{own() && !isAdmin() ? "My hours" : doc()?.name}</h1>
              <section aria-labelledby="doc-details">
                <h2 id="doc-details">Details</h2>
                <div class="row2">
                  <label>
                    Name
                    <input name="name" value={f().name} disabled={!isAdmin()} onInput={(e) => edit({ name: e.currentTarget.value })} aria-invalid={!!errors().name} />
                    <FieldError as="span" message={errors().name} />
                  </label>
                  <label>
                    Specialty
                    <input name="specialty" value={f().specialty} disabled={!isAdmin()} onInput={(e) => edit({ specialty: e.currentTarget.value })} />
                  </label>
                  <label>
                    Colour in the calendar
                    <input name="color" type="color" value={f().color} onInput={(e) => edit({ color: e.currentTarget.value })} />
                  </label>
                  <label>
                    Slot length
                    <select name="slotMinutes" value={String(f().slotMinutes)} onChange={(e) => edit({ slotMinutes: Number(e.currentTarget.value) })}>
                      <For each={[...new Set([...SLOT_CHOICES, f().slotMinutes])].sort((a, b) => a - b)}>{(m) => <option value={m}>{m} minutes</option>}</For>
                    </select>
                  </label>
                </div>
                <Show when={isAdmin()}>
                  <label class="check">
                    <input type="checkbox" checked={f().active} onChange={(e) => edit({ active: e.currentTarget.checked })} /> Active (shown in the calendar and bookable)
                  </label>
                </Show>
              </section>
              <section aria-labelledby="doc-hours">
                <h2 id="doc-hours">Working hours</h2>
                <p class="muted">Times in the clinic's time zone. A gap between two blocks is a break; a day without blocks is a day off.</p>
                <WorkingHoursEditor value={f().workingHours} onChange={(workingHours) => edit({ workingHours })} errors={hourErrors()} />
              </section>
              <Show when={isAdmin()}>
                <section aria-labelledby="doc-types">
                  <h2 id="doc-types">Appointment types</h2>
                  <AppointmentTypesEditor value={f().appointmentTypes} onChange={(appointmentTypes) => edit({ appointmentTypes })} />
                  <FieldError message={Object.entries(errors()).find(([k]) => k.startsWith("appointmentTypes"))?.[1]} />
                </section>
              </Show>
              <FieldError message={error()} />
              <div class="actions sticky-actions">
                <button type="submit" class="btn btn-primary" disabled={busy()}>
                  {busy() ? "Saving…" : "Save changes"}
                </button>
              </div>
            </form>
          )}
        </Show>
        <section aria-labelledby="doc-off" class="timeoff-section">
          <h2 id="doc-off">Holidays and days off</h2>
          <TimeOff doctorId={props.id} />
        </section>
      </Show>
    </main>
  );
}

