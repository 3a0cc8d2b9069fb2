// Admin: the clinic's self-reschedule and waitlist rules (PUT /api/waitlist/settings).
import { createResource, createSignal, Show } from "solid-js";
import { ApiFailure } from "../api-client/client";
import { toast } from "../ui/toast";
import { type WaitlistSettings, waitlistApi } from "./waitlist-api";

const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

export function WaitlistSettingsForm() {
  const [settings, { mutate }] = createResource(async () => (await waitlistApi.settings()).settings);
  const [error, setError] = createSignal("");
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const b: Partial<WaitlistSettings> = {
      selfReschedule: f.get("selfReschedule") === "on",
      rescheduleLimit: Number(f.get("rescheduleLimit")),
      rescheduleDays: Number(f.get("rescheduleDays")),
      noRescheduleTypes: list(String(f.get("noRescheduleTypes") ?? "")),
      waitlistMode: f.get("waitlistMode") === "sequential" ? "sequential" : "parallel",
      waitlistParallel: Number(f.get("waitlistParallel")),
      waitlistReplyMinutes: Number(f.get("waitlistReplyMinutes")),
      sensitiveTypes: list(String(f.get("sensitiveTypes") ?? "")),
    };
    try {
      mutate((await waitlistApi.saveSettings(b)).settings);
      setError("");
      toast("Settings saved.");
    } catch (err) {
      setError(err instanceof ApiFailure ? `${err.message} ${Object.entries(err.fieldErrors()).map(([k, v]) => `${k}: ${v}`).join("; ")}` : String(err));
    }
  };
  return (
    <section aria-labelledby="wl-settings">
      <h2 id="wl-settings">Rules</h2>
      <Show when={settings()} keyed>
        {(s) => (
          <form class="setup-card setup-group" onSubmit={save} data-testid="waitlist-settings">
            <Show when={error()}><p class="banner banner-error" role="alert">{error()}</p></Show>
            <label><input type="checkbox" name="selfReschedule" checked={s.selfReschedule} /> Patients may move their own appointment from their link</label>
            <label>Moves per appointment <input type="number" name="rescheduleLimit" min="0" max="20" value={s.rescheduleLimit} /></label>
            <label>Days ahead patients can choose from <input type="number" name="rescheduleDays" min="1" max="90" value={s.rescheduleDays} /></label>
            <label>Types patients may not move (comma-separated) <input name="noRescheduleTypes" value={s.noRescheduleTypes.join(", ")} /></label>
            <label>
              Offer a freed slot
              <select name="waitlistMode" value={s.waitlistMode}>
                <option value="parallel">to several at once, first to accept wins</option>
                <option value="sequential">to one at a time, with a reply window</option>
              </select>
            </label>
            <label>How many at once <input type="number" name="waitlistParallel" min="1" max="10" value={s.waitlistParallel} /></label>
            <label>Reply window (minutes, one at a time) <input type="number" name="waitlistReplyMinutes" min="5" max="1440" value={s.waitlistReplyMinutes} /></label>
            <label>Sensitive types: never named in an offer (comma-separated) <input name="sensitiveTypes" value={s.sensitiveTypes.join(", ")} /></label>
            <div><button type="submit" class="btn btn-primary">Save rules</button></div>
          </form>
        )}
      </Show>
    </section>
  );
}
