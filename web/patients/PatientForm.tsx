// The patient's own fields, shared by "New patient" and the patient page: name, phone, e-mail,
// date of birth, notes. Field errors come from the API's 422 details.
import { createSignal } from "solid-js";
import { ApiFailure } from "../api-client/client";
import { toWall } from "../lib/tz";
import { clinicTz } from "../stores/session";
import { FieldError } from "../ui/FieldError";
import type { PatientFields } from "./patients-api";

export const emptyPatient = (): PatientFields => ({ name: "", phone: "", email: "", dateOfBirth: null, notes: "" });

export function PatientForm(props: { initial: PatientFields; submitLabel: string; onSubmit: (f: PatientFields) => Promise<void>; onCancel?: () => void; testId?: string }) {
  const [f, setF] = createSignal<PatientFields>({ ...props.initial });
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const set = (k: keyof PatientFields) => (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
    setF({ ...f(), [k]: k === "dateOfBirth" ? e.currentTarget.value || null : e.currentTarget.value });
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    setErrors({});
    try {
      await props.onSubmit(f());
    } catch (x) {
      if (x instanceof ApiFailure && x.status === 422) setErrors(x.fieldErrors());
      setError(x instanceof Error ? x.message : "Could not save.");
    } finally {
      setBusy(false);
    }
  }
  // The clinic's today, not UTC's (before 10:00 in Sydney that is still yesterday): the API checks the same.
  const today = toWall(Date.now(), clinicTz()).slice(0, 10);
  return (
    <form class="form" onSubmit={submit} data-testid={props.testId}>
      <label>
        Name
        <input name="name" required maxlength="200" autocomplete="off" value={f().name} onInput={set("name")} aria-invalid={!!errors().name} />
        <FieldError as="span" message={errors().name} />
      </label>
      <div class="row2">
        <label>
          Phone
          <input name="phone" type="tel" maxlength="40" autocomplete="off" value={f().phone} onInput={set("phone")} aria-invalid={!!errors().phone} />
          <FieldError as="span" message={errors().phone} />
        </label>
        <label>
          E-mail
          <input name="email" type="email" maxlength="254" autocomplete="off" value={f().email} onInput={set("email")} aria-invalid={!!errors().email} />
          <FieldError as="span" message={errors().email} />
        </label>
      </div>
      <label>
        Date of birth
        <input name="dateOfBirth" type="date" min="1900-01-01" max={today} value={f().dateOfBirth ?? ""} onInput={set("dateOfBirth")} aria-invalid={!!errors().dateOfBirth} />
        <FieldError as="span" message={errors().dateOfBirth} />
      </label>
      <label>
        Notes
        <textarea name="notes" rows="3" maxlength="5000" value={f().notes} onInput={set("notes")} aria-invalid={!!errors().notes} />
        <FieldError as="span" message={errors().notes} />
      </label>
      <FieldError message={error()} />
      <div class="actions">
        {props.onCancel ? (
          <button type="button" class="btn" onClick={props.onCancel}>
            Cancel
          </button>
        ) : null}
        <button type="submit" class="btn btn-primary" disabled={busy()}>
          {busy() ? "Saving…" : props.submitLabel}
        </button>
      </div>
    </form>
  );
}
