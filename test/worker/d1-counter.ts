// Tests that assert how many D1 round trips a piece of code makes: the D1 binding wrapped so
// every batch, run, all, first and raw counts one.
export function countingDb(db: D1Database): { db: D1Database; count: { trips: number } } {
  const count = { trips: 0 };
  const wrapStmt = (st: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(st, {
      get(t, k) {
        const v = Reflect.get(t, k, t);
        if (k === "bind") return (...a: unknown[]) => wrapStmt(v.apply(t, a));
        if (k === "run" || k === "all" || k === "first" || k === "raw") return (...a: unknown[]) => (count.trips++, v.apply(t, a));
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
  const proxy = new Proxy(db, {
    get(t, k) {
      const v = Reflect.get(t, k, t);
      if (k === "prepare") return (sql: string) => wrapStmt(t.prepare(sql));
      if (k === "batch") return (sts: D1PreparedStatement[]) => (count.trips++, t.batch(sts));
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  return { db: proxy, count };
}
