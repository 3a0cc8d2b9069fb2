// /waitlist — who is waiting for an earlier time, what was offered to whom and what came of it
// (sent, opened, accepted, taken, expired), live: the doctors' hubs announce every change on the
// app's one live socket ({kind:"waitlist"}, App.tsx) and the lists reload; a 20-second poll covers
// a dropped socket.
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { formatDateTime } from "../lib/tz";
import { navigate } from "../stores/route";
import { clinicTz, user } from "../stores/session";
import { Dialog } from "../ui/Dialog";
import { PageHead } from "../ui/page-parts";
import { toast } from "../ui/toast";
import { WaitlistForm } from "./WaitlistForm";
import { WaitlistSettingsForm } from "./WaitlistSettingsForm";
import { describePreferences, waitlistApi, waitlistTick } from "./waitlist-api";
import "../admin/admin.css";
import "./waitlist.css";

const OFFER_LABEL: Record<string, string> = { sending: "Sending", sent: "Sent", opened: "Opened", standing: "Standing by (standby offer)", withdrawn: "Withdrawn (patient confirmed)", accepted: "Accepted", declined: "Declined", taken: "Taken by another", expired: "Expired", failed: "Failed" };

export function WaitlistPage() {
  const [adding, setAdding] = createSignal(false);
  const [version, setVersion] = createSignal(0);
  const reload = () => setVersion((v) => v + 1);
  const source = () => `${version()}:${waitlistTick()}`;
  const [entries] = createResource(source, async () => (await waitlistApi.list()).entries);
  const [offers] = createResource(source, async () => (await waitlistApi.offers()).offers);
  const [stats] = createResource(source, () => waitlistApi.stats());
  const poll = setInterval(reload, 20_000);
  onCleanup(() => clearInterval(poll));
  const tz = () => clinicTz();

  const remove = async (id: string, name: string) => {
    if (!confirm(`Take ${name} off the waitlist?`)) return;
    await waitlistApi.update(id, { state: "removed" });
    toast(`${name} is off the waitlist.`);
    reload();
  };

  return (
    <main class="settings waitlist" aria-labelledby="waitlist-title">
      <PageHead id="waitlist-title" title="Waitlist" add="Add to waitlist" onAdd={() => setAdding(true)} />
      <Show when={stats()}>
        {(s) => (
          <p class="muted" data-testid="waitlist-stats">
            Last 30 days: {s().slotsFreed} slots freed, {s().slotsOffered} offered, {s().slotsRefilled} refilled
            {s().avgMinutesToRefill != null ? `, on average ${s().avgMinutesToRefill} min to refill` : ""}.
          </p>
        )}
      </Show>
      <section aria-labelledby="wl-offers">
        <h2 id="wl-offers">Offers</h2>
        <Show when={offers()?.length} fallback={<p class="muted">No offers yet. When a slot frees up, the patients who fit get an offer by SMS or e-mail.</p>}>
          <table class="admin-table" data-testid="waitlist-offers">
            <thead>
              <tr><th scope="col">Time</th><th scope="col">Doctor</th><th scope="col">Patient</th><th scope="col">By</th><th scope="col">State</th></tr>
            </thead>
            <tbody>
              <For each={offers()}>
                {(o) => (
                  <tr data-offer-state={o.state}>
                    <td>{formatDateTime(o.start, tz())}</td>
                    <td>{o.doctorName}</td>
                    <td>{o.patientName}</td>
                    <td>{o.channel === "sms" ? "SMS" : "E-mail"}</td>
                    <td>
                      <span class={`badge offer-${o.state}`} title={o.error ?? undefined}>{OFFER_LABEL[o.state] ?? o.state}</span>
                      <Show when={o.standby && o.state !== "standing" && o.state !== "withdrawn"}> <span class="muted">standby</span></Show>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </section>
      <section aria-labelledby="wl-waiting">
        <h2 id="wl-waiting">Waiting</h2>
        <Show when={!entries.error} fallback={<p class="banner banner-error">Could not load the waitlist.</p>}>
          <Show when={entries()?.length} fallback={<p class="muted">Nobody is waiting.</p>}>
            <table class="admin-table" data-testid="waitlist-entries">
              <thead>
                <tr><th scope="col">Patient</th><th scope="col">Doctor</th><th scope="col">Type</th><th scope="col">Dates</th><th scope="col">Times</th><th scope="col">By</th><th scope="col">Priority</th><th scope="col">Last offer</th><th /></tr>
              </thead>
              <tbody>
                <For each={entries()}>
                  {(e) => (
                    <tr data-entry-id={e.id}>
                      <th scope="row">
                        <a href={`/patients/${e.patientId}`} onClick={(ev) => (ev.preventDefault(), navigate(`/patients/${e.patientId}`))}>{e.patientName}</a>
                        <Show when={e.note}><div class="muted small">{e.note}</div></Show>
                      </th>
                      <td>{e.doctorName ?? "Any doctor"}</td>
                      <td>{e.type} <span class="muted small">({e.minutes} min)</span></td>
                      <td>{e.earliestDate} – {e.latestDate}</td>
                      <td>{describePreferences(e.preferences)}</td>
                      <td>{e.channel === "sms" ? "SMS" : "E-mail"}</td>
                      <td>
                        <select aria-label={`Priority of ${e.patientName}`} value={String(e.priority)} onChange={(ev) => void waitlistApi.update(e.id, { priority: Number(ev.currentTarget.value) }).then(reload)}>
                          <option value="0">Normal</option>
                          <option value="1">High</option>
                          <option value="2">Urgent</option>
                        </select>
                      </td>
                      <td>{e.lastOffer ? `${OFFER_LABEL[e.lastOffer.state] ?? e.lastOffer.state} · ${formatDateTime(e.lastOffer.start, tz())}` : "—"}</td>
                      <td class="row-actions"><button type="button" class="btn btn-quiet" onClick={() => void remove(e.id, e.patientName)}>Remove</button></td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        </Show>
      </section>
      <Show when={user()?.role === "admin"}>
        <WaitlistSettingsForm />
      </Show>
      <Show when={adding()}>
        <Dialog title="Add to waitlist" onClose={() => setAdding(false)} testId="waitlist-add">
          <WaitlistForm onDone={() => (setAdding(false), toast("Added to the waitlist."), reload())} />
        </Dialog>
      </Show>
    </main>
  );
}
