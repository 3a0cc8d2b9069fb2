// Holidays and days off: whole days blocked in the doctor's calendar (manual blocked time through
// /api/blocked-times, written by the doctor's hub, so open calendars see it live). Shows the next
// 60 days (whole days and blocks of 4 hours or more); blocks from synced calendars are listed
// but only removable at their source.
import { createResource, createSignal, For, Show } from "solid-js";
import type { BlockedTime } from "../api-client/types";
import { formatDateTime, toWall, wallToMs } from "../lib/tz";
import { clinicTz } from "../stores/session";
import { FieldError } from "../ui/FieldError";
import { toast } from "../ui/toast";
import { adminApi, messageOf } from "./admin-api";
import { appointmentsOn, TimeOffClashes } from "./TimeOffClashes";

const DAY = 86_400_000;
const LONG_MS = 4 * 3_600_000;
const dayStartMs = (ymd: string, tz: string) => {
  const [y, m, d] = ymd.split("-").map(Number);
  return wallToMs(y, m, d, 0, 0, tz);
};
const nextDay = (ymd: string) => new Date(Date.parse(`${ymd}T00:00:00Z`) + DAY).toISOString().slice(0, 10);

export function TimeOff(props: { doctorId: string }) {
  const [list, { refetch }] = createResource(
    () => props.doctorId,
    async (id) => {
      const from = new Date(Date.now() - DAY).toISOString();
      const to = new Date(Date.now() + 60 * DAY).toISOString();
      // Whole days and long blocks only: short ones (a meeting, a synced busy hour) belong to the
      // calendar, and listing 60 days of them would bury the holidays this list is for.
      return (await adminApi.blockedTimes(id, from, to)).blockedTimes
        .filter((b) => b.allDay || Date.parse(b.end) - Date.parse(b.start) >= LONG_MS)
        .sort((a, b) => a.start.localeCompare(b.start));
    },
  );
  const today = toWall(Date.now(), clinicTz()).slice(0, 10);
  const [from, setFrom] = createSignal(today);
  const [to, setTo] = createSignal(today);
  const [label, setLabel] = createSignal("Holiday");
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  // The days just blocked, while their booked appointments are being dealt with.
  const [justBlocked, setJustBlocked] = createSignal<{ from: string; to: string; label: string } | null>(null);
  // Before blocking: how many appointments are booked on the chosen days (a warning, not a stop).
  const [booked] = createResource(
    () => (from() && to() && to() >= from() && !justBlocked() ? { from: from(), to: to() } : false),
    async (r) => {
      const tz = clinicTz();
      return (await appointmentsOn(props.doctorId, new Date(dayStartMs(r.from, tz)).toISOString(), new Date(dayStartMs(nextDay(r.to), tz)).toISOString())).length;
    },
  );

  async function add(e: Event) {
    e.preventDefault();
    setError("");
    if (to() < from()) return setError("The last day is before the first day.");
    setBusy(true);
    try {
      const tz = clinicTz();
      const start = new Date(dayStartMs(from(), tz)).toISOString();
      const end = new Date(dayStartMs(nextDay(to()), tz)).toISOString();
      await adminApi.createBlockedTime({
        doctorId: props.doctorId,
        start,
        end,
        label: label().trim() || "Day off",
        allDay: true,
      });
      toast(from() === to() ? `${label() || "Day off"} on ${from()} is in the calendar.` : `${label() || "Time off"} ${from()} – ${to()} is in the calendar.`);
      void refetch();
      setJustBlocked({ from: start, to: end, label: from() === to() ? from() : `${from()} – ${to()}` });
    } catch (x) {
      setError(messageOf(x));
    } finally {
      setBusy(false);
    }
  }

  async function remove(b: BlockedTime) {
    try {
      await adminApi.deleteBlockedTime(b.id);
      void refetch();
    } catch (x) {
      toast(messageOf(x), "error");
    }
  }

  const when = (b: BlockedTime) => {
    const tz = clinicTz();
    if (!b.allDay) return `${formatDateTime(b.start, tz)} – ${formatDateTime(b.end, tz)}`;
    const fmt = (ms: number) => new Intl.DateTimeFormat(undefined, { timeZone: tz, weekday: "short", day: "numeric", month: "short" }).format(ms);
    const last = Date.parse(b.end) - 1;
    // One day by the clinic's calendar, not by length: an autumn change day lasts 25 hours.
    return toWall(b.start, tz).slice(0, 10) === toWall(last, tz).slice(0, 10) ? fmt(Date.parse(b.start)) : `${fmt(Date.parse(b.start))} – ${fmt(last)}`;
  };

  return (
    <div class="timeoff" data-testid="time-off">
      <form class="form timeoff-form" onSubmit={add} aria-label="Add time off">
        <div class="row3">
          <label>
            First day
            <input type="date" value={from()} required onInput={(e) => setFrom(e.currentTarget.value)} />
          </label>
          <label>
            Last day
            <input type="date" value={to()} required onInput={(e) => setTo(e.currentTarget.value)} />
          </label>
          <label>
            Reason shown in the calendar
            <input value={label()} maxlength="200" onInput={(e) => setLabel(e.currentTarget.value)} />
          </label>
        </div>
        <FieldError message={error()} />
        <Show when={!justBlocked() && !booked.loading && !booked.error && booked()}>
          {(n) => (
            <p class="notice notice-warn" role="status" data-testid="time-off-warning">
              {n()} appointment{n() === 1 ? " is" : "s are"} booked on {from() === to() ? "this day" : "these days"}. Blocking keeps {n() === 1 ? "it" : "them"}; you can
              then move or cancel {n() === 1 ? "it" : "them"}, and the patient{n() === 1 ? " is" : "s are"} told.
            </p>
          )}
        </Show>
        <div>
          <button type="submit" class="btn" disabled={busy()}>
            Block these days
          </button>
        </div>
      </form>
      <Show when={justBlocked()}>
        {(b) => <TimeOffClashes doctorId={props.doctorId} from={b().from} to={b().to} label={b().label} onDone={() => setJustBlocked(null)} />}
      </Show>
      <Show when={list()} fallback={<p class="muted">Loading…</p>}>
        <Show when={list()!.length} fallback={<p class="muted">No days off in the next 60 days.</p>}>
          <ul class="timeoff-list">
            <For each={list()}>
              {(b) => (
                <li>
                  <span>
                    <strong>{b.label || "Blocked"}</strong> · {when(b)}
                    {b.source !== "manual" ? <span class="muted"> (from {b.source})</span> : null}
                  </span>
                  <Show when={b.source === "manual"}>
                    <button type="button" class="btn btn-quiet" aria-label={`Remove ${b.label || "blocked time"} ${when(b)}`} onClick={() => void remove(b)}>
                      Remove
                    </button>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </div>
  );
}
