// Settings → Staff (admin): everyone who can log in. Create an account (a doctor account also
// creates the doctor's calendar column), disable/enable, reset a password. Roles are fixed per
// account (a session carries its role; see worker/routes/users.ts): to change one, disable the
// account and create another.
import { createResource, createSignal, For, Show } from "solid-js";
import { ApiFailure } from "../api-client/client";
import type { Role } from "../api-client/types";
import { refreshDoctors, user } from "../stores/session";
import { Dialog } from "../ui/Dialog";
import { FieldError } from "../ui/FieldError";
import { toast } from "../ui/toast";
import { Loaded, PageHead } from "../ui/page-parts";
import { askConfirm } from "../ui/confirm";
import { adminApi, messageOf, type StaffUser, type WorkingHours } from "./admin-api";
import { WorkingHoursEditor } from "./WorkingHoursEditor";
import { DEFAULT_WORKING_HOURS } from "../../worker/doctors/new-doctor";
import "./admin.css";

const ROLE_LABEL: Record<Role, string> = { admin: "Admin", doctor: "Doctor", receptionist: "Receptionist" };

export function StaffPage() {
  const [list, { refetch }] = createResource(async () => (await adminApi.users()).users);
  const [creating, setCreating] = createSignal(false);
  const [resetting, setResetting] = createSignal<StaffUser | null>(null);

  async function toggle(u: StaffUser) {
    if (!u.disabled && !(await askConfirm({ title: `Disable ${u.name}?`, message: "They are logged out at once and cannot log in until enabled again.", confirmLabel: "Disable", danger: true }))) return;
    try {
      await adminApi.updateUser(u.id, { disabled: !u.disabled });
      toast(u.disabled ? `${u.name} can log in again.` : `${u.name} is disabled.`);
      void refetch();
    } catch (e) {
      toast(messageOf(e), "error");
    }
  }

  return (
    <main class="settings" aria-labelledby="staff-title">
      <PageHead id="staff-title" title="Staff" add="Add staff member" onAdd={() => setCreating(true)} />
      <p class="muted">Everyone who can log in. Disabling an account logs it out at once. To change someone's role, disable the account and add a new one.</p>
      <Loaded of={list} what="staff">
          <table class="admin-table" data-testid="staff-table">
            <caption class="sr-only">Staff accounts</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={list()}>
                {(u) => (
                  <tr data-user-id={u.id} data-disabled={u.disabled}>
                    <th scope="row">{u.name}</th>
                    <td>{u.email}</td>
                    <td>{ROLE_LABEL[u.role]}</td>
                    <td>{u.disabled ? <span class="badge badge-off">Disabled</span> : "Active"}</td>
                    <td class="row-actions">
                      <button type="button" class="btn btn-quiet" onClick={() => setResetting(u)} aria-label={`Reset password for ${u.name}`}>
                        Reset password
                      </button>
                      <Show when={u.id !== user()?.userId}>
                        <button type="button" class="btn btn-quiet" onClick={() => void toggle(u)} aria-label={`${u.disabled ? "Enable" : "Disable"} ${u.name}`}>
                          {u.disabled ? "Enable" : "Disable"}
                        </button>
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
      </Loaded>
      <Show when={creating()}>
        <CreateStaffDialog
          onClose={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            toast(`${u.name} can now log in as ${ROLE_LABEL[u.role].toLowerCase()}.`);
            void refetch();
            if (u.role === "doctor") void refreshDoctors();
          }}
        />
      </Show>
      <Show when={resetting()}>{(u) => <ResetPasswordDialog user={u()} onClose={() => setResetting(null)} />}</Show>
    </main>
  );
}

function CreateStaffDialog(props: { onClose: () => void; onCreated: (u: StaffUser) => void }) {
  const [f, setF] = createSignal({ name: "", email: "", role: "receptionist" as Role, password: "", specialty: "" });
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  // The hours shown are the hours saved: the server's own default, sent back explicitly.
  const [hours, setHours] = createSignal<WorkingHours>(structuredClone(DEFAULT_WORKING_HOURS));
  const hourErrors = () =>
    Object.fromEntries(
      Object.entries(errors())
        .filter(([k]) => k.startsWith("doctor.workingHours."))
        .map(([k, v]) => [k.split(".")[2], v]),
    );
  const set = (k: keyof ReturnType<typeof f>) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => setF({ ...f(), [k]: e.currentTarget.value });
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    setErrors({});
    try {
      const v = f();
      const r = await adminApi.createUser({
        name: v.name,
        email: v.email,
        role: v.role,
        password: v.password,
        ...(v.role === "doctor" ? { doctor: { ...(v.specialty ? { specialty: v.specialty } : {}), workingHours: hours() } } : {}),
      });
      props.onCreated(r.user);
    } catch (x) {
      if (x instanceof ApiFailure && x.status === 422) setErrors(x.fieldErrors());
      if (x instanceof ApiFailure && x.code === "email_taken") setErrors({ email: x.message });
      else setError(messageOf(x));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title="Add staff member" onClose={props.onClose} testId="create-staff">
      <form class="form" onSubmit={submit}>
        <label>
          Name
          <input name="name" required value={f().name} onInput={set("name")} aria-invalid={!!errors().name} />
          <FieldError as="span" message={errors().name} />
        </label>
        <label>
          E-mail
          <input name="email" type="email" required autocomplete="off" value={f().email} onInput={set("email")} aria-invalid={!!errors().email} />
          <FieldError as="span" message={errors().email} />
        </label>
        <label>
          Role
          <select name="role" value={f().role} onChange={set("role")}>
            <option value="receptionist">Receptionist</option>
            <option value="doctor">Doctor</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <Show when={f().role === "doctor"}>
          <label>
            Specialty
            <input name="specialty" value={f().specialty} onInput={set("specialty")} />
          </label>
          <p class="muted">A doctor account also adds the doctor to the calendar with these working hours (change them later under Doctors).</p>
          <fieldset class="hours-fieldset">
            <legend>Working hours</legend>
            <WorkingHoursEditor value={hours()} onChange={setHours} errors={hourErrors()} />
          </fieldset>
        </Show>
        <label>
          First password (at least 10 characters; tell them to change it)
          <input name="password" type="password" required minlength="10" autocomplete="new-password" value={f().password} onInput={set("password")} aria-invalid={!!errors().password} />
          <FieldError as="span" message={errors().password} />
        </label>
        <FieldError message={error()} />
        <div class="actions">
          <button type="button" class="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy()}>
            {busy() ? "Adding…" : "Add"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ResetPasswordDialog(props: { user: StaffUser; onClose: () => void }) {
  const [pw, setPw] = createSignal("");
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await adminApi.updateUser(props.user.id, { password: pw() });
      toast(`New password set for ${props.user.name}.`);
      props.onClose();
    } catch (x) {
      setError(x instanceof ApiFailure && x.status === 422 ? (x.fieldErrors().password ?? x.message) : messageOf(x));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={`Reset password for ${props.user.name}`} onClose={props.onClose} testId="reset-password">
      <form class="form" onSubmit={submit}>
        <label>
          New password (at least 10 characters)
          <input name="new-password" type="password" required minlength="10" autocomplete="new-password" value={pw()} onInput={(e) => setPw(e.currentTarget.value)} />
        </label>
        <FieldError message={error()} />
        <div class="actions">
          <button type="button" class="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy()}>
            Set password
          </button>
        </div>
      </form>
    </Dialog>
  );
}
