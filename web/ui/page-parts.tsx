// The shape every staff list page shares (Staff, Doctors, Patients, Waitlist, Integrations, a
// doctor's or the clinic's settings): a head with the page's title and the one button that adds
// something, and a list that shows its error, then "Loading…", then itself. One place for each,
// so the pages stay alike for the receptionist and the next change to them is made once.
import { type JSX, type Resource, Show } from "solid-js";
import { messageOf } from "../admin/admin-api";

/** The page's title (h1 by default, h2 inside another page) and its "Add …" button. */
export function PageHead(props: { id: string; title: string; level?: 1 | 2; add?: string; primary?: boolean; onAdd?: () => void }) {
  return (
    <div class="admin-head">
      {props.level === 2 ? <h2 id={props.id}>{props.title}</h2> : <h1 id={props.id}>{props.title}</h1>}
      <Show when={props.add}>
        <button type="button" class={props.primary === false ? "btn" : "btn btn-primary"} onClick={() => props.onAdd?.()}>
          {props.add}
        </button>
      </Show>
    </div>
  );
}

/**
 * A resource's states in one place: the error banner (the server's message, else "Could not
 * load <what>."), "Loading…" until it has a value, then the children (which read the resource).
 */
export function Loaded<T>(props: { of: Resource<T>; what: string; children: JSX.Element }) {
  return (
    <Show when={!props.of.error} fallback={<p class="banner banner-error">{messageOf(props.of.error, `Could not load ${props.what}.`)}</p>}>
      <Show when={props.of()} fallback={<p class="muted">Loading…</p>}>
        {props.children}
      </Show>
    </Show>
  );
}
