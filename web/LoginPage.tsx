import { createSignal } from "solid-js";
import { ApiFailure } from "./api-client/client";
import { logIn } from "./stores/session";
import { FieldError } from "./ui/FieldError";

export function LoginPage() {
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  return (
    <main class="login">
      <form
        class="form login-card"
        aria-labelledby="login-title"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError("");
          try {
            await logIn(email(), password());
          } catch (err) {
            setError(err instanceof ApiFailure ? err.message : "Could not log in.");
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1 id="login-title">ACMS Calendar</h1>
        <p class="muted">Log in with your clinic account.</p>
        <label>
          E-mail
          <input type="email" name="email" autocomplete="username" required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <FieldError message={error()} />
        <button type="submit" class="btn btn-primary" disabled={busy()}>
          {busy() ? "Logging in…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
