// Settings › No-shows (issue #21): today's high-risk unconfirmed appointments for the front desk to
// call, what the no-show model is (trained from this clinic's history or the default, when, on how
// many appointments), and the clinic's choices: how the booking dialog ranks free times and what
// is done about high risk. Everyone sees it; only an admin changes the settings.
import { createResource, createSignal, For, Show } from "solid-js";
import { ApiFailure } from "../api-client/client";
import { clinicTz, user } from "../stores/session";
import { formatTime } from "../lib/tz";
import { toast } from "../ui/toast";
import { FieldError } from "../ui/FieldError";
import { RiskBadge } from "./RiskBadge";
import { type SuggestionSettings, suggestionsApi } from "./suggestions-api";

const WEIGHTS: { key: keyof SuggestionSettings["weights"]; label: string }[] = [
  { key: "habit", label: "The patient's usual days and times" },
  { key: "compact", label: "Keep the doctor's day compact" },
  { key: "spread", label: "Spread load across doctors (any doctor)" },
  { key: "risk", label: "Lower no-show risk" },
  { key: "soon", label: "Sooner (three times as much for urgent types)" },
];

export function SuggestionsPage() {
  const admin = () => user()?.role === "admin";
  const [calls, { refetch: refetchCalls }] = createResource(() => suggestionsApi.callList().catch(() => null));
  const [data, { mutate }] = createResource(() => suggestionsApi.settings());
  const [draft, setDraft] = createSignal<SuggestionSettings | null>(null);
  const d = () => draft() ?? data()?.settings;
  const set = (patch: Partial<SuggestionSettings>) => setDraft({ ...d()!, ...patch });
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [busy, setBusy] = createSignal(false);

  async function save(e: Event) {
    e.preventDefault();
    const x = d();
    if (!x) return;
    setBusy(true);
    setErrors({});
    try {
      const r = await suggestionsApi.saveSettings(x);
      mutate({ ...data()!, settings: r.settings });
      setDraft(null);
      toast("No-show and suggestion settings saved.");
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 422) setErrors(err.fieldErrors());
      else toast(err instanceof Error ? err.message : "Could not save.", "error");
    } finally {
      setBusy(false);
    }
  }

  const when = (ms: number | null) => (ms ? new Date(ms).toLocaleString("en-GB", { timeZone: clinicTz(), dateStyle: "medium", timeStyle: "short" }) : "never");

  return (
    <main class="settings call-list" aria-labelledby="sug-title">
      <h1 id="sug-title">No-shows and suggestions</h1>
      <section aria-labelledby="calls-title">
        <h2 id="calls-title">Call today</h2>
        <p class="muted">Today's appointments at high risk of a no-show that the patient has not confirmed. A call often saves the slot.</p>
        <Show when={calls()} fallback={<p class="muted">{calls.loading ? "Loading…" : "The call list could not be loaded."}</p>}>
          {(c) => (
            <Show when={c().calls.length} fallback={<p data-testid="call-list-empty">Nobody to call: no high-risk unconfirmed appointment left today.</p>}>
              <table data-testid="call-list">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Patient</th>
                    <th scope="col">Phone</th>
                    <th scope="col">Doctor</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={c().calls}>
                    {(x) => (
                      <tr>
                        <td>{formatTime(x.start, clinicTz())}</td>
                        <td>
                          <a href={`/appointments/${x.appointmentId}`}>{x.patientName}</a>
                        </td>
                        <td>{x.phone ? <a href={`tel:${x.phone.replace(/[^\d+]/g, "")}`}>{x.phone}</a> : <span class="muted">no phone</span>}</td>
                        <td>{x.doctorName}</td>
                        <td>
                          <RiskBadge risk={x.risk} /> {x.risk.reasons.join(", ")}
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
          )}
        </Show>
        <button type="button" class="btn" onClick={() => void refetchCalls()}>
          Refresh
        </button>
      </section>

      <Show when={data()}>
        {(m) => (
          <section aria-labelledby="model-title">
            <h2 id="model-title">The no-show model</h2>
            <p data-testid="model-facts">
              <Show
                when={m().model.kind === "trained"}
                fallback={
                  <>
                    The default model (documented in docs/suggestions.md) is in use: the clinic has {m().model.trainingSize} finished appointments from the last year;
                    its own model is trained from 300. Last checked: {when(m().model.trainedAt)}.
                  </>
                }
              >
                Trained from this clinic's last year: {m().model.trainingSize} finished appointments, {Math.round(m().model.baseRate * 1000) / 10} % no-shows. Trained{" "}
                {when(m().model.trainedAt)}; retrained every night.
              </Show>{" "}
              Badges: low below the clinic's usual rate, high from about twice it.
            </p>
          </section>
        )}
      </Show>

      <Show when={d()}>
        <form class="form" onSubmit={save} novalidate>
          <fieldset disabled={!admin() || busy()}>
            <legend>Ranking free times (weights, 0 = ignore)</legend>
            <For each={WEIGHTS}>
              {(w) => (
                <label>
                  {w.label}
                  <input type="number" min="0" max="10" step="0.1" value={d()!.weights[w.key]} onInput={(e) => set({ weights: { ...d()!.weights, [w.key]: Number(e.currentTarget.value) } })} />
                  <FieldError message={errors()[`weights.${w.key}`]} />
                </label>
              )}
            </For>
            <label>
              Urgent appointment types (comma-separated)
              <input value={d()!.urgentTypes.join(", ")} onChange={(e) => set({ urgentTypes: e.currentTarget.value.split(",").map((s) => s.trim()).filter(Boolean) })} />
            </label>
            <label>
              Look ahead (days)
              <input type="number" min="1" max="62" value={d()!.horizonDays} onInput={(e) => set({ horizonDays: Number(e.currentTarget.value) })} />
              <FieldError message={errors()["horizonDays"]} />
            </label>
          </fieldset>
          <fieldset disabled={!admin() || busy()}>
            <legend>Acting on high risk</legend>
            <label class="inline">
              <input type="checkbox" checked={d()!.extraSms.enabled} onChange={(e) => set({ extraSms: { ...d()!.extraSms, enabled: e.currentTarget.checked } })} /> Send high-risk patients who have not
              confirmed an extra SMS reminder (they can reply C to confirm)
            </label>
            <label>
              Hours before the appointment
              <input type="number" min="2" max="168" value={d()!.extraSms.hoursBefore} onInput={(e) => set({ extraSms: { ...d()!.extraSms, hoursBefore: Number(e.currentTarget.value) } })} />
            </label>
            <label class="inline">
              <input type="checkbox" checked={d()!.waitlistEarly.enabled} onChange={(e) => set({ waitlistEarly: { ...d()!.waitlistEarly, enabled: e.currentTarget.checked } })} /> Offer the time of
              high-risk appointments still unconfirmed at the cut-off to the waitlist, as standby: it becomes theirs only if the patient cancels (never a second booking)
            </label>
            <label>
              Cut-off (hours before)
              <input type="number" min="1" max="168" value={d()!.waitlistEarly.cutoffHours} onInput={(e) => set({ waitlistEarly: { ...d()!.waitlistEarly, cutoffHours: Number(e.currentTarget.value) } })} />
            </label>
            <label>
              Final point (hours before)
              <input type="number" min="1" max="167" value={d()!.waitlistEarly.finalHours} onInput={(e) => set({ waitlistEarly: { ...d()!.waitlistEarly, finalHours: Number(e.currentTarget.value) } })} />
              <FieldError message={errors()["waitlistEarly.finalHours"]} />
            </label>
            <label class="inline">
              <input type="checkbox" checked={d()!.waitlistEarly.releaseUnconfirmed} onChange={(e) => set({ waitlistEarly: { ...d()!.waitlistEarly, releaseUnconfirmed: e.currentTarget.checked } })} /> At the
              final point, release a still-unconfirmed appointment (it is cancelled and the patient told) so the standby patient gets it
            </label>
          </fieldset>
          <Show when={admin()} fallback={<p class="muted">Only an admin can change these settings.</p>}>
            <button type="submit" class="btn btn-primary" disabled={busy() || !draft()}>
              Save
            </button>
          </Show>
        </form>
      </Show>
    </main>
  );
}
