import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof makeDb>;

const made = new WeakMap<D1Database, ReturnType<typeof make>>();
const make = (d1: D1Database) => drizzle(d1, { schema });

/**
 * The drizzle client of a D1 binding, made once per binding object: drizzle() walks the whole
 * schema (extractTablesRelationalConfig) on every call, ~1 ms of CPU that the booking's hub
 * paid several times per booking (issue #18 profile). The client holds no per-request state.
 */
export function makeDb(d1: D1Database) {
  let db = made.get(d1);
  if (!db) made.set(d1, (db = make(d1)));
  return db;
}

/** A drizzle query as a plain D1 statement, to mix it into an env.DB.batch([...]) with hand-written SQL. */
export function toD1(d1: D1Database, item: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const q = item.toSQL();
  return d1.prepare(q.sql).bind(...q.params);
}
