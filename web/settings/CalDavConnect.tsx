// "Connect iCloud" / "Other CalDAV server": the form behind POST /api/integrations/caldav/connect.
// iCloud needs an app-specific password (never the Apple ID password); the server checks
// it by discovering the account before anything is saved, so a wrong password is
// reported here at once (422) and nothing is stored.
import { createSignal, For, Show } from "solid-js";
import { request } from "../api-client/client";
import { toast } from "../ui/toast";

interface Connected {
  integration: { id: string; calendars: { id: string; summary: string }[]; hiddenCalendars: { summary: string; reason: string }[] };
}

export function CalDavConnect(props: { onConnected: () => void }) {
  const [kind, setKind] = createSignal<"icloud" | "other" | null>(location.hash === "#caldav-connect" ? "icloud" : null);
  const [username, setUsername] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [serverUrl, setServerUrl] = createSignal("https://");
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal("");
  const [hidden, setHidden] = createSignal<{ summary: string; reason: string }[]>([]);

  async function submit(e: Event) {
    e.preventDefault();
    setError("");
    setBusy(true);
    try {
      const body = { kind: kind(), username: username().trim(), password: password(), ...(kind() === "other" ? { serverUrl: serverUrl().trim() } : {}) };
      const r = await request<Connected>("POST", "/api/integrations/caldav/connect", body);
      setPassword("");
      setHidden(r.integration.hiddenCalendars);
      toast(`Connected: ${r.integration.calendars.map((c) => c.summary).join(", ")}.`);
      setKind(null);
      props.onConnected();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Could not connect. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="caldav-connect" id="caldav-connect">
      <Show
        when={kind()}
        fallback={
          <div class="actions">
            <button type="button" class="btn btn-primary" onClick={() => setKind("icloud")}>
              Connect iCloud
            </button>
            <button type="button" class="btn" onClick={() => setKind("other")}>
              Other CalDAV server
            </button>
          </div>
        }
      >
        <form class="form" novalidate onSubmit={(e) => void submit(e)} aria-label={kind() === "icloud" ? "Connect iCloud" : "Connect a CalDAV server"}>
          <Show when={kind() === "icloud"}>
            <p class="muted">
              Use an <strong>app-specific password</strong>, not your Apple ID password: go to appleid.apple.com → Sign-In and Security →
              App-Specific Passwords, create one named "ACMS", and paste it below. You can revoke it there at any time.
            </p>
          </Show>
          <Show when={kind() === "other"}>
            <p class="muted">For Fastmail, Nextcloud or your clinic's own server: its CalDAV address (https://…), your user name and password (an app password if the server offers them).</p>
            <label>
              Server address
              <input type="url" required value={serverUrl()} onInput={(e) => setServerUrl(e.currentTarget.value)} placeholder="https://caldav.example.com/" />
            </label>
          </Show>
          <label>
            {kind() === "icloud" ? "Apple ID (e-mail)" : "User name"}
            <input type="text" autocomplete="username" required value={username()} onInput={(e) => setUsername(e.currentTarget.value)} />
          </label>
          <label>
            {kind() === "icloud" ? "App-specific password" : "Password"}
            <input type="password" autocomplete="off" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          <Show when={error()}>
            <p class="field-error" role="alert">
              {error()}
            </p>
          </Show>
          <div class="actions">
            <button type="submit" class="btn btn-primary" disabled={busy() || !username() || !password()}>
              {busy() ? "Checking…" : "Connect"}
            </button>
            <button type="button" class="btn" onClick={() => setKind(null)}>
              Cancel
            </button>
          </div>
        </form>
      </Show>
      <Show when={hidden().length}>
        <p class="muted">
          Not offered (they cannot hold appointments):{" "}
          <For each={hidden()}>{(h, i) => <span>{`${i() ? "; " : ""}${h.summary} — ${h.reason}`}</span>}</For>
        </p>
      </Show>
    </div>
  );
}

/** "Sync now" for a CalDAV integration (no push exists): the server allows one a minute. */
export function CalDavSyncNow(props: { id: string; onDone: () => void }) {
  const [busy, setBusy] = createSignal(false);
  async function run() {
    setBusy(true);
    try {
      await request("POST", `/api/integrations/caldav/${props.id}/sync`, {});
      toast("Syncing with the calendar server…");
      setTimeout(props.onDone, 3000);
    } catch (err) {
      toast(err instanceof Error ? err.message : "Could not sync now.", "error");
    } finally {
      setBusy(false);
    }
  }
  return (
    <button type="button" class="btn" disabled={busy()} onClick={() => void run()}>
      Sync now
    </button>
  );
}
