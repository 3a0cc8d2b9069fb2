// A chart's numbers as a table: what screen readers read (the charts are images with a
// one-line summary), and the same rows the CSV download holds.
import { For, Show } from "solid-js";
import type { Table } from "./analytics-api";

export function DataTable(props: { table: Table; open?: boolean }) {
  return (
    <details class="an-table" open={props.open}>
      <summary>Numbers: {props.table.title}</summary>
      <Show when={props.table.rows.length} fallback={<p class="muted">No rows.</p>}>
        <div class="an-scroll">
          <table data-table={props.table.id}>
            <caption class="sr-only">{props.table.title}</caption>
            <thead>
              <tr>
                <For each={props.table.columns}>{(c) => <th scope="col">{c}</th>}</For>
              </tr>
            </thead>
            <tbody>
              <For each={props.table.rows}>
                {(r) => (
                  <tr>
                    <For each={r}>{(c, i) => (i() === 0 ? <th scope="row">{c ?? "–"}</th> : <td>{c ?? "–"}</td>)}</For>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </details>
  );
}
