// Settings → Calendar integrations. Lists what GET /api/integrations returns (the Google
// engineer fills it); providers that are not built yet say so plainly. Export options show the
// per-doctor feed once the iCal feed routes exist.
import { createResource, For, Show } from "solid-js";
import { ApiFailure, api } from "../api-client/client";
import type { Integration } from "../api-client/types";
import { doctors, user } from "../stores/session";
import { toast } from "../ui/toast";
import { FeedExport } from "./FeedExport";
import { ReconnectNotice } from "../notices/ReconnectBanner";
import { connectProvider, loadMyIntegrations } from "../stores/integrations";
import { OutlookOptions } from "./OutlookOptions";
import { CalDavConnect, CalDavSyncNow } from "./CalDavConnect";
import { CalendarChoice } from "./CalendarChoice";

const PROVIDERS = [
  { id: "google", name: "Google Calendar", ready: true },
  { id: "microsoft", name: "Microsoft Outlook / 365", ready: true },
  { id: "caldav", name: "Apple iCloud (CalDAV)", ready: true },
] as const;

function ago(t: string | number | null | undefined): string {
  if (!t) return "never";
  const ms = Date.now() - (typeof t === "number" ? t : Date.parse(t));
  const m = Math.round(ms / 60000);
  return m < 1 ? "just now" : m < 60 ? `${m} minute${m === 1 ? "" : "s"} ago` : `${Math.round(m / 60)} hour(s) ago`;
}

export function IntegrationsPage() {
  const [list, { refetch }] = createResource(async () => {
    try {
      return { items: (await api.integrations()).integrations, missing: false };
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 404) return { items: [] as Integration[], missing: true };
      throw e;
    }
  });
  const isDoctor = () => user()?.role === "doctor";
  const doctorName = (id?: string | null) => doctors().find((d) => d.id === id)?.name ?? "";

  async function disconnect(i: Integration) {
    if (!confirm(`Disconnect ${i.accountEmail ?? i.provider}? ACMS stops syncing with it at once.`)) return;
    try {
      await api.disconnectIntegration(i.id);
      toast("Calendar disconnected.");
    } catch (e) {
      toast(e instanceof Error ? e.message : "Could not disconnect. Try again.", "error");
    }
    void refetch();
    void loadMyIntegrations();
  }

  async function connect(provider: string) {
    try {
      await connectProvider(provider);
    } catch (e) {
      toast(e instanceof Error ? e.message : "Could not start connecting.", "error");
    }
  }

  return (
    <main class="settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Calendar integrations</h1>
      <Show when={user()?.role === "receptionist"}>
        <p class="notice">Calendar integrations are managed by doctors and admins.</p>
      </Show>
      <section aria-labelledby="connected-title">
        <h2 id="connected-title">Connected calendars</h2>
        <Show when={!list.loading} fallback={<p class="muted">Loading…</p>}>
          <Show when={!list.error} fallback={<p class="banner banner-error">Could not load integrations.</p>}>
            <Show when={list()?.missing}>
              <p class="notice">Calendar sync is not available on this server yet.</p>
            </Show>
            <Show when={!list()?.missing && !list()?.items.length}>
              <p class="muted">No calendar is connected.</p>
            </Show>
            <ul class="cards">
              <For each={list()?.items}>
                {(i) => (
                  <li class="card">
                    <strong>{PROVIDERS.find((p) => p.id === i.provider)?.name ?? i.provider}</strong>
                    <span>Connected as {i.accountEmail ?? "—"}</span>
                    <Show when={i.doctorId && !isDoctor()}>
                      <span>Doctor: {doctorName(i.doctorId)}</span>
                    </Show>
                    <span>
                      Status: {i.status === "needs_reconnect" ? "Needs reconnect — access was revoked or expired" : i.status}
                      {i.healthy === false && i.status === "active" ? " (with errors)" : ""}
                    </span>
                    <Show when={i.writeCalendarId}>
                      <span>Syncing to: {i.calendars?.find((c) => c.id === i.writeCalendarId)?.summary ?? i.writeCalendarId}</span>
                    </Show>
                    <span>Last successful sync: {ago(i.lastSyncAt)}</span>
                    <Show when={(i.waitingChanges ?? 0) > 0}>
                      <span class={i.healthy === false ? "field-error" : "muted"} data-testid="waiting-changes">
                        {i.waitingChanges} {i.waitingChanges === 1 ? "change" : "changes"} waiting — retried automatically, nothing is lost
                      </span>
                    </Show>
                    <Show when={isDoctor() && i.status === "active"}>
                      <CalendarChoice integration={i} onSaved={() => void refetch()} />
                    </Show>
                    <Show when={i.provider === "microsoft" && (isDoctor() || user()?.role === "admin")}>
                      <OutlookOptions integrationId={i.id} canEdit={isDoctor()} />
                    </Show>
                    <Show when={i.status === "needs_reconnect" && isDoctor()}>
                      <ReconnectNotice integration={i} class="notice notice-warn reconnect" />
                    </Show>
                    <Show when={i.lastError}>
                      <span class="field-error">Last error: {i.lastError}</span>
                    </Show>
                    <Show when={i.provider === "caldav" && i.status === "active" && isDoctor()}>
                      <CalDavSyncNow id={i.id} onDone={() => void refetch()} />
                    </Show>
                    <Show when={isDoctor() || user()?.role === "admin"}>
                      <button type="button" class="btn btn-danger" onClick={() => void disconnect(i)}>
                        Disconnect
                      </button>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </Show>
        <Show when={isDoctor()}>
          <h3>Connect a calendar</h3>
          <ul class="cards">
            <For each={PROVIDERS}>
              {(p) => (
                <li class="card">
                  <strong>{p.name}</strong>
                  <Show when={p.id === "microsoft"}>
                    <span class="muted">
                      Work or school (Microsoft 365) accounts and personal Outlook.com accounts both sync. Microsoft makes Teams meeting links
                      only for work or school accounts; with a personal account, ACMS cannot add a Teams link.
                    </span>
                  </Show>
                  <Show when={p.ready} fallback={<span class="muted">Not available yet — coming in a later release.</span>}>
                    <Show
                      when={p.id !== "caldav"}
                      fallback={<CalDavConnect onConnected={() => void Promise.all([refetch(), loadMyIntegrations()])} />}
                    >
                      <button type="button" class="btn btn-primary" onClick={() => void connect(p.id)}>
                        Connect {p.name}
                      </button>
                    </Show>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={!isDoctor()}>
          <p class="muted">Each doctor connects their own calendar from their account.</p>
        </Show>
      </section>
      <section aria-labelledby="export-title">
        <h2 id="export-title">Export</h2>
        <p>
          <strong>Subscribe to a doctor's calendar</strong> from Google Calendar, Outlook or Apple Calendar with a private, read-only feed
          address (webcal:// and https://).
        </p>
        <FeedExport />
        <p class="muted">Single appointments can be downloaded as .ics from their details panel.</p>
      </section>
    </main>
  );
}
