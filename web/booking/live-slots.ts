// The booking dialog's free times follow live changes: when another screen books, moves or
// blocks time for the shown doctor on the shown day, `onChange` runs (the dialog then reloads its
// list quietly). Changes arrive over the app's one live socket (stores/live.ts).
import { onCleanup, type Accessor } from "solid-js";
import type { LiveChange } from "../api-client/types";
import { rangeTouchesDay } from "../lib/tz";
import { changeListeners } from "../stores/live";

/**
 * Does a live change's record touch clinic day `day`? A record without times (a deletion sends
 * only its id) counts as touching: reloading is cheap, missing a freed time is not.
 */
export function touchesDay(record: unknown, day: string, tz: string): boolean {
  const r = record as { start?: unknown; end?: unknown } | null;
  if (!r || typeof r.start !== "string" || typeof r.end !== "string") return true;
  return rangeTouchesDay(r.start, r.end, day, tz);
}

/** Calls `onChange` for each live appointment/blocked change of (doctorId, day) while the owner lives. */
export function onSlotChanges(doctorId: Accessor<string>, day: Accessor<string>, tz: Accessor<string>, onChange: () => void) {
  const listener = (c: LiveChange) => {
    if ((c.kind === "appointment" || c.kind === "blocked") && c.doctorId === doctorId() && touchesDay(c.record, day(), tz())) onChange();
  };
  changeListeners.add(listener);
  onCleanup(() => changeListeners.delete(listener));
}
