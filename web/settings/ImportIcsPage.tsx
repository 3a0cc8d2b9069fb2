// Settings → Import .ics: a doctor imports into their own calendar, an admin into any doctor's.
// Two steps against POST /api/doctors/:id/import/ics: Preview (?preview=1, writes nothing) shows
// what would be created, updated (moved), removed (cancelled or deleted in the calendar) and what
// is skipped and why, plus events that cannot be read; Import commits the same file. Re-importing
// is safe: the server remembers (UID, RECURRENCE-ID) and only changes what changed.
import { createResource, createSignal, For, Show } from "solid-js";
import { ApiFailure, api } from "../api-client/client";
import type { Patient } from "../api-client/types";
import { clinicTz, doctors, user } from "../stores/session";
import { toast } from "../ui/toast";
import { type ImportAnswer, type ImportMode, settingsApi } from "./settings-api";

const REASONS: Record<string, string> = {
  out_of_window: "outside the import window",
  already_imported: "already imported",
  conflict: "overlaps an existing appointment or blocked time",
  cancelled: "cancelled in the file",
  free: "marked free (transparent)",
  duplicate_in_file: "appears twice in the file",
  zero_length: "has no duration",
  too_long: "too long for an appointment",
};
const reasonText = (r?: string) => (r ? (REASONS[r] ?? r.replaceAll("_", " ")) : "");
/** Anything for Import to write: new, moved or removed events. */
const writes = (a: ImportAnswer) => a.counts.create + (a.counts.update ?? 0) + (a.counts.remove ?? 0);
/** Events the server refuses: the file cannot be imported until they are fixed or removed. */
const refused = (a: ImportAnswer) => a.refused?.length ?? 0;

/** The user-facing message for a failed upload, with the first problems the server listed. */
function describeFailure(e: unknown): { message: string; problems: string[] } {
  if (!(e instanceof ApiFailure)) return { message: e instanceof Error ? e.message : "The import failed.", problems: [] };
  const problems = Array.isArray(e.details)
    ? (e.details as { path?: unknown; message?: string }[]).slice(0, 10).map((d) => `${d.path ? `${String(d.path)}: ` : ""}${d.message ?? ""}`)
    : [];
  const prefix =
    e.status === 413 ? "The file is too large. " : e.status === 415 ? "That is not an .ics calendar file. " : e.status === 422 ? "The file cannot be imported. " : "";
  return { message: prefix + e.message, problems };
}

export function ImportIcsPage() {
  const isAdmin = () => user()?.role === "admin";
  const [doctorId, setDoctorId] = createSignal(user()?.doctorId ?? doctors()[0]?.id ?? "");
  const [file, setFile] = createSignal<File | null>(null);
  const [mode, setMode] = createSignal<ImportMode>("blocked");
  const [patientQuery, setPatientQuery] = createSignal("");
  const [patient, setPatient] = createSignal<Patient | null>(null);
  const [preview, setPreview] = createSignal<ImportAnswer | null>(null);
  const [result, setResult] = createSignal<ImportAnswer | null>(null);
  const [failure, setFailure] = createSignal<{ message: string; problems: string[] } | null>(null);
  const [busy, setBusy] = createSignal(false);

  const [patients] = createResource(
    () => (mode() === "appointments" && !patient() && patientQuery().trim().length >= 2 ? patientQuery().trim() : null),
    async (q) => (await api.patients(q)).patients,
  );

  const fmt = (iso: string, allDay: boolean) =>
    new Intl.DateTimeFormat(undefined, { timeZone: clinicTz(), dateStyle: "medium", ...(allDay ? {} : { timeStyle: "short" }) }).format(new Date(iso));

  /** Any change to the inputs makes an earlier preview stale. */
  function changed() {
    setPreview(null);
    setResult(null);
    setFailure(null);
  }

  async function run(commit: boolean) {
    const f = file();
    if (!f || !doctorId()) return;
    if (mode() === "appointments" && !patient()) {
      setFailure({ message: "Choose the patient the appointments are for.", problems: [] });
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      const answer = await settingsApi.importIcs(doctorId(), f, { preview: !commit, mode: mode(), patientId: patient()?.id });
      if (commit) {
        setResult(answer);
        setPreview(null);
        toast(
          answer.updated || answer.removed
            ? `Imported: ${answer.created ?? 0} created, ${answer.updated ?? 0} moved, ${answer.removed ?? 0} removed.`
            : `Imported ${answer.created ?? 0} event(s).`,
        );
      } else setPreview(answer);
    } catch (e) {
      setFailure(describeFailure(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="settings" aria-labelledby="import-title">
      <h1 id="import-title">Import .ics</h1>
      <p class="muted">
        Events from an iCalendar file become blocked time (or appointments for one patient) in a doctor's calendar. Nothing is written until you
        press Import; importing the same file again creates nothing twice.
      </p>
      <form
        class="form"
        novalidate
        onSubmit={(e) => {
          e.preventDefault();
          void run(false);
        }}
      >
        <Show when={isAdmin()}>
          <label>
            Doctor
            <select
              value={doctorId()}
              onChange={(e) => {
                setDoctorId(e.currentTarget.value);
                changed();
              }}
            >
              <For each={doctors()}>{(d) => <option value={d.id}>{d.name}</option>}</For>
            </select>
          </label>
        </Show>
        <label>
          Calendar file (.ics, at most 1 MiB)
          <input
            type="file"
            accept=".ics,text/calendar"
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              changed();
            }}
          />
        </label>
        <fieldset class="tpl">
          <legend>Import as</legend>
          <label class="check">
            <input
              type="radio"
              name="import-mode"
              checked={mode() === "blocked"}
              onChange={() => {
                setMode("blocked");
                changed();
              }}
            />
            Blocked time
          </label>
          <label class="check">
            <input
              type="radio"
              name="import-mode"
              checked={mode() === "appointments"}
              onChange={() => {
                setMode("appointments");
                changed();
              }}
            />
            Appointments for a patient
          </label>
          <Show when={mode() === "appointments"}>
            <Show
              when={!patient()}
              fallback={
                <p>
                  Patient: <strong>{patient()!.name}</strong>{" "}
                  <button type="button" class="btn btn-quiet" onClick={() => (setPatient(null), changed())}>
                    Change
                  </button>
                </p>
              }
            >
              <label>
                Patient
                <input type="search" placeholder="Name or phone (2+ characters)" value={patientQuery()} onInput={(e) => setPatientQuery(e.currentTarget.value)} />
              </label>
              <ul class="picker" aria-label="Matching patients">
                <For each={patients() ?? []}>
                  {(p) => (
                    <li>
                      <button type="button" class="btn btn-quiet" onClick={() => (setPatient(p), changed())}>
                        {p.name} {p.phone ? `· ${p.phone}` : ""}
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </Show>
        </fieldset>
        <Show when={failure()}>
          <div class="notice notice-warn" role="alert" data-testid="import-error">
            <p>{failure()!.message}</p>
            <Show when={failure()!.problems.length}>
              <ul>
                <For each={failure()!.problems}>{(p) => <li>{p}</li>}</For>
              </ul>
            </Show>
          </div>
        </Show>
        <div class="actions">
          <button type="submit" class="btn" disabled={busy() || !file() || !doctorId()}>
            Preview
          </button>
          <button type="button" class="btn btn-primary" disabled={busy() || !preview() || writes(preview()!) === 0 || refused(preview()!) > 0} onClick={() => void run(true)}>
            Import
          </button>
        </div>
      </form>
      <Show when={preview()}>
        {(p) => (
          <section aria-labelledby="preview-title" data-testid="import-preview">
            <h2 id="preview-title">Preview</h2>
            <p data-testid="import-counts">
              {p().counts.create} to create, {p().counts.skip} skipped
              <Show when={p().counts.update}>, {p().counts.update} to update</Show>
              <Show when={p().counts.remove}>, {p().counts.remove} to remove</Show> ({p().counts.events} event(s) in the file; window{" "}
              {fmt(p().window.from, true)} – {fmt(p().window.to, true)}).
            </p>
            <table class="import-table">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">When</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                <For each={p().items}>
                  {(i) => (
                    <tr data-action={i.action}>
                      <td>{i.summary || "(no title)"}</td>
                      <td>
                        {fmt(i.start, i.allDay)}
                        {i.allDay ? " (all day)" : ` – ${fmt(i.end, false)}`}
                      </td>
                      <td>
                        {i.action === "create"
                          ? "will be created"
                          : i.action === "update"
                            ? `will be moved from ${i.previous ? fmt(i.previous.start, i.allDay) : "its old time"}`
                            : i.action === "remove"
                              ? "will be removed (cancelled or deleted in the calendar)"
                              : `skipped: ${reasonText(i.reason)}`}
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <Show when={p().items.length < writes(p()) + p().counts.skip}>
              <p class="muted">Only the first {p().items.length} events are listed.</p>
            </Show>
            <Show when={refused(p())}>
              <div class="notice notice-warn" role="alert" data-testid="import-refused">
                <p>{refused(p())} event(s) cannot be imported as they are; fix or remove them in the calendar, then preview again:</p>
                <ul>
                  <For each={p().refused!.slice(0, 20)}>{(x) => <li>{x.message}</li>}</For>
                </ul>
              </div>
            </Show>
          </section>
        )}
      </Show>
      <Show when={result()}>
        {(r) => (
          <section aria-labelledby="result-title" data-testid="import-result">
            <h2 id="result-title">Imported</h2>
            <p>
              {r().created ?? 0} {r().mode === "blocked" ? "blocked time(s)" : "appointment(s)"} created, {r().counts.skip} skipped
              <Show when={r().updated}>, {r().updated} moved</Show>
              <Show when={r().removed}>, {r().removed} removed</Show>
              <Show when={(r().failed?.length ?? 0) > 0}>, {r().failed!.length} could not be written (they overlap something added meanwhile)</Show>.
            </p>
            <Show when={r().failed?.length}>
              <ul class="muted">
                <For each={r().failed!.slice(0, 20)}>{(x) => <li>{x.uid}: {x.message}</li>}</For>
              </ul>
            </Show>
            <For each={Object.entries(r().counts.byReason)}>
              {([reason, n]) => (
                <p class="muted">
                  {n} {reasonText(reason)}
                </p>
              )}
            </For>
          </section>
        )}
      </Show>
    </main>
  );
}
