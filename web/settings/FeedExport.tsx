// Export: a doctor's subscribable feed (worker/routes/feeds.ts). The secret URL is shown once,
// right after it is created or rotated (only its hash is stored); privacy level; disable.
import { createResource, createSignal, For, Show } from "solid-js";
import { ApiFailure, request } from "../api-client/client";
import { doctors, user } from "../stores/session";
import { toast } from "../ui/toast";

type Privacy = "busy" | "minimal";
interface FeedState {
  enabled: boolean;
  privacy: Privacy;
  url?: string;
  webcalUrl?: string;
}

const PRIVACY_LABEL: Record<Privacy, string> = {
  busy: "Busy only (\"Patient Appointment\", no names)",
  minimal: "Minimal (patient initials and type)",
};

export function FeedExport() {
  const mine = () => user()?.doctorId ?? null;
  const [doctorId, setDoctorId] = createSignal<string>(mine() ?? doctors()[0]?.id ?? "");
  const [shown, setShown] = createSignal<{ url: string; webcalUrl: string } | null>(null);
  const canManage = () => user()?.role === "admin" || (user()?.role === "doctor" && !!mine());
  // Only for those who may manage feeds: a receptionist's Settings asked and got a 403.
  const [feed, { mutate }] = createResource(() => canManage() && doctorId(), async (id) => {
    setShown(null);
    try {
      return (await request<{ feed: FeedState }>("GET", `/api/doctors/${id}/feed`)).feed;
    } catch (e) {
      if (e instanceof ApiFailure && (e.status === 404 || e.status === 403)) return null;
      throw e;
    }
  });

  async function act(method: "POST" | "PATCH" | "DELETE", body?: unknown, done?: string) {
    try {
      const { feed: f } = await request<{ feed: FeedState }>(method, `/api/doctors/${doctorId()}/feed`, body);
      mutate(f);
      if (f.url && f.webcalUrl) setShown({ url: f.url, webcalUrl: f.webcalUrl });
      if (method === "DELETE") setShown(null);
      if (done) toast(done);
    } catch (e) {
      toast(e instanceof Error ? e.message : "The feed could not be changed.", "error");
    }
  }

  return (
    <Show when={canManage()} fallback={<p class="muted">Doctors and admins manage calendar feeds.</p>}>
      <div class="form feed">
        <Show when={user()?.role === "admin"}>
          <label>
            Doctor
            <select value={doctorId()} onChange={(e) => setDoctorId(e.currentTarget.value)}>
              <For each={doctors()}>{(d) => <option value={d.id}>{d.name}</option>}</For>
            </select>
          </label>
        </Show>
        <Show when={!feed.loading} fallback={<p class="muted">Loading…</p>}>
          <Show when={feed()} fallback={<p class="muted">Calendar feeds are not available on this server yet.</p>}>
            {(f) => (
              <>
                <p data-testid="feed-status">
                  Subscribable feed: <strong>{f().enabled ? "on" : "off"}</strong>
                </p>
                <label>
                  What the feed shows
                  <select value={f().privacy} onChange={(e) => void act("PATCH", { privacy: e.currentTarget.value }, "Feed privacy saved.")}>
                    <For each={Object.keys(PRIVACY_LABEL) as Privacy[]}>{(p) => <option value={p}>{PRIVACY_LABEL[p]}</option>}</For>
                  </select>
                </label>
                <Show when={shown()}>
                  {(s) => (
                    <div class="notice" role="status">
                      <p>Copy this address now: it is shown only once. Anyone with it can read the feed.</p>
                      <label>
                        Subscribe (calendar apps)
                        <input readOnly value={s().webcalUrl} onFocus={(e) => e.currentTarget.select()} data-testid="feed-webcal" />
                      </label>
                      <label>
                        HTTPS address
                        <input readOnly value={s().url} onFocus={(e) => e.currentTarget.select()} />
                      </label>
                    </div>
                  )}
                </Show>
                <div class="actions" style={{ "justify-content": "flex-start" }}>
                  <button type="button" class="btn btn-primary" onClick={() => void act("POST", {}, f().enabled ? "New feed address created; the old one stopped working." : "Feed created.")}>
                    {f().enabled ? "Rotate address" : "Create feed address"}
                  </button>
                  <Show when={f().enabled}>
                    <button type="button" class="btn btn-danger" onClick={() => void act("DELETE", undefined, "Feed disabled.")}>
                      Disable feed
                    </button>
                  </Show>
                </div>
              </>
            )}
          </Show>
        </Show>
      </div>
    </Show>
  );
}
