// Settings → Reminders: the clinic's reminder rules (any number of "N hours before, by e-mail or
// SMS"), SMS quiet hours, the patient cancel cut-off, the clinic phone shown to patients, which
// appointment types get no reminders and which are video visits, and the SMS/e-mail texts.
// Admins edit; everyone else sees the rules. The SMS counter uses the Worker's own segment
// maths (worker/sms/segments.ts): GSM-7 160/153, UCS-2 70/67.
import { createResource, createSignal, For, Index, Show } from "solid-js";
import { ApiFailure } from "../api-client/client";
import { user } from "../stores/session";
import { FieldError } from "../ui/FieldError";
import { toast } from "../ui/toast";
import { smsLength } from "../../worker/sms/segments";
import { type Channel, type ReminderRule, type ReminderSettings, engagementApi } from "./engagement-api";

interface Draft {
  rules: { hours: string; channel: Channel }[];
  quietStart: string;
  quietEnd: string;
  cutoffHours: string;
  phone: string;
  country: string;
  noReminderTypes: string;
  videoTypes: string;
  jitsiBaseUrl: string;
  sms: string;
}

const draftOf = (s: ReminderSettings): Draft => ({
  rules: s.rules.map((r) => ({ hours: String(r.offsetMinutes / 60), channel: r.channel })),
  quietStart: s.quietHours.start,
  quietEnd: s.quietHours.end,
  cutoffHours: String(s.cancelCutoffMinutes / 60),
  phone: s.phone,
  country: s.country ?? "",
  noReminderTypes: s.noReminderTypes.join(", "),
  videoTypes: s.videoTypes.join(", "),
  jitsiBaseUrl: s.jitsiBaseUrl,
  sms: s.templates.effective.sms,
});

const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

export function RemindersPage() {
  const [data, { mutate }] = createResource(async () => (await engagementApi.settings()).reminders);
  const [draft, setDraft] = createSignal<Draft | null>(null);
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [formError, setFormError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const admin = () => user()?.role === "admin";
  const d = () => draft() ?? (data() ? draftOf(data()!) : null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft({ ...d()!, [k]: v });
  const setRule = (i: number, r: Partial<Draft["rules"][number]>) => set("rules", d()!.rules.map((x, j) => (j === i ? { ...x, ...r } : x)));
  const counter = () => smsLength(d()?.sms ?? "");

  async function save(e: Event) {
    e.preventDefault();
    const x = d();
    if (!x) return;
    setBusy(true);
    setErrors({});
    setFormError("");
    try {
      const rules: ReminderRule[] = x.rules.map((r) => ({ offsetMinutes: Math.round(Number(r.hours) * 60), channel: r.channel }));
      const r = await engagementApi.saveSettings({
        rules,
        quietHours: { start: x.quietStart, end: x.quietEnd },
        cancelCutoffMinutes: Math.round(Number(x.cutoffHours) * 60),
        phone: x.phone,
        country: x.country.trim(),
        noReminderTypes: list(x.noReminderTypes),
        videoTypes: list(x.videoTypes),
        jitsiBaseUrl: x.jitsiBaseUrl,
        templates: { ...data()!.templates.stored, sms: x.sms },
      });
      mutate(r.reminders);
      setDraft(null);
      toast("Reminder settings saved.");
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 422) setErrors(err.fieldErrors());
      setFormError(err instanceof Error ? err.message : "Could not save the reminder settings.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="settings" aria-labelledby="rem-title">
      <h1 id="rem-title">Reminders</h1>
      <Show when={!data.loading} fallback={<p class="muted">Loading…</p>}>
        <Show when={!data.error && d()} fallback={<p class="notice notice-warn">Could not load the reminder settings.</p>}>
          <p class="muted">
            Patients get these reminders before every scheduled or confirmed appointment. E-mail goes to patients with an e-mail address; SMS only to patients
            with a mobile number who agreed to texts (tick it on the patient; a reply of STOP turns it off). Reminders never mention the reason or notes.
          </p>
          <form class="form" onSubmit={save} novalidate>
            <fieldset disabled={!admin() || busy()}>
              <legend>When</legend>
              <Index each={d()!.rules}>
                {(r, i) => (
                  <div class="row" data-testid="reminder-rule">
                    <label>
                      Hours before
                      <input type="number" min="0.25" step="0.25" value={r().hours} onInput={(e) => setRule(i, { hours: e.currentTarget.value })} />
                    </label>
                    <label>
                      By
                      <select value={r().channel} onChange={(e) => setRule(i, { channel: e.currentTarget.value as Channel })}>
                        <option value="email">E-mail</option>
                        <option value="sms">SMS</option>
                      </select>
                    </label>
                    <button type="button" class="btn" onClick={() => set("rules", d()!.rules.filter((_, j) => j !== i))} aria-label={`Remove reminder ${i + 1}`}>
                      Remove
                    </button>
                  </div>
                )}
              </Index>
              <FieldError message={errors()["rules"]} />
              <button type="button" class="btn" onClick={() => set("rules", [...d()!.rules, { hours: "24", channel: "email" }])}>
                Add a reminder
              </button>
            </fieldset>
            <fieldset disabled={!admin() || busy()}>
              <legend>No texts at night</legend>
              <div class="row">
                <label>
                  Quiet from
                  <input type="time" value={d()!.quietStart} onInput={(e) => set("quietStart", e.currentTarget.value)} />
                </label>
                <label>
                  until
                  <input type="time" value={d()!.quietEnd} onInput={(e) => set("quietEnd", e.currentTarget.value)} />
                </label>
              </div>
              <p class="muted">An SMS that would fall in this span goes when it ends, or not at all if the appointment has started by then.</p>
            </fieldset>
            <fieldset disabled={!admin() || busy()}>
              <legend>Patients' own confirm/cancel link</legend>
              <label>
                Patients may cancel online until this many hours before
                <input type="number" min="0" step="0.5" value={d()!.cutoffHours} onInput={(e) => set("cutoffHours", e.currentTarget.value)} />
              </label>
              <label>
                Clinic phone shown to patients
                <input type="tel" value={d()!.phone} onInput={(e) => set("phone", e.currentTarget.value)} aria-invalid={!!errors()["phone"]} />
                <FieldError as="span" message={errors()["phone"]} />
              </label>
              <label>
                Country of patients' phone numbers (two letters, e.g. GB: "07700 900123" becomes +44 7700 900123)
                <input value={d()!.country} maxLength={2} onInput={(e) => set("country", e.currentTarget.value)} aria-invalid={!!errors()["country"]} />
                <FieldError as="span" message={errors()["country"]} />
              </label>
            </fieldset>
            <fieldset disabled={!admin() || busy()}>
              <legend>Appointment types</legend>
              <label>
                Types with no reminders (comma-separated)
                <input value={d()!.noReminderTypes} onInput={(e) => set("noReminderTypes", e.currentTarget.value)} />
              </label>
              <label>
                Video visit types: these get a meeting link (comma-separated)
                <input value={d()!.videoTypes} onInput={(e) => set("videoTypes", e.currentTarget.value)} />
              </label>
              <label>
                Jitsi server
                <input type="url" value={d()!.jitsiBaseUrl} onInput={(e) => set("jitsiBaseUrl", e.currentTarget.value)} aria-invalid={!!errors()["jitsiBaseUrl"]} />
                <FieldError as="span" message={errors()["jitsiBaseUrl"]} />
              </label>
            </fieldset>
            <fieldset disabled={!admin() || busy()}>
              <legend>SMS text</legend>
              <label>
                Message (placeholders: {"{{clinic}} {{doctor}} {{date}} {{time}} {{timeZone}} {{where}} {{link}} {{phone}}"})
                <textarea rows={4} value={d()!.sms} onInput={(e) => set("sms", e.currentTarget.value)} aria-invalid={!!errors()["templates.sms"]} aria-describedby="sms-count" />
                <FieldError as="span" message={errors()["templates.sms"]} />
              </label>
              <p id="sms-count" class="muted" data-testid="sms-count" aria-live="polite">
                Template: {counter().units} characters, {counter().encoding}, {counter().segments} SMS part{counter().segments === 1 ? "" : "s"}
                {" "}· with real names and a link: {data()!.smsLength.segments} part{data()!.smsLength.segments === 1 ? "" : "s"} ({data()!.smsLength.encoding})
              </p>
            </fieldset>
            <FieldError message={formError()} />
            <Show when={admin()}>
              <div class="actions">
                <button type="button" class="btn" disabled={busy() || !draft()} onClick={() => (setDraft(null), setErrors({}), setFormError(""))}>
                  Discard changes
                </button>
                <button type="submit" class="btn btn-primary" disabled={busy() || !draft()}>
                  Save reminder settings
                </button>
              </div>
            </Show>
          </form>
        </Show>
      </Show>
    </main>
  );
}
