import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof makeDb>;

export function makeDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

/** A drizzle query as a plain D1 statement, to mix it into an env.DB.batch([...]) with hand-written SQL. */
export function toD1(d1: D1Database, item: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const q = item.toSQL();
  return d1.prepare(q.sql).bind(...q.params);
}
