// One Analytics section: heading, "Download CSV" (audited on the server), loading and error
// states, an empty state that says what would fill it, and the section's tables.
import { createResource, For, type JSX, Show } from "solid-js";
import { analyticsApi, type Query, type Section, type SectionResult } from "./analytics-api";
import { DataTable } from "./DataTable";
import { markFirstData } from "./first-chart";

export function SectionFrame(props: {
  section: Section;
  title: string;
  query: Query;
  /** True when the answer has nothing to show. */
  empty: (r: SectionResult) => boolean;
  emptyText: string;
  children: (r: SectionResult) => JSX.Element;
}) {
  const [data] = createResource(
    () => ({ ...props.query }),
    (q) =>
      analyticsApi.section(props.section, q).then((r) => {
        markFirstData();
        return r;
      }),
  );
  const id = `an-${props.section}`;
  return (
    <section class="an-section" aria-labelledby={id} data-section={props.section}>
      <header class="an-section-head">
        <h2 id={id}>{props.title}</h2>
        <a class="btn btn-quiet" href={analyticsApi.csvUrl(props.section, props.query)} download="">
          Download CSV
        </a>
      </header>
      <Show when={!data.error} fallback={<p class="banner banner-error" role="alert">{(data.error as Error)?.message ?? "Could not load."}</p>}>
        <Show when={data()} fallback={<p class="muted" role="status">Loading…</p>}>
          {(r) => (
            <div aria-busy={data.loading}>
              <Show when={!props.empty(r())} fallback={<p class="an-empty">{props.emptyText}</p>}>
                {props.children(r())}
              </Show>
              <For each={r().tables}>{(t) => <DataTable table={t} />}</For>
            </div>
          )}
        </Show>
      </Show>
    </section>
  );
}
