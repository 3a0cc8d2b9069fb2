// Top-bar bell: unread count, a list of the user's notices (newest first) with a link to the
// appointment they are about, "Mark read" per notice and "Mark all read". Escape or a click
// outside closes the list; focus returns to the bell.
import { createSignal, For, onCleanup, onMount, Show } from "solid-js";
import { navigate } from "../stores/route";
import { markAllRead, markRead, notices, noticesLoaded, unreadCount } from "../stores/notices";
import { clinicTz } from "../stores/session";
import { toast } from "../ui/toast";

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { timeZone: clinicTz(), day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

export function NoticeBell() {
  const [open, setOpen] = createSignal(false);
  let root: HTMLDivElement | undefined;
  let bell: HTMLButtonElement | undefined;

  const close = () => {
    setOpen(false);
    bell?.focus();
  };
  const onDoc = (e: MouseEvent) => open() && root && !root.contains(e.target as Node) && setOpen(false);
  const onKey = (e: KeyboardEvent) => open() && e.key === "Escape" && close();
  onMount(() => {
    document.addEventListener("mousedown", onDoc);
    document.addEventListener("keydown", onKey);
  });
  onCleanup(() => {
    document.removeEventListener("mousedown", onDoc);
    document.removeEventListener("keydown", onKey);
  });

  const fail = (e: unknown) => toast(e instanceof Error ? e.message : "Could not mark the notice read. Try again.", "error");

  return (
    <div class="bell" ref={root}>
      <button
        ref={bell}
        type="button"
        class="btn btn-quiet bell-btn"
        aria-haspopup="true"
        aria-expanded={open()}
        aria-controls="notice-list"
        aria-label={unreadCount() ? `Notices, ${unreadCount()} unread` : "Notices"}
        aria-busy={noticesLoaded() ? "false" : "true"}
        data-testid="notice-bell"
        onClick={() => setOpen((o) => !o)}
      >
        {/* Inline SVG: an emoji bell depends on the device's fonts. */}
        <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.73 21a2 2 0 0 1-3.46 0" />
        </svg>
        <Show when={unreadCount()}>
          <span class="bell-count" data-testid="notice-count">
            {unreadCount() > 99 ? "99+" : unreadCount()}
          </span>
        </Show>
      </button>
      <Show when={open()}>
        <section id="notice-list" class="bell-list" aria-label="Notices" data-testid="notice-list">
          <div class="bell-head">
            <strong>Notices</strong>
            <Show when={unreadCount()}>
              <button type="button" class="btn btn-quiet" onClick={() => void markAllRead().catch(fail)}>
                Mark all read
              </button>
            </Show>
          </div>
          <Show when={notices().length} fallback={<p class="muted bell-empty">No notices.</p>}>
            <ul>
              <For each={notices()}>
                {(n) => (
                  <li class={n.readAt ? "bell-item read" : "bell-item unread"} data-testid="notice-item">
                    <p class="bell-msg">{n.message}</p>
                    <div class="bell-meta">
                      <time dateTime={n.createdAt} class="muted">
                        {when(n.createdAt)}
                      </time>
                      <Show when={n.entityType === "appointment" && n.entityId}>
                        <a
                          href={`/appointments/${n.entityId}`}
                          onClick={(e) => {
                            e.preventDefault();
                            setOpen(false);
                            navigate(`/appointments/${n.entityId}`);
                            if (!n.readAt) void markRead(n.id).catch(fail);
                          }}
                        >
                          Open appointment
                        </a>
                      </Show>
                      <Show when={n.entityType === "integration"}>
                        <a
                          href="/settings/integrations"
                          onClick={(e) => {
                            e.preventDefault();
                            setOpen(false);
                            navigate("/settings/integrations");
                          }}
                        >
                          Calendar integrations
                        </a>
                      </Show>
                      <Show when={!n.readAt}>
                        <button type="button" class="btn btn-quiet" onClick={() => void markRead(n.id).catch(fail)}>
                          Mark read
                        </button>
                      </Show>
                    </div>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </section>
      </Show>
    </div>
  );
}
