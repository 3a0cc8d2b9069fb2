// Tests that assert how many D1 round trips a piece of code makes, and how many rows it reads
// and writes: the D1 binding wrapped so every batch, run, all, first and raw counts one trip,
// and each statement run through batch, run or all is recorded with D1's own meta (every
// table row and index entry).
/** One statement that ran, with what D1 says it cost. */
export interface Ran {
  sql: string;
  /** Rows written (D1's meta.rows_written). */
  rows: number;
  /** Rows read (meta.rows_read). */
  read: number;
}

export function countingDb(db: D1Database): { db: D1Database; count: { trips: number; statements: Ran[] } } {
  const count = { trips: 0, statements: [] as Ran[] };
  const sqlOf = new WeakMap<object, string>();
  const record = (st: object, r: D1Result) =>
    count.statements.push({ sql: (sqlOf.get(st) ?? "?").replace(/\s+/g, " ").trim(), rows: r.meta.rows_written ?? 0, read: r.meta.rows_read ?? 0 });
  const wrapStmt = (st: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const w = new Proxy(st, {
      get(t, k) {
        const v = Reflect.get(t, k, t);
        if (k === "bind") return (...a: unknown[]) => wrapStmt(v.apply(t, a), sql);
        if (k === "run") return async (...a: unknown[]) => (count.trips++, await v.apply(t, a).then((r: D1Result) => (record(w, r), r)));
        if (k === "all") return async (...a: unknown[]) => (count.trips++, await v.apply(t, a).then((r: D1Result) => (record(w, r), r)));
        if (k === "first" || k === "raw") return (...a: unknown[]) => (count.trips++, v.apply(t, a));
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
    sqlOf.set(w, sql);
    return w;
  };
  const proxy = new Proxy(db, {
    get(t, k) {
      const v = Reflect.get(t, k, t);
      if (k === "prepare") return (sql: string) => wrapStmt(t.prepare(sql), sql);
      if (k === "batch")
        return async (sts: D1PreparedStatement[]) => {
          count.trips++;
          const rs = await t.batch(sts);
          rs.forEach((r, i) => record(sts[i], r));
          return rs;
        };
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  return { db: proxy, count };
}

/** Rows written in all, or by the statements whose SQL matches `re`. */
export const rowsWritten = (w: Ran[], re?: RegExp) => w.filter((x) => !re || re.test(x.sql)).reduce((n, x) => n + x.rows, 0);
/** Rows read in all (statements run with run, all or in a batch), or by those whose SQL matches `re`. */
export const rowsRead = (w: Ran[], re?: RegExp) => w.filter((x) => !re || re.test(x.sql)).reduce((n, x) => n + x.read, 0);
