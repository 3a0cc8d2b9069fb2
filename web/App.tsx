// Shell: session gate, header with navigation, and two pages (calendar, settings).
// Routing is a few paths, so a tiny signal on history is enough (stores/route.ts).
import { type Component, createComponent, createEffect, createSignal, Match, on, onMount, Show, Switch } from "solid-js";
import { CalendarPage } from "./calendar/CalendarPage";
import { PatientsRoute } from "./patients/PatientsRoute";
import { SignedOut } from "./setup/SignedOut";
import { NoticeBell } from "./notices/NoticeBell";
import { ReconnectBanner } from "./notices/ReconnectBanner";
import { SettingsPage } from "./settings/SettingsPage";
import { WaitlistPage } from "./waitlist/WaitlistPage";
import { clearMyIntegrations, loadMyIntegrations } from "./stores/integrations";
import { startNotices, stopNotices } from "./stores/notices";
import { setLiveDoctors, startLive, stopLive } from "./stores/live";
import { navigate, path, replacePath } from "./stores/route";
import { clinic, doctors, logOut, restoreSession, sessionStatus, user } from "./stores/session";
import { ErrorBanner } from "./ui/ErrorBanner";
import { Toasts } from "./ui/toast";
import { ConfirmHost } from "./ui/confirm";
import { prefetchAnalyticsOptions } from "./analytics/options-prefetch";

// Its own chunk (with uPlot), loaded on first visit: the calendar does not carry it.
const [AnalyticsPage, setAnalyticsPage] = createSignal<Component | null>(null);
let analyticsImport: Promise<unknown> | null = null;
const loadAnalytics = () => (analyticsImport ??= import("./analytics/AnalyticsPage").then((m) => setAnalyticsPage(() => m.default)));
// Opened at /analytics: fetch the chunk and the page's options while the session is restored, not after.
if (location.pathname.startsWith("/analytics")) {
  void loadAnalytics();
  prefetchAnalyticsOptions();
}


function Link(props: { href: string; children: string }) {
  return (
    <a
      href={props.href}
      aria-current={path() === props.href ? "page" : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

export function App() {
  onMount(() => void restoreSession().catch(() => {}));
  // Per-user data that every page shows (bell, reconnect banner): follows the session.
  createEffect(
    on(
      () => (sessionStatus() === "in" ? user()?.userId : null),
      (id) => {
        if (id) {
          startNotices();
          void loadMyIntegrations();
          startLive(doctors().map((d) => d.id));
        } else {
          stopLive();
          stopNotices();
          clearMyIntegrations();
        }
      },
    ),
  );
  // One live socket for every page (notices arrive on Settings too): it follows the doctor list.
  createEffect(on(doctors, (ds) => sessionStatus() === "in" && setLiveDoctors(ds.map((d) => d.id)), { defer: true }));
  // /setup is only a signed-out address (SignedOut); once in, it means the calendar.
  createEffect(() => sessionStatus() === "in" && path() === "/setup" && replacePath("/"));
  createEffect(() => sessionStatus() === "in" && path().startsWith("/analytics") && void loadAnalytics());
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <ErrorBanner />
      <Switch>
        <Match when={sessionStatus() === "checking"}>
          <p class="center muted" role="status">
            Loading ACMS Calendar…
          </p>
        </Match>
        <Match when={sessionStatus() === "out"}>
          <SignedOut />
        </Match>
        <Match when={sessionStatus() === "in"}>
          <header class="app-head">
            <span class="brand">{clinic()?.name ?? "ACMS Calendar"}</span>
            <nav aria-label="Main">
              <Link href="/">Calendar</Link>
              <Link href="/patients">Patients</Link>
              <Link href="/waitlist">Waitlist</Link>
              <Link href="/analytics">Analytics</Link>
              <Link href="/settings/integrations">Settings</Link>
            </nav>
            <span class="who">
              <NoticeBell />
              <span class="muted">{user()?.name}</span>
              <button type="button" class="btn btn-quiet" onClick={() => void logOut()}>
                Log out
              </button>
            </span>
          </header>
          <ReconnectBanner />
          <div id="main" class="app-main">
            <Show when={path().startsWith("/patients")} fallback={
              <Show when={path().startsWith("/settings")} fallback={
                <Show when={path().startsWith("/analytics")} fallback={
                  <Show when={path().startsWith("/waitlist")} fallback={<CalendarPage />}>
                    <WaitlistPage />
                  </Show>
                }>
                  <Show when={AnalyticsPage()} fallback={<p class="muted" role="status">Loading analytics…</p>}>{(P) => createComponent(P(), {})}</Show>
                </Show>
              }>
                <SettingsPage />
              </Show>
            }>
              <PatientsRoute />
            </Show>
          </div>
        </Match>
      </Switch>
      <ConfirmHost />
      <Toasts />
    </>
  );
}
