// First run: the clinic and its first admin, on a database with no clinic (worker/routes/setup.ts).
// After saving, the admin is logged in with the same credentials and the page is gone for good
// (the server refuses a second setup; SignedOut asks it before showing this page).
import { createSignal, For } from "solid-js";
import { ApiFailure } from "../api-client/client";
import { logIn } from "../stores/session";
import { navigate } from "../stores/route";
import { FieldError } from "../ui/FieldError";
import { adminApi } from "../admin/admin-api";
import { timeZones } from "../admin/time-zones";

export function SetupPage(props: { onDone: (alreadySetUp: boolean) => void }) {
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [f, setF] = createSignal({ clinic: "", timeZone: browserZone, address: "", name: "", email: "", password: "", confirm: "" });
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const set = (k: keyof ReturnType<typeof f>) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => setF({ ...f(), [k]: e.currentTarget.value });
  const err = (k: string) => errors()[k];

  async function submit(e: Event) {
    e.preventDefault();
    setError("");
    if (f().password !== f().confirm) return setErrors({ confirm: "The two passwords are not the same." });
    setErrors({});
    setBusy(true);
    try {
      const v = f();
      await adminApi.setup({ clinic: { name: v.clinic, timeZone: v.timeZone, address: v.address }, admin: { name: v.name, email: v.email, password: v.password } });
      await logIn(v.email, v.password);
      navigate("/settings/staff");
      props.onDone(false);
    } catch (x) {
      if (x instanceof ApiFailure && x.code === "setup_done") return props.onDone(true);
      if (x instanceof ApiFailure && x.status === 422) setErrors(x.fieldErrors());
      setError(x instanceof Error ? x.message : "Setup did not work. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <form class="form login-card setup-card" aria-labelledby="setup-title" onSubmit={submit} novalidate={false}>
        <h1 id="setup-title">Set up ACMS Calendar</h1>
        <p class="muted">This server has no clinic yet. Create it and the first admin account; you add staff and doctors next.</p>
        <fieldset class="setup-group">
          <legend>Clinic</legend>
          <label>
            Clinic name
            <input name="clinic" required maxlength="200" value={f().clinic} onInput={set("clinic")} aria-invalid={!!err("clinic.name")} />
            <FieldError as="span" message={err("clinic.name")} />
          </label>
          <label>
            Time zone
            <select name="timeZone" value={f().timeZone} onChange={set("timeZone")} aria-invalid={!!err("clinic.timeZone")}>
              <For each={timeZones(browserZone)}>{(z) => <option value={z}>{z}</option>}</For>
            </select>
            <FieldError as="span" message={err("clinic.timeZone")} />
          </label>
          <label>
            Address
            <input name="address" maxlength="500" autocomplete="street-address" value={f().address} onInput={set("address")} />
          </label>
        </fieldset>
        <fieldset class="setup-group">
          <legend>First admin</legend>
          <label>
            Your name
            <input name="name" required autocomplete="name" value={f().name} onInput={set("name")} aria-invalid={!!err("admin.name")} />
            <FieldError as="span" message={err("admin.name")} />
          </label>
          <label>
            E-mail
            <input name="email" type="email" required autocomplete="username" value={f().email} onInput={set("email")} aria-invalid={!!err("admin.email")} />
            <FieldError as="span" message={err("admin.email")} />
          </label>
          <label>
            Password (at least 10 characters)
            <input name="password" type="password" required minlength="10" autocomplete="new-password" value={f().password} onInput={set("password")} aria-invalid={!!err("admin.password")} />
            <FieldError as="span" message={err("admin.password")} />
          </label>
          <label>
            Password again
            <input name="confirm" type="password" required autocomplete="new-password" value={f().confirm} onInput={set("confirm")} aria-invalid={!!err("confirm")} />
            <FieldError as="span" message={err("confirm")} />
          </label>
        </fieldset>
        <FieldError message={error()} />
        <button type="submit" class="btn btn-primary" disabled={busy()}>
          {busy() ? "Setting up…" : "Create clinic"}
        </button>
      </form>
    </main>
  );
}
