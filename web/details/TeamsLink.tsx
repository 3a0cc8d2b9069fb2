// The appointment's Teams meeting (Outlook work/school accounts): the join link when Outlook made
// one, else why there is none (worker/routes/integrations-microsoft.ts …/meeting). Nothing is shown
// when the doctor has no Outlook connected. The join link is not PHI.
import { createResource, Show } from "solid-js";
import { request } from "../api-client/client";

interface Meeting {
  joinUrl: string | null;
  reason: string | null;
}

/**
 * `sync`: the appointment's sync state as the panel shows it (undefined while it loads). The
 * meeting is read after it and again when it changes: the join link is stored in the same write
 * as "Outlook: synced", so a panel that says synced never says "appears once synced" beside it
 * (read in parallel, the two could straddle that write).
 */
export function TeamsLink(props: { appointmentId: string; version: number; sync: string | undefined }) {
  const [meeting] = createResource(
    () => (props.sync === undefined ? undefined : { id: props.appointmentId, v: props.version, sync: props.sync }),
    async ({ id }) => {
      try {
        return (await request<{ meeting: Meeting | null }>("GET", `/api/integrations/microsoft/appointments/${id}/meeting`)).meeting;
      } catch {
        return null;
      }
    },
  );
  return (
    <Show when={meeting()}>
      {(m) => (
        <>
          <dt>Teams meeting</dt>
          <dd data-testid="teams-link">
            <Show when={m().joinUrl} fallback={<span class="muted">{m().reason}</span>}>
              <a href={m().joinUrl!} target="_blank" rel="noopener noreferrer">
                Join Teams meeting
              </a>
            </Show>
          </dd>
        </>
      )}
    </Show>
  );
}
