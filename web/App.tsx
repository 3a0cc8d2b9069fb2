// Shell: session gate, header with navigation, and two pages (calendar, settings).
// Routing is two paths, so a tiny signal on history is enough (no router dependency).
import { createSignal, Match, onMount, Show, Switch } from "solid-js";
import { CalendarPage } from "./calendar/CalendarPage";
import { LoginPage } from "./LoginPage";
import { IntegrationsPage } from "./settings/IntegrationsPage";
import { clinic, logOut, restoreSession, sessionStatus, user } from "./stores/session";
import { ErrorBanner } from "./ui/ErrorBanner";
import { Toasts } from "./ui/toast";

const [path, setPath] = createSignal(location.pathname);
window.addEventListener("popstate", () => setPath(location.pathname));
export function navigate(to: string) {
  history.pushState(null, "", to);
  setPath(to);
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
          <LoginPage />
        </Match>
        <Match when={sessionStatus() === "in"}>
          <header class="app-head">
            <span class="brand">{clinic()?.name ?? "ACMS Calendar"}</span>
            <nav aria-label="Main">
              <Link href="/">Calendar</Link>
              <Link href="/settings/integrations">Settings</Link>
            </nav>
            <span class="who">
              <span class="muted">{user()?.name}</span>
              <button type="button" class="btn btn-quiet" onClick={() => void logOut()}>
                Log out
              </button>
            </span>
          </header>
          <div id="main" class="app-main">
            <Show when={path().startsWith("/settings")} fallback={<CalendarPage />}>
              <IntegrationsPage />
            </Show>
          </div>
        </Match>
      </Switch>
      <Toasts />
    </>
  );
}
