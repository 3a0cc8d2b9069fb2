// Desktop hover (and keyboard focus) preview of a block: time, patient, type, status, the no-show
// risk with its top three reasons (web/suggestions/RiskReasons.tsx) and where calendar sync stands,
// as a small card next to the block (not the browser's tooltip, which is slow, unstyled and
// cannot show the sync state). Sync state is not in the range lists, so the card fetches the
// appointment once per version (cached) when the pointer rests on a block.
import { createResource, createSignal, For, Show } from "solid-js";
import { api } from "../api-client/client";
import { STATUS_LABEL } from "../api-client/statuses";
import type { AppointmentSyncState } from "../../worker/appointments/queries";
import { appointments } from "../stores/appointments";
import { clinicTz, doctors } from "../stores/session";
import { formatTime } from "../lib/tz";
import { RiskReasons } from "../suggestions/RiskReasons";

const PROVIDER: Record<string, string> = { google: "Google", microsoft: "Outlook", caldav: "iCloud" };
const SHOW_AFTER_MS = 250;

const [hover, setHover] = createSignal<{ id: string; rect: DOMRect } | null>(null);
let timer: ReturnType<typeof setTimeout> | undefined;
const syncCache = new Map<string, AppointmentSyncState[]>();

let suppressed = false;
/** While a block is dragged or resized no card shows (it would follow the pointer around). */
export function suppressHover(on: boolean) {
  suppressed = on;
  if (on) hoverEnd();
}

export function hoverStart(id: string, el: HTMLElement) {
  clearTimeout(timer);
  if (suppressed) return;
  timer = setTimeout(() => !suppressed && el.isConnected && setHover({ id, rect: el.getBoundingClientRect() }), SHOW_AFTER_MS);
}
export function hoverEnd() {
  clearTimeout(timer);
  setHover(null);
}

export function HoverCard() {
  const appt = () => {
    const h = hover();
    return h ? appointments[h.id] : undefined;
  };
  const [sync] = createResource(
    () => (appt() ? `${appt()!.id}:${appt()!.version}` : false),
    async (key) => {
      const hit = syncCache.get(key);
      if (hit) return hit;
      try {
        const s = (await api.appointment(key.split(":")[0])).appointment.sync ?? [];
        syncCache.set(key, s);
        return s;
      } catch {
        return null; // shown as "unknown"; the card must not break on a network error
      }
    },
  );
  const pos = () => {
    const r = hover()!.rect;
    const width = 260;
    const left = r.right + 8 + width < window.innerWidth ? r.right + 8 : Math.max(8, r.left - width - 8);
    return { left: `${left}px`, top: `${Math.min(Math.max(8, r.top), window.innerHeight - 180)}px`, width: `${width}px` };
  };
  return (
    <Show when={hover() && appt()}>
      {(a) => (
        <div class="hover-card" role="tooltip" data-testid="hover-card" style={pos()}>
          <div class="hc-time">
            {formatTime(a().start, clinicTz())}–{formatTime(a().end, clinicTz())}
          </div>
          <div class="hc-patient">{a().patientName}</div>
          <div class="hc-row">
            {a().type} · {doctors().find((d) => d.id === a().doctorId)?.name ?? ""}
          </div>
          <div class="hc-row">
            <span class={`badge st-${a().status}`}>{STATUS_LABEL[a().status]}</span>
          </div>
          <RiskReasons appointmentId={a().id} />
          <div class="hc-row hc-sync" data-testid="hover-sync">
            <Show when={!sync.loading} fallback={<span class="muted">Sync: checking…</span>}>
              <Show when={sync()} fallback={<span class="muted">Sync: unknown</span>}>
                {(s) => (
                  <Show when={s().length} fallback={<span class="muted">Not synced to an external calendar</span>}>
                    <For each={s()}>{(x) => <span>{PROVIDER[x.provider] ?? x.provider}: {x.state}</span>}</For>
                  </Show>
                )}
              </Show>
            </Show>
          </div>
        </div>
      )}
    </Show>
  );
}
