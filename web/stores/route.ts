// The current path as a signal (the SPA has three kinds of path: "/", "/settings/…" and
// "/appointments/:id" — the link Google events and notices point at). No router dependency.
import { createSignal } from "solid-js";

const [path, setPath] = createSignal(location.pathname);
window.addEventListener("popstate", () => setPath(location.pathname));
export { path };

// The path signal is the path only: a query (the calendar's ?view=…&date=…) is not part of it.
export function navigate(to: string) {
  history.pushState(null, "", to);
  setPath(location.pathname);
}

/** The appointment id in "/appointments/:id", if the path is one. */
export const appointmentInPath = () => /^\/appointments\/([0-9a-f]{32})\/?$/.exec(path())?.[1] ?? null;

/** Like navigate, without a new history entry (an address that no longer applies, e.g. /setup once set up). */
export function replacePath(to: string) {
  history.replaceState(null, "", to);
  setPath(location.pathname);
}

/** The patient id in "/patients/:id", if the path is one. */
export const patientInPath = () => /^\/patients\/([0-9a-f]{32})\/?$/.exec(path())?.[1] ?? null;
