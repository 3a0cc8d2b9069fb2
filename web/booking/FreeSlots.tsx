// Free times of one doctor on one clinic day, from the availability API, and the <select>
// that offers them. One place for both the booking dialog and Reschedule in the details
// panel, so neither can ever offer a blocked or booked time the other would refuse.
import { createResource, createSignal, For, onCleanup, Show, type Accessor } from "solid-js";
import { ApiFailure, api, netListeners } from "../api-client/client";
import type { Slot } from "../api-client/types";
import { formatTime, toWall } from "../lib/tz";
import { fittingStarts } from "../../worker/scheduling/slots";

export function nextDate(ymd: string): string {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The doctor's free slots on clinic day `day` (YYYY-MM-DD). */
export async function freeSlotsOn(doctorId: string, day: string, tz: string): Promise<Slot[]> {
  const r = await api.availability(doctorId, day, nextDate(day));
  // The API may treat `to` as inclusive: keep only the chosen day's slots.
  return r.slots.filter((s) => toWall(s.start, tz).startsWith(day));
}

/**
 * Start times where an appointment of `durationMs` fits wholly in free time: consecutive free
 * slots are joined, so a 60-minute visit needs two free 30-minute slots in a row. The rule is
 * the worker's (scheduling/slots.ts fittingStarts, which ranks suggestions), so the dialog and
 * the suggestions can never disagree about what fits.
 */
export function startsFitting(slots: Slot[], durationMs: number): Slot[] {
  const grid = slots.map((s) => ({ start: Date.parse(s.start), end: Date.parse(s.end) })).sort((a, b) => a.start - b.start);
  return fittingStarts(grid, durationMs).map((i) => ({ start: new Date(i.start).toISOString(), end: new Date(i.end).toISOString() }));
}

/** How long the free-time list waits for the server before saying it cannot be reached. */
export const SLOTS_TIMEOUT_MS = 10_000;

export const UNREACHABLE = "The server cannot be reached, so free times cannot be shown. They load again when it is back.";

/**
 * The free slots for (doctorId, day), as an accessor that never throws: a failed load (server
 * unreachable, or no answer within SLOTS_TIMEOUT_MS) ends loading and sets `.error` to a
 * sentence for the user, instead of "loading…" forever or an uncaught error from reading a
 * failed resource. When the network is back, a failed list loads again by itself.
 */
export function createFreeSlots(key: Accessor<{ doctorId: string; day: string } | false>, tz: Accessor<string>) {
  const [failed, setFailed] = createSignal("");
  // Retries bump `attempt`, part of the resource's key: a new key always loads (a plain
  // refetch() right after a failed load was observed to send nothing).
  const [attempt, setAttempt] = createSignal(0);
  const [res, { mutate }] = createResource(
    () => {
      const k = key();
      return k ? { ...k, attempt: attempt() } : false;
    },
    async ({ doctorId, day }) => {
      setFailed("");
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new ApiFailure(0, "network", "timeout")), SLOTS_TIMEOUT_MS)));
        return await Promise.race([freeSlotsOn(doctorId, day, tz()), timeout]);
      } catch (e) {
        setFailed(e instanceof ApiFailure && (e.code === "network" || e.status >= 500) ? UNREACHABLE : "Free times could not be loaded.");
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    },
  );
  // A quiet reload (a live change elsewhere): no "loading…" in between, so the list does not
  // flicker or lose focus; an answer for a key no longer shown is dropped.
  let quiet = 0;
  const refresh = async () => {
    const k = key();
    if (!k || res.loading || failed()) return;
    const mine = ++quiet;
    try {
      const slots = await freeSlotsOn(k.doctorId, k.day, tz());
      const now = key();
      if (mine === quiet && now && now.doctorId === k.doctorId && now.day === k.day && !res.loading) mutate(slots);
    } catch {
      /* the next change or a retry loads it; the current list stays */
    }
  };
  const ctl = { refetch: () => setAttempt((n) => n + 1), refresh: () => void refresh() };
  const onNet = (ok: boolean) => ok && failed() && !res.loading && ctl.refetch();
  netListeners.add(onNet);
  onCleanup(() => netListeners.delete(onNet));
  // defineProperties, not Object.assign: assign would read the getters once and freeze them.
  const slots = Object.defineProperties(() => res(), {
    loading: { get: () => res.loading },
    error: { get: () => failed() },
  }) as (() => Slot[] | undefined) & { readonly loading: boolean; readonly error: string };
  return [slots, ctl] as const;
}

export function FreeSlotSelect(props: {
  slots: Slot[] | undefined;
  loading: boolean;
  error: string;
  onRetry?: () => void;
  value: string;
  onChange: (start: string) => void;
  tz: string;
  id?: string;
  invalid?: boolean;
  describedBy?: string;
  testId?: string;
}) {
  return (
    <Show when={!props.loading} fallback={<span class="muted"> loading free times…</span>}>
      <Show
        when={!props.error}
        fallback={
          <span class="field-error" role="alert" data-testid="slots-error">
            {props.error}{" "}
            <Show when={props.onRetry}>
              <button type="button" class="link-btn" onClick={() => props.onRetry!()}>
                Retry
              </button>
            </Show>
          </span>
        }
      >
        <select
          id={props.id}
          name="start"
          value={props.value}
          onChange={(e) => props.onChange(e.currentTarget.value)}
          aria-invalid={!!props.invalid}
          aria-describedby={props.describedBy}
          data-testid={props.testId ?? "slot-select"}
        >
          <option value="">{props.slots?.length ? "Choose a free time" : "No free times this day"}</option>
          <For each={props.slots}>
            {(s) => (
              // selected per option too: a refreshed list re-creates the options, and the select's
              // own value (unchanged, so not set again) would fall back to the first one.
              <option value={s.start} selected={s.start === props.value}>
                {formatTime(s.start, props.tz)} – {formatTime(s.end, props.tz)}
              </option>
            )}
          </For>
        </select>
      </Show>
    </Show>
  );
}
