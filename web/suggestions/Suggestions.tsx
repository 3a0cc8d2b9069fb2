// "Best times" in the booking dialog (issue #21): the 3–5 best free slots for this patient, type
// and doctor (or any doctor) over the clinic's horizon, each with its reasons and the patient's
// no-show risk at that time; and a box for a request in words ("next Tuesday afternoon with Dr
// Patel, 30 min"), whose understanding is shown back as fields that can be corrected. Picking a
// suggestion only fills the dialog (doctor, date, time): staff still check and press Book.
import "./suggestions.css";
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { ApiFailure } from "../api-client/client";
import type { Doctor } from "../api-client/types";
import { RiskBadge } from "./RiskBadge";
import { type SlotsRequest, suggestionsApi, type Understood } from "./suggestions-api";

const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;
const minOf = (v: string) => (/^\d{2}:\d{2}$/.test(v) ? Number(v.slice(0, 2)) * 60 + Number(v.slice(3)) : undefined);

export interface SuggestionsProps {
  patientId: () => string | undefined;
  type: () => string;
  minutes: () => number;
  doctorId: () => string;
  doctors: () => Doctor[];
  tz: () => string;
  onPick: (doctorId: string, start: string) => void;
}

export function Suggestions(props: SuggestionsProps) {
  const [any, setAny] = createSignal(false);
  const [text, setText] = createSignal("");
  const [asked, setAsked] = createSignal("");
  // Corrections of what was understood; they win over the words (the server merges them so).
  const [fix, setFix] = createSignal<Partial<Understood>>({});
  const body = createMemo<SlotsRequest | false>(() => {
    if (!props.type()) return false;
    const defaults = { minutes: props.minutes(), ...(any() ? {} : { doctorId: props.doctorId() || undefined }) };
    const f = fix();
    return {
      type: props.type(),
      ...(props.patientId() ? { patientId: props.patientId() } : {}),
      ...(asked() ? { request: asked() } : {}),
      defaults,
      ...(f.fromDate ? { fromDate: f.fromDate } : {}),
      ...(f.toDate ? { toDate: f.toDate } : {}),
      ...(f.fromMinute != null ? { fromMinute: f.fromMinute } : {}),
      ...(f.toMinute != null ? { toMinute: f.toMinute } : {}),
      ...(f.doctorId ? { doctorId: f.doctorId } : {}),
    };
  });
  const [result] = createResource(body, async (b) => {
    try {
      return { ...(await suggestionsApi.slots(b)), error: "" };
    } catch (e) {
      return { understood: {} as Understood, summary: "", suggestions: [], error: e instanceof ApiFailure ? e.message : "Suggestions are not available." };
    }
  });
  const ask = () => {
    setFix({});
    setAsked(text().trim());
  };
  const shown = (u: Understood | undefined) => ({ ...u, ...fix() });
  const when = (iso: string) =>
    new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: props.tz() }).format(new Date(iso));

  return (
    <section class="suggestions" aria-label="Suggested times" data-testid="suggestions">
      <div class="suggest-ask">
        <input
          type="search"
          value={text()}
          onInput={(e) => setText(e.currentTarget.value)}
          // Enter asks; it must not submit the booking form around us.
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              ask();
            }
          }}
          placeholder="e.g. next Tuesday afternoon with Dr Patel, 30 min"
          aria-label="Ask for a time in words"
          maxLength={300}
          data-testid="suggest-text"
        />
        <button type="button" class="btn" onClick={ask} data-testid="suggest-ask">
          Suggest
        </button>
        <Show when={props.doctors().length > 1}>
          {/* Not "Any doctor": the dialog's Doctor select must stay the only control labelled with that word. */}
          <label class="inline" title="Suggest times with any doctor you may book for">
            <input type="checkbox" checked={any()} onChange={(e) => setAny(e.currentTarget.checked)} data-testid="suggest-any" /> Whole team
          </label>
        </Show>
      </div>
      <Show when={result() && !result()!.error && asked() ? result() : undefined}>
        {(r) => {
          const u = () => shown(r().understood);
          return (
            <div class="understood" data-testid="suggest-understood">
              <p>
                Understood: <strong data-testid="suggest-summary">{r().summary}</strong>
              </p>
              <div class="understood-fix">
                <label>
                  From <input type="date" value={u().fromDate ?? ""} onChange={(e) => setFix({ ...fix(), fromDate: e.currentTarget.value || undefined })} />
                </label>
                <label>
                  to <input type="date" value={u().toDate ?? ""} onChange={(e) => setFix({ ...fix(), toDate: e.currentTarget.value || undefined })} />
                </label>
                <label>
                  between <input type="time" value={u().fromMinute != null ? hhmm(u().fromMinute!) : ""} onChange={(e) => setFix({ ...fix(), fromMinute: minOf(e.currentTarget.value) })} />
                </label>
                <label>
                  and <input type="time" value={u().toMinute != null ? hhmm(u().toMinute!) : ""} onChange={(e) => setFix({ ...fix(), toMinute: minOf(e.currentTarget.value) })} />
                </label>
                <label>
                  with
                  <select value={u().doctorId ?? ""} onChange={(e) => setFix({ ...fix(), doctorId: e.currentTarget.value || undefined })} data-testid="suggest-fix-doctor">
                    <option value="">{any() ? "whole team" : "as in the dialog"}</option>
                    <For each={props.doctors()}>{(d) => <option value={d.id}>{d.name}</option>}</For>
                  </select>
                </label>
              </div>
            </div>
          );
        }}
      </Show>
      <Show when={result()} fallback={<p class="muted">Finding the best times…</p>}>
        {(r) => (
          <Show when={!r().error} fallback={<p class="muted">{r().error}</p>}>
            <Show when={r().suggestions.length} fallback={<p class="muted" data-testid="suggest-none">No free time matches. Try other days or times.</p>}>
              <ol class="suggest-list">
                <For each={r().suggestions}>
                  {(s) => (
                    <li>
                      <button type="button" class="suggestion" onClick={() => props.onPick(s.doctorId, s.start)} data-testid="suggestion" data-start={s.start} data-doctor={s.doctorId}>
                        <span class="suggest-when">
                          {when(s.start)} · {s.doctorName}
                        </span>
                        <RiskBadge risk={{ level: s.riskLevel, probability: s.risk, reasons: [] }} compact />
                        <span class="suggest-why">{s.reasons.join("; ")}</span>
                      </button>
                    </li>
                  )}
                </For>
              </ol>
            </Show>
          </Show>
        )}
      </Show>
    </section>
  );
}
