// The clinic's NPS follow-up setting (admins, under the NPS section): whether patients get the
// "how likely are you to recommend" SMS/e-mail after a completed visit, and how long after its
// end (GET/PUT /api/nps/follow-up; the sending rules are in docs/reminders.md).
import { createResource, createSignal, Show } from "solid-js";
import { request } from "../api-client/client";
import { toast } from "../ui/toast";

interface FollowUp {
  enabled: boolean;
  delayMinutes: number;
  maxDelayMinutes: number;
  /** PUT only: visits completed earlier whose follow-up is still ahead, now planned too. */
  backfilled?: number;
}

export function NpsFollowUpSetting() {
  const [setting, { mutate }] = createResource(() => request<FollowUp>("GET", "/api/nps/follow-up"));
  const [busy, setBusy] = createSignal(false);
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const hours = Number(f.get("hours"));
    setBusy(true);
    try {
      const saved = await request<FollowUp>("PUT", "/api/nps/follow-up", { enabled: f.get("enabled") === "on", delayMinutes: Math.round(hours * 60) });
      mutate(saved);
      const n = saved.backfilled ?? 0;
      toast(n ? `NPS follow-up saved. ${n} visit${n === 1 ? "" : "s"} completed earlier will be asked too, at the set time after ${n === 1 ? "its" : "their"} end.` : "NPS follow-up saved.");
    } catch (err) {
      toast((err as Error).message, "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Show when={setting()}>
      {(s) => (
        <form class="an-nps-follow-up" onSubmit={(e) => void save(e)} data-testid="nps-follow-up">
          <label>
            <input type="checkbox" name="enabled" checked={s().enabled} /> Ask patients after a completed visit (SMS with consent, else e-mail: the clinic name and a link only)
          </label>{" "}
          <label>
            Hours after the visit <input type="number" name="hours" min="0" max={s().maxDelayMinutes / 60} step="0.5" value={s().delayMinutes / 60} style={{ width: "5em" }} />
          </label>{" "}
          <button type="submit" class="btn" disabled={busy()}>Save</button>
        </form>
      )}
    </Show>
  );
}
