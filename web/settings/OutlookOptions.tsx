// Outlook-only settings of one connected account (worker/routes/integrations-microsoft.ts):
// whether "tentative" events block the doctor, and whether Teams links are possible (Microsoft
// makes Teams meetings only for work or school accounts; we say so plainly).
import { createResource, Show } from "solid-js";
import { request } from "../api-client/client";
import { toast } from "../ui/toast";

interface OutlookOptionsState {
  blockTentative: boolean;
  accountKind: "work_or_school" | "personal" | null;
  teamsAvailable: boolean;
}

export function OutlookOptions(props: { integrationId: string; canEdit: boolean }) {
  const url = () => `/api/integrations/microsoft/${props.integrationId}/options`;
  const [opts, { mutate }] = createResource(() => props.integrationId, async () => (await request<{ options: OutlookOptionsState }>("GET", url())).options);

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
        </>
      )}
    </Show>
  );
}
