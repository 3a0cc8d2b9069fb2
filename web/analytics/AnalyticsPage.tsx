// Analytics (issue #19): busiest times, no-show patterns and their reduction, utilization and
// the KPIs, for the period chosen compared with the previous one of the same length. A lazy
// chunk (App.tsx imports it with lazy()), so the calendar's bundle does not carry it or uPlot.
// What a role sees is decided by the server (GET /api/analytics/options → sections).
import { createEffect, createMemo, createResource, createSignal, For, Show } from "solid-js";
import { type Options, type Query, queryString } from "./analytics-api";
import { analyticsOptions } from "./options-prefetch";
import { extraSections } from "./extra-sections";
import { StaffNps } from "./NpsPrompt";
import { BusiestSection, KpiSection, NoShowSection, NpsSection, ReductionSection, RepeatSection, UtilizationSection } from "./Sections";
import "./analytics.css";

const addMonths = (m: string, n: number) => {
  const i = Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1 + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
};

function Filters(props: { options: Options; query: Query; set: (q: Partial<Query>) => void }) {
  const preset = (months: number) => props.set({ from: addMonths(props.options.defaultPeriod.to, 1 - months), to: props.options.defaultPeriod.to });
  return (
    <form class="an-filters" aria-label="Period and filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        From
        <input type="month" name="from" value={props.query.from} max={props.query.to} onChange={(e) => e.currentTarget.value && props.set({ from: e.currentTarget.value })} />
      </label>
      <label>
        To
        <input type="month" name="to" value={props.query.to} min={props.query.from} onChange={(e) => e.currentTarget.value && props.set({ to: e.currentTarget.value })} />
      </label>
      <span class="an-presets">
        <button type="button" class="btn btn-quiet" onClick={() => preset(1)}>This month</button>
        <button type="button" class="btn btn-quiet" onClick={() => preset(3)}>3 months</button>
        <button type="button" class="btn btn-quiet" onClick={() => preset(12)}>12 months</button>
      </span>
      <Show when={props.options.role !== "doctor"}>
        <label>
          Doctor
          <select name="doctor" value={props.query.doctor} onChange={(e) => props.set({ doctor: e.currentTarget.value })}>
            <option value="">All doctors</option>
            <For each={props.options.doctors}>{(d) => <option value={d.id}>{d.name}</option>}</For>
          </select>
        </label>
      </Show>
      <label>
        Type
        <select name="type" value={props.query.type} onChange={(e) => props.set({ type: e.currentTarget.value })}>
          <option value="">All types</option>
          <For each={props.options.types}>{(t) => <option value={t}>{t}</option>}</For>
        </select>
      </label>
      <label>
        Visit
        <select name="video" value={props.query.video} onChange={(e) => props.set({ video: e.currentTarget.value })}>
          <option value="">Video and in person</option>
          <option value="1">Video</option>
          <option value="0">In person</option>
        </select>
      </label>
    </form>
  );
}

/** Extra sections the server knows decide by its answer; others by their own roles. */
const SERVER_EXTRA = new Set(["waitlist"]);
const isServerSection = (id: string) => SERVER_EXTRA.has(id);

export default function AnalyticsPage() {
  const [options] = createResource(analyticsOptions);
  // The period and filters live in the address too (/analytics?from=…&to=…&doctor=…), so a view can be shared or reloaded.
  const fromUrl = Object.fromEntries([...new URLSearchParams(location.search)].filter(([k]) => ["from", "to", "doctor", "type", "video"].includes(k)));
  const [override, setOverride] = createSignal<Partial<Query>>(fromUrl);
  const query = createMemo<Query | null>(() => {
    const o = options();
    if (!o) return null;
    return { from: o.defaultPeriod.from, to: o.defaultPeriod.to, doctor: "", type: "", video: "", ...override() };
  });
  createEffect(() => {
    const q = query();
    if (q && location.pathname.startsWith("/analytics")) history.replaceState(history.state, "", `/analytics?${queryString(q)}`);
  });
  const has = (s: string) => options()?.sections.includes(s as never) ?? false;
  return (
    <div class="an-page">
      <h1>Analytics</h1>
      <StaffNps />
      <Show when={!options.error} fallback={<p class="banner banner-error" role="alert">Analytics could not be loaded.</p>}>
        <Show when={query()} fallback={<p class="muted" role="status">Loading…</p>}>
          {(q) => (
            <>
              <Filters options={options()!} query={q()} set={(p) => setOverride({ ...override(), ...p })} />
              <p class="muted an-period" data-testid="an-period">
                {q().from} to {q().to}, compared with the {q().from === q().to ? "month" : "months"} before · times in {options()!.timeZone}
                {options()!.role === "doctor" ? " · your own appointments" : ""}
              </p>
              <Show when={has("busiest")}><BusiestSection query={q()} /></Show>
              <Show when={has("no-shows")}><NoShowSection query={q()} /></Show>
              <Show when={has("reduction")}><ReductionSection query={q()} /></Show>
              <Show when={has("repeat-no-shows")}><RepeatSection query={q()} /></Show>
              <Show when={has("utilization")}><UtilizationSection query={q()} /></Show>
              <Show when={has("kpis")}><KpiSection query={q()} /></Show>
              <Show when={has("nps")}><NpsSection query={q()} /></Show>
              <For each={extraSections.filter((s) => s.roles.includes(options()!.role) && (has(s.id) || !isServerSection(s.id)))}>
                {(s) => <>{s.render(q())}</>}
              </For>
            </>
          )}
        </Show>
      </Show>
    </div>
  );
}
