// Every chart's numbers as a table: the page renders it under the chart (what screen readers
// read) and "Download CSV" serialises the same rows, so the two cannot differ.

export type Cell = string | number | null;

export interface Table {
  id: string;
  title: string;
  columns: string[];
  rows: Cell[][];
}

const quote = (c: Cell) => {
  if (c === null) return "";
  const s = String(c);
  // Formula injection: a cell starting with = + - @ would run in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof c === "string" ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** RFC 4180 CSV of several tables, each headed by its title and separated by a blank line. */
export function toCsv(tables: Table[]): string {
  const out: string[] = [];
  for (const t of tables) {
    if (out.length) out.push("");
    out.push(quote(t.title));
    out.push(t.columns.map(quote).join(","));
    for (const r of t.rows) out.push(r.map(quote).join(","));
  }
  return out.join("\r\n") + "\r\n";
}

export const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
