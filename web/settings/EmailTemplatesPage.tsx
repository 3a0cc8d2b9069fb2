// Settings → E-mail templates (admin only): the invite (METHOD:REQUEST) and cancellation
// (METHOD:CANCEL) messages patients get. Only fields that differ from the defaults are stored,
// so a clinic that edits just the subject keeps getting improved default bodies.
import { createResource, createSignal, For, Show } from "solid-js";
import { ApiFailure } from "../api-client/client";
import { toast } from "../ui/toast";
import { askConfirm } from "../ui/confirm";
import { FieldError } from "../ui/FieldError";
import { type MessageTemplate, type StoredTemplates, type TemplateKind, type TemplatesAnswer, settingsApi } from "./settings-api";

const KINDS: { kind: TemplateKind; title: string; hint: string }[] = [
  { kind: "request", title: "Invitation (booked or rescheduled)", hint: "Sent with the .ics invite (METHOD:REQUEST)." },
  { kind: "cancel", title: "Cancellation", hint: "Sent with the .ics cancellation (METHOD:CANCEL)." },
];
const FIELDS: { field: keyof MessageTemplate; label: string; rows?: number }[] = [
  { field: "subject", label: "Subject" },
  { field: "text", label: "Plain text body", rows: 8 },
  { field: "html", label: "HTML body", rows: 8 },
];

type Draft = { request: MessageTemplate; cancel: MessageTemplate; reschedule: string };

/** The partial override to store: only what differs from the defaults. */
function overrideOf(draft: Draft, defaults: Draft): StoredTemplates {
  const out: StoredTemplates = {};
  for (const { kind } of KINDS) {
    const diff: Partial<MessageTemplate> = {};
    for (const { field } of FIELDS) if (draft[kind][field] !== defaults[kind][field]) diff[field] = draft[kind][field];
    if (Object.keys(diff).length) out[kind] = diff;
  }
  if (draft.reschedule !== defaults.reschedule) out.reschedule = draft.reschedule;
  return out;
}

export function EmailTemplatesPage() {
  const [data, { mutate }] = createResource(() => settingsApi.emailTemplates());
  const [draft, setDraft] = createSignal<Draft | null>(null);
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [formError, setFormError] = createSignal("");
  const [busy, setBusy] = createSignal(false);

  const current = (): Draft | null => draft() ?? (data() ? structuredClone(data()!.templates) : null);
  function edit(kind: TemplateKind, field: keyof MessageTemplate, value: string) {
    const d = structuredClone(current()!);
    d[kind][field] = value;
    setDraft(d);
  }

  async function store(body: StoredTemplates, done: string) {
    setBusy(true);
    setErrors({});
    setFormError("");
    try {
      const answer: TemplatesAnswer = await settingsApi.saveEmailTemplates(body);
      mutate(answer);
      setDraft(null);
      toast(done);
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 422) {
        setErrors(e.fieldErrors());
        setFormError(e.message);
      } else setFormError(e instanceof Error ? e.message : "Could not save the templates.");
    } finally {
      setBusy(false);
    }
  }

  function save(e: Event) {
    e.preventDefault();
    const d = current();
    if (d && data()) void store(overrideOf(d, data()!.defaults), "E-mail templates saved.");
  }
  async function resetKind(kind: TemplateKind) {
    const a = data();
    if (!a || !(await askConfirm({ title: "Reset to the default text?", message: "Your changes to this message are lost.", confirmLabel: "Reset", danger: true }))) return;
    const stored = { ...a.stored };
    delete stored[kind];
    void store(stored, "Message reset to the default.");
  }

  const errorOf = (path: string) => errors()[path];
  const errId = (path: string) => `tpl-err-${path.replace(".", "-")}`;

  return (
    <main class="settings" aria-labelledby="tpl-title">
      <h1 id="tpl-title">E-mail templates</h1>
      <Show when={!data.loading} fallback={<p class="muted">Loading…</p>}>
        <Show when={!data.error} fallback={<p class="notice notice-warn">Could not load the e-mail templates.</p>}>
          <p class="notice" data-testid="tpl-variables">
            Available variables (write them as <code>{"{{name}}"}</code>):{" "}
            <For each={data()?.variables}>
              {(v, i) => (
                <>
                  {i() ? ", " : ""}
                  <code>{`{{${v}}}`}</code>
                </>
              )}
            </For>
          </p>
          <form class="form" onSubmit={save} novalidate>
            <For each={KINDS}>
              {(k) => (
                <fieldset class="tpl" aria-labelledby={`tpl-${k.kind}`}>
                  <legend id={`tpl-${k.kind}`}>{k.title}</legend>
                  <p class="muted">{k.hint}</p>
                  <For each={FIELDS}>
                    {(f) => {
                      const path = `${k.kind}.${f.field}`;
                      return (
                        <label>
                          {f.label}
                          <Show
                            when={f.rows}
                            fallback={
                              <input
                                name={path}
                                value={current()?.[k.kind][f.field] ?? ""}
                                onInput={(e) => edit(k.kind, f.field, e.currentTarget.value)}
                                aria-invalid={!!errorOf(path)}
                                aria-describedby={errorOf(path) ? errId(path) : undefined}
                              />
                            }
                          >
                            <textarea
                              name={path}
                              rows={f.rows}
                              value={current()?.[k.kind][f.field] ?? ""}
                              onInput={(e) => edit(k.kind, f.field, e.currentTarget.value)}
                              aria-invalid={!!errorOf(path)}
                              aria-describedby={errorOf(path) ? errId(path) : undefined}
                            />
                          </Show>
                          <FieldError as="span" message={errorOf(path)} id={errId(path)} />
                        </label>
                      );
                    }}
                  </For>
                  <div class="actions">
                    <button type="button" class="btn" disabled={busy() || !data()?.stored[k.kind]} onClick={() => resetKind(k.kind)}>
                      Reset to default
                    </button>
                  </div>
                </fieldset>
              )}
            </For>
            <label>
              How to reschedule (fills {"{{reschedule}}"})
              <input
                name="reschedule"
                value={current()?.reschedule ?? ""}
                onInput={(e) => setDraft({ ...structuredClone(current()!), reschedule: e.currentTarget.value })}
                aria-invalid={!!errorOf("reschedule")}
              />
              <FieldError as="span" message={errorOf("reschedule")} />
            </label>
            <FieldError message={formError()} />
            <div class="actions">
              <button type="button" class="btn" disabled={busy() || !draft()} onClick={() => (setDraft(null), setErrors({}), setFormError(""))}>
                Discard changes
              </button>
              <button type="submit" class="btn btn-primary" disabled={busy() || !draft()}>
                Save templates
              </button>
            </div>
          </form>
        </Show>
      </Show>
    </main>
  );
}
