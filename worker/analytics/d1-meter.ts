// Counts the D1 rows a request reads (meta.rows_read of every statement it runs), so the
// analytics API can report its cost per request (header x-d1-rows-read; the bench's figure).
// A thin wrapper over the binding: prepare/bind/all/first/run/batch, the calls analytics makes.

export interface Meter {
  db: D1Database;
  rowsRead: () => number;
}

export function meteredD1(d1: D1Database): Meter {
  let rows = 0;
  const count = (r: D1Result | D1Response) => (rows += (r.meta as { rows_read?: number }).rows_read ?? 0);
  const unwrap = new WeakMap<object, D1PreparedStatement>();
  const wrap = (s: D1PreparedStatement): D1PreparedStatement => {
    const w = {
      bind: (...v: unknown[]) => wrap(s.bind(...v)),
      all: async <T>() => {
        const r = await s.all<T>();
        count(r);
        return r;
      },
      // first() carries no meta: read through all() (the statements here are LIMITed or aggregate).
      first: async <T>(col?: string) => {
        const r = await s.all<Record<string, unknown>>();
        count(r);
        const row = r.results[0];
        return (row === undefined ? null : col ? row[col] : row) as T;
      },
      run: async () => {
        const r = await s.run();
        count(r);
        return r;
      },
      raw: (...a: Parameters<D1PreparedStatement["raw"]>) => s.raw(...a),
    } as unknown as D1PreparedStatement;
    unwrap.set(w, s);
    return w;
  };
  const db = {
    prepare: (q: string) => wrap(d1.prepare(q)),
    batch: async <T>(stmts: D1PreparedStatement[]) => {
      const rs = await d1.batch<T>(stmts.map((s) => unwrap.get(s) ?? s));
      rs.forEach(count);
      return rs;
    },
    exec: (q: string) => d1.exec(q),
    dump: () => (d1 as unknown as { dump: () => Promise<ArrayBuffer> }).dump(),
    withSession: (...a: unknown[]) => (d1 as unknown as { withSession: (...x: unknown[]) => unknown }).withSession(...a),
  } as unknown as D1Database;
  return { db, rowsRead: () => rows };
}
