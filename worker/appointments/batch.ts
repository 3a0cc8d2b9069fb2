// Runs drizzle batch items (query builders and raw `db.run(sql`…`)`) as ONE D1 batch.
// Why not db.batch(): drizzle-orm 0.45's D1 batch crashes on raw sql items that have
// parameters (SQLiteRaw has no prepared stmt), and the guard/insert statements here
// are raw SQL. Each item is turned into {sql, params} by drizzle itself and bound here.
import type { BatchItem } from "drizzle-orm/batch";

type Queryable = { toSQL?: () => { sql: string; params: unknown[] }; getQuery?: () => { sql: string; params: unknown[] } };

export function toStatement(d1: D1Database, item: BatchItem<"sqlite">): D1PreparedStatement {
  const q = item as unknown as Queryable;
  const { sql, params } = q.toSQL ? q.toSQL() : q.getQuery!();
  return d1.prepare(sql).bind(...params);
}

export function runBatch(d1: D1Database, items: BatchItem<"sqlite">[]): Promise<D1Result[]> {
  return d1.batch(items.map((i) => toStatement(d1, i)));
}
