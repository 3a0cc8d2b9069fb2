// Outlook-only settings of one connected account (worker/routes/integrations-microsoft.ts):
// whether "tentative" events block the doctor, and whether Teams links are possible (Microsoft
// makes Teams meetings only for work or school accounts; we say so plainly).
import { createResource, For, Show } from "solid-js";
import { request } from "../api-client/client";
import { APPOINTMENT_TYPES } from "../booking/BookingDialog";
import { toast } from "../ui/toast";

interface OutlookOptionsState {
  blockTentative: boolean;
  accountKind: "work_or_school" | "personal" | null;
  teamsAvailable: boolean;
  teamsTypes: string[];
}

export function OutlookOptions(props: { integrationId: string; canEdit: boolean }) {
  const url = () => `/api/integrations/microsoft/${props.integrationId}/options`;
  const [opts, { mutate }] = createResource(() => props.integrationId, async () => (await request<{ options: OutlookOptionsState }>("GET", url())).options);

  async function setTeamsType(type: string, on: boolean) {
    const cur = opts()?.teamsTypes ?? [];
    const next = on ? [...new Set([...cur, type])] : cur.filter((t) => t !== type);
    try {
      mutate((await request<{ options: OutlookOptionsState }>("PATCH", url(), { teamsTypes: next })).options);
    } catch (e) {
      toast(e instanceof Error ? e.message : "Could not save. Try again.", "error");
    }
  }

  async function setTentative(v: boolean) {
    try {
      mutate((await request<{ options: OutlookOptionsState }>("PATCH", url(), { blockTentative: v })).options);
      toast(v ? "Tentative events now block your time." : "Tentative events no longer block your time.");
    } catch (e) {
      toast(e instanceof Error ? e.message : "Could not save. Try again.", "error");
    }
  }

  return (
    <Show when={opts()}>
      {(o) => (
        <>
          <label class="checkbox">
            <input type="checkbox" checked={o().blockTentative} disabled={!props.canEdit} onChange={(e) => void setTentative(e.currentTarget.checked)} />
            Tentative Outlook events block my time
          </label>
          <span class="muted" data-testid="teams-availability">
            {o().teamsAvailable
              ? "Work or school account: Teams meeting links are possible."
              : "Personal Microsoft account: Microsoft makes Teams meeting links only for work or school accounts, so ACMS cannot add one."}
          </span>
          <Show when={o().teamsAvailable}>
            <fieldset class="teams-types">
              <legend>Video (Teams) visits — these appointment types get a Teams link</legend>
              <For each={APPOINTMENT_TYPES}>
                {(t) => (
                  <label class="checkbox">
                    <input type="checkbox" checked={o().teamsTypes.includes(t)} disabled={!props.canEdit} onChange={(e) => void setTeamsType(t, e.currentTarget.checked)} />
                    {t}
                  </label>
                )}
              </For>
            </fieldset>
          </Show>
        </>
      )}
    </Show>
  );
}
