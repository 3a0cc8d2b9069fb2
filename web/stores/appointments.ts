// Appointments and blocked times by id for the loaded range. The calendar draws from here;
// single changes (live pushes, optimistic moves, rollbacks) are announced to listeners so the
// calendar can patch one event instead of redrawing thousands.
import { createSignal } from "solid-js";
import { createStore, produce, reconcile } from "solid-js/store";
import { api } from "../api-client/client";
import type { Appointment, BlockedTime } from "../api-client/types";

const [appointments, setAppointments] = createStore<Record<string, Appointment>>({});
const [blocked, setBlocked] = createStore<Record<string, BlockedTime>>({});
const [loading, setLoading] = createSignal(false);
const [loadedRange, setLoadedRange] = createSignal<{ from: string; to: string } | null>(null);
/** Bumped after a full reload: the calendar replaces all events. */
const [generation, setGeneration] = createSignal(0);

export { appointments, blocked, loading, loadedRange, generation };

export type Patch =
  | { kind: "appointment"; op: "upsert"; value: Appointment }
  | { kind: "appointment"; op: "delete"; id: string }
  | { kind: "blocked"; op: "upsert"; value: BlockedTime }
  | { kind: "blocked"; op: "delete"; id: string };
export const patchListeners = new Set<(p: Patch) => void>();

let loadSeq = 0;
let loadsInFlight = 0;
/**
 * Changes applied while a range load was in flight (id → latest value, null = gone). A load's
 * answer may have been read before a write that answered first (our own PATCH, a live push):
 * replacing the store with it would bring back the older version, and no later push corrects it
 * (the newer one has already arrived). So the answer is laid down first and these on top.
 */
const landedDuringLoad = { appointments: new Map<string, Appointment | null>(), blocked: new Map<string, BlockedTime | null>() };

/** Remember a change while a load is in flight: the highest version wins; a deletion is final. */
function noteDuringLoad(id: string, x: Appointment | null) {
  if (!loadsInFlight) return;
  const prev = landedDuringLoad.appointments.get(id);
  if (prev === null || (prev && x && prev.version > x.version)) return;
  landedDuringLoad.appointments.set(id, x);
}

/** Replace the store with the range [from, to) (ISO instants). Older overlapping loads lose. */
export async function loadRange(from: string, to: string) {
  const mine = ++loadSeq;
  loadsInFlight++;
  setLoading(true);
  try {
    const [a, b] = await Promise.all([api.appointments(from, to), api.blockedTimes(from, to)]);
    if (mine !== loadSeq) return;
    // For bench/ui.bench.mjs: data is here; what follows until the next paint is rendering.
    performance.mark("acms:range-loaded");
    const range = { from, to };
    // A tie is ours: the same version, or an optimistic move waiting for its answer.
    const appts = layOver(a.appointments, landedDuringLoad.appointments, range, (loaded, ours) => loaded.version <= ours.version);
    const blocks = layOver(b.blockedTimes, landedDuringLoad.blocked, range, () => true);
    setAppointments(reconcile(appts));
    setBlocked(reconcile(blocks));
    setLoadedRange(range);
    setGeneration((g) => g + 1);
  } finally {
    if (--loadsInFlight === 0) {
      landedDuringLoad.appointments.clear();
      landedDuringLoad.blocked.clear();
    }
    if (mine === loadSeq) setLoading(false);
  }
}

export async function reloadRange() {
  const r = loadedRange();
  if (r) await loadRange(r.from, r.to);
}

type Range = { from: string; to: string };
const overlaps = (x: { start: string; end: string }, r: Range) => x.start < r.to && x.end > r.from;
const inRange = (x: { start: string; end: string }) => {
  const r = loadedRange();
  return !r || overlaps(x, r);
};

/** A load's answer by id, with the changes that landed while it was in flight laid over it. */
function layOver<T extends { id: string; start: string; end: string }>(
  loaded: T[],
  landed: Map<string, T | null>,
  range: Range,
  oursWins: (loaded: T, ours: T) => boolean,
): Record<string, T> {
  const out = Object.fromEntries(loaded.map((x) => [x.id, x]));
  for (const [id, ours] of landed) {
    if (!ours || !overlaps(ours, range)) delete out[id];
    else if (!out[id] || oursWins(out[id], ours)) out[id] = ours;
  }
  return out;
}

/** Put one appointment in (or take it out when it left the range). Ignores stale versions. */
export function upsertAppointment(a: Appointment, force = false) {
  const cur = appointments[a.id];
  if (cur && !force && cur.version > a.version) return;
  noteDuringLoad(a.id, a);
  if (!inRange(a)) return dropAppointment(a.id);
  setAppointments(a.id, reconcile(a));
  patchListeners.forEach((l) => l({ kind: "appointment", op: "upsert", value: a }));
}

export function removeAppointment(id: string) {
  noteDuringLoad(id, null);
  dropAppointment(id);
}

/** Out of the store (deleted, or moved out of the loaded range). */
function dropAppointment(id: string) {
  if (!appointments[id]) return;
  setAppointments(produce((s) => delete s[id]));
  patchListeners.forEach((l) => l({ kind: "appointment", op: "delete", id }));
}

export function upsertBlocked(b: BlockedTime) {
  if (loadsInFlight) landedDuringLoad.blocked.set(b.id, b);
  if (!inRange(b)) return dropBlocked(b.id);
  setBlocked(b.id, reconcile(b));
  patchListeners.forEach((l) => l({ kind: "blocked", op: "upsert", value: b }));
}

export function removeBlocked(id: string) {
  if (loadsInFlight) landedDuringLoad.blocked.set(id, null);
  dropBlocked(id);
}

function dropBlocked(id: string) {
  if (!blocked[id]) return;
  setBlocked(produce((s) => delete s[id]));
  patchListeners.forEach((l) => l({ kind: "blocked", op: "delete", id }));
}
