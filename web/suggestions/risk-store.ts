// No-show risk of the appointments the calendar shows, for the badges on blocks: loaded with
// the calendar's range (one GET /api/suggestions/risk) and again, a moment after the last
// change, when appointments change (a booking, a move, a confirmation: each can change a risk).
// A failed load keeps the badges it had: risk is advice, never in the way of the calendar.
import { createSignal } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import { patchListeners } from "../stores/appointments";
import { type Risk, suggestionsApi } from "./suggestions-api";

const [risks, setRisks] = createStore<Record<string, Risk>>({});
export { risks };
/** Bumped after each load: the month view's cells (HTML strings, not reactive) rebuild on it. */
const [riskVersion, setRiskVersion] = createSignal(0);
export { riskVersion };

let range: { from: string; to: string } | null = null;
let seq = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

export async function loadRisks(from: string, to: string): Promise<void> {
  range = { from, to };
  const mine = ++seq;
  try {
    // The API answers at most 62 days; a longer range (never shown by the calendar) gets no badges.
    if (Date.parse(to) - Date.parse(from) > 62 * 86_400_000) return;
    const r = await suggestionsApi.risks(from, to);
    if (mine === seq) {
      setRisks(reconcile(r.risks));
      setRiskVersion((v) => v + 1);
    }
  } catch {
    /* keep what is shown */
  }
}

const RELOAD_AFTER_MS = 1500;
patchListeners.add((p) => {
  if (p.kind !== "appointment" || !range) return;
  clearTimeout(timer);
  timer = setTimeout(() => range && void loadRisks(range.from, range.to), RELOAD_AFTER_MS);
});

/** The level shown on a block, or undefined (closed, past, or not loaded yet). */
export const riskOfAppointment = (id: string): Risk | undefined => risks[id];
