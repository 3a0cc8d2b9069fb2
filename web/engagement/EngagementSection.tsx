// In the appointment details panel: the video link ("Join", staff can turn it on/off), which
// reminders went out and how they fared, and what the patient did through their link or by SMS.
import { createResource, For, Show } from "solid-js";
import { toast } from "../ui/toast";
import { type Engagement, engagementApi } from "./engagement-api";

const STATE: Record<Engagement["reminders"][number]["state"], string> = {
  pending: "scheduled",
  sending: "sending",
  sent: "sent",
  delivered: "delivered",
  failed: "failed",
  skipped: "not sent",
  unknown: "outcome unknown",
};
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "");
// A negative offset is the NPS follow-up after a completed visit (worker/reminders/nps-follow-up.ts).
const offset = (m: number) => (m < 0 ? "NPS follow-up after the visit" : m % 60 === 0 ? `${m / 60} h before` : `${m} min before`);

export function EngagementSection(props: { appointmentId: string; canEdit: boolean }) {
  const [data, { refetch, mutate }] = createResource(() => props.appointmentId, (id) => engagementApi.engagement(id));
  async function toggleVideo(on: boolean) {
    try {
      const r = await engagementApi.setVideo(props.appointmentId, on);
      mutate({ ...data()!, video: r.video });
    } catch (e) {
      toast(e instanceof Error ? e.message : "Could not change the video link.", "error");
      void refetch();
    }
  }
  return (
    <section class="engagement" aria-label="Reminders and video">
      <Show when={data()}>
        {(e) => (
          <>
            <Show
              when={e().video}
              fallback={
                <Show when={props.canEdit}>
                  <button type="button" class="btn" onClick={() => toggleVideo(true)}>
                    Make it a video visit
                  </button>
                </Show>
              }
            >
              {(v) => (
                <p class="video-link">
                  <a class="btn btn-primary" href={v().joinUrl} target="_blank" rel="noreferrer">
                    Join video visit
                  </a>{" "}
                  <Show when={props.canEdit}>
                    <button type="button" class="btn-link" onClick={() => toggleVideo(false)}>
                      Remove link
                    </button>
                  </Show>
                </p>
              )}
            </Show>
            <Show when={e().reminders.length} fallback={<p class="muted">No reminders for this appointment.</p>}>
              <p class="subhead">Reminders</p>
              <ul class="reminders" data-testid="reminders">
                <For each={e().reminders}>
                  {(r) => (
                    <li data-state={r.state} title={r.lastError ?? undefined}>
                      {r.channel === "sms" ? "SMS" : "E-mail"} {offset(r.offsetMinutes)}: {STATE[r.state]} {when(r.deliveredAt ?? r.sentAt ?? r.dueAt)}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <For each={e().responses}>
              {(r) => (
                <p class="patient-response">
                  Patient {r.action === "confirm" ? "confirmed" : "cancelled"} {r.via === "link" ? "by link" : "by SMS"}, {when(r.at)}
                </p>
              )}
            </For>
          </>
        )}
      </Show>
    </section>
  );
}

/** The SMS consent tick-box for a patient form (staff record consent given in person or on paper). */
export function SmsConsentToggle(props: { patientId: string; consent: boolean; onChange?: (consent: boolean) => void }) {
  return (
    <label class="check">
      <input
        type="checkbox"
        checked={props.consent}
        onChange={async (ev) => {
          const want = ev.currentTarget.checked;
          try {
            await engagementApi.smsConsent(props.patientId, want);
            props.onChange?.(want);
            toast(want ? "SMS reminders on for this patient." : "SMS reminders off for this patient.");
          } catch (e) {
            ev.currentTarget.checked = !want;
            toast(e instanceof Error ? e.message : "Could not save the SMS consent.", "error");
          }
        }}
      />
      Agrees to SMS reminders
    </label>
  );
}
