// Settings → Clinic (admin): name, address, time zone and the default reminders that patient
// invitations carry. The zone is the clinic's wall clock: working hours are read in it, so a
// change asks for confirmation first (appointments keep their instants; see worker/routes/clinic.ts).
import { createEffect, createResource, createSignal, For, on, Show } from "solid-js";
import { ApiFailure } from "../api-client/client";
import { clinicSaved } from "../stores/session";
import { FieldError } from "../ui/FieldError";
import { toast } from "../ui/toast";
import { askConfirm } from "../ui/confirm";
import { adminApi, type ClinicSettings, messageOf } from "./admin-api";
import { timeZones } from "./time-zones";
import "./admin.css";

const REMINDER_CHOICES: { minutes: number; label: string }[] = [
  { minutes: 10_080, label: "1 week before" },
  { minutes: 2_880, label: "2 days before" },
  { minutes: 1_440, label: "1 day before" },
  { minutes: 240, label: "4 hours before" },
  { minutes: 120, label: "2 hours before" },
  { minutes: 60, label: "1 hour before" },
  { minutes: 30, label: "30 minutes before" },
];

export function ClinicPage() {
  const [clinic, { mutate }] = createResource(async () => (await adminApi.clinic()).clinic);
  const [f, setF] = createSignal<ClinicSettings | null>(null);
  createEffect(on(clinic, (c) => c && setF(structuredClone(c))));
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);

  async function save(e: Event) {
    e.preventDefault();
    const v = f()!;
    if (v.timeZone !== clinic()!.timeZone && !(await askConfirm({ title: "Change the clinic's time zone?", message: `Working hours are then read in ${v.timeZone}; appointments stay at their instants.`, confirmLabel: `Change to ${v.timeZone}` }))) return;
    setBusy(true);
    setError("");
    setErrors({});
    try {
      const { clinic: saved } = await adminApi.updateClinic({ name: v.name, address: v.address, timeZone: v.timeZone, reminderMinutes: v.reminderMinutes });
      mutate(saved);
      clinicSaved(saved);
      toast("Clinic settings saved. Reload open calendars if you changed the time zone.");
    } catch (x) {
      if (x instanceof ApiFailure && x.status === 422) setErrors(x.fieldErrors());
      setError(messageOf(x));
    } finally {
      setBusy(false);
    }
  }
  const toggleReminder = (m: number, on: boolean) => {
    const r = new Set(f()!.reminderMinutes);
    if (on) r.add(m);
    else r.delete(m);
    setF({ ...f()!, reminderMinutes: [...r].sort((a, b) => b - a) });
  };
  return (
    <main class="settings" aria-labelledby="clinic-title">
      <h1 id="clinic-title">Clinic</h1>
      <Show when={!clinic.error} fallback={<p class="banner banner-error">{messageOf(clinic.error, "Could not load the clinic.")}</p>}>
        <Show when={f()} fallback={<p class="muted">Loading…</p>}>
          {(v) => (
            <form class="form" onSubmit={save} data-testid="clinic-form">
              <label>
                Clinic name
                <input name="name" required value={v().name} onInput={(e) => setF({ ...v(), name: e.currentTarget.value })} aria-invalid={!!errors().name} />
                <FieldError as="span" message={errors().name} />
              </label>
              <label>
                Address
                <textarea name="address" rows="2" maxlength="500" value={v().address} onInput={(e) => setF({ ...v(), address: e.currentTarget.value })} />
              </label>
              <label>
                Time zone
                <select name="timeZone" value={v().timeZone} onChange={(e) => setF({ ...v(), timeZone: e.currentTarget.value })} aria-invalid={!!errors().timeZone}>
                  <For each={timeZones(v().timeZone)}>{(z) => <option value={z}>{z}</option>}</For>
                </select>
                <FieldError as="span" message={errors().timeZone} />
              </label>
              <fieldset class="setup-group">
                <legend>Reminders in patient invitations</legend>
                <p class="muted">The calendar invitation a patient receives reminds them at these times.</p>
                <For each={[...new Set([...REMINDER_CHOICES.map((c) => c.minutes), ...v().reminderMinutes])].sort((a, b) => b - a)}>
                  {(m) => (
                    <label class="check">
                      <input type="checkbox" checked={v().reminderMinutes.includes(m)} onChange={(e) => toggleReminder(m, e.currentTarget.checked)} />{" "}
                      {REMINDER_CHOICES.find((c) => c.minutes === m)?.label ?? `${m} minutes before`}
                    </label>
                  )}
                </For>
                <FieldError message={errors().reminderMinutes} />
              </fieldset>
              <FieldError message={error()} />
              <div class="actions">
                <button type="submit" class="btn btn-primary" disabled={busy()}>
                  {busy() ? "Saving…" : "Save"}
                </button>
              </div>
            </form>
          )}
        </Show>
      </Show>
    </main>
  );
}
