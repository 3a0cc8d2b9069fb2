// After connecting (any provider): which of the doctor's own calendars ACMS writes appointments to,
// and which ones make them busy for booking. One form for Google, Outlook and iCloud alike, over
// PATCH /api/integrations/:id {writeCalendarId, busyCalendarIds} (the engine then lists newly
// chosen calendars in full and puts existing appointments into a new write calendar).
import { createSignal, For, Show } from "solid-js";
import type { Integration } from "../api-client/types";
import { request } from "../api-client/client";
import { toast } from "../ui/toast";

export function CalendarChoice(props: { integration: Integration; onSaved: () => void }) {
  const cals = () => props.integration.calendars ?? [];
  const [write, setWrite] = createSignal(props.integration.writeCalendarId ?? "");
  const [busy, setBusy] = createSignal(new Set(props.integration.busyCalendarIds ?? []));
  const [saving, setSaving] = createSignal(false);
  const changed = () =>
    write() !== (props.integration.writeCalendarId ?? "") ||
    busy().size !== (props.integration.busyCalendarIds ?? []).length ||
    [...busy()].some((id) => !(props.integration.busyCalendarIds ?? []).includes(id));
  const toggle = (id: string, on: boolean) => {
    const s = new Set(busy());
    if (on) s.add(id);
    else s.delete(id);
    setBusy(s);
  };
  async function save(e: Event) {
    e.preventDefault();
    setSaving(true);
    try {
      await request("PATCH", `/api/integrations/${props.integration.id}`, { writeCalendarId: write() || undefined, busyCalendarIds: [...busy()] });
      toast("Calendar choice saved.");
      props.onSaved();
    } catch (err) {
      toast(err instanceof Error ? err.message : "Could not save the calendar choice.", "error");
    } finally {
      setSaving(false);
    }
  }
  return (
    <Show when={cals().length}>
      <form class="calendar-choice" onSubmit={save} aria-label="Calendars">
        <label>
          Put ACMS appointments in
          <select value={write()} onChange={(e) => setWrite(e.currentTarget.value)}>
            <For each={cals()}>{(c) => <option value={c.id}>{c.summary || c.id}</option>}</For>
          </select>
        </label>
        <fieldset>
          <legend>Events in these calendars make you busy for booking</legend>
          <For each={cals()}>
            {(c) => (
              <label class="check">
                <input type="checkbox" checked={busy().has(c.id)} onChange={(e) => toggle(c.id, e.currentTarget.checked)} />
                {c.summary || c.id}
              </label>
            )}
          </For>
        </fieldset>
        <button type="submit" class="btn" disabled={saving() || !changed()}>
          Save calendars
        </button>
      </form>
    </Show>
  );
}
