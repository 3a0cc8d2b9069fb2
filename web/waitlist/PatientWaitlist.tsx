// The patient's waitlist entries on their page in the app (/patients/:id), with "Add to waitlist".
import { createResource, createSignal, For, Show } from "solid-js";
import { Dialog } from "../ui/Dialog";
import { PageHead } from "../ui/page-parts";
import { toast } from "../ui/toast";
import { WaitlistForm } from "./WaitlistForm";
import { describePreferences, waitlistApi } from "./waitlist-api";

const STATE: Record<string, string> = { waiting: "Waiting", booked: "Booked", removed: "Removed", expired: "Expired" };

export function PatientWaitlist(props: { patientId: string; patientName: string }) {
  const [adding, setAdding] = createSignal(false);
  const [entries, { refetch }] = createResource(() => props.patientId, async (id) => (await waitlistApi.list({ state: "all", patientId: id })).entries);
  return (
    <section aria-labelledby="patient-waitlist">
      <PageHead id="patient-waitlist" title="Waitlist" level={2} add="Add to waitlist" primary={false} onAdd={() => setAdding(true)} />
      <Show when={entries()?.length} fallback={<p class="muted">Not on the waitlist.</p>}>
        <ul class="history" data-testid="patient-waitlist">
          <For each={entries()}>
            {(e) => (
              <li>
                <span>{e.doctorName ?? "Any doctor"}</span>
                <span>{e.type}</span>
                <span>{e.earliestDate} – {e.latestDate}, {describePreferences(e.preferences)}</span>
                <span class="badge">{STATE[e.state] ?? e.state}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={adding()}>
        <Dialog title="Add to waitlist" onClose={() => setAdding(false)}>
          <WaitlistForm patient={{ id: props.patientId, name: props.patientName }} onDone={() => (setAdding(false), toast("Added to the waitlist."), void refetch())} />
        </Dialog>
      </Show>
    </section>
  );
}
