// The shape of a SQLite database as a list of comparable lines (tables, columns, indexes,
// foreign keys), read through PRAGMAs so that two databases built by different SQL texts
// (hand-written migrations vs drizzle-kit's CREATE statements) compare by what they are.
// node:sqlite (Node >= 22.5; the project runs Node 24): no native add-on to install.
import { DatabaseSync } from "node:sqlite";

/** Tables the migration runners add themselves. */
const RUNNER_TABLES = new Set(["d1_migrations", "__drizzle_migrations"]);

/** A fresh in-memory database with each SQL text executed in order. */
export function databaseFrom(sqlTexts: string[]): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  for (const sql of sqlTexts) db.exec(sql);
  return db;
}

type Row = Record<string, string | number | null>;

export function shapeOf(db: DatabaseSync): string[] {
  const all = (sql: string) => db.prepare(sql).all() as Row[];
  const lines: string[] = [];
  const tables = all("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  for (const t of tables) {
    const name = String(t.name);
    if (RUNNER_TABLES.has(name)) continue;
    lines.push(`table ${name}${/autoincrement/i.test(String(t.sql)) ? " autoincrement" : ""}`);
    for (const c of all(`PRAGMA table_info("${name}")`)) {
      // NOT NULL on a primary-key column is not compared: drizzle-kit writes "PRIMARY KEY NOT NULL",
      // hand-written migrations often just "PRIMARY KEY". Our keys are always generated ids.
      const notNull = c.notnull && !c.pk ? " not null" : "";
      const dflt = c.dflt_value === null ? "" : ` default ${c.dflt_value}`;
      lines.push(`column ${name}.${c.name} ${String(c.type).toLowerCase()}${notNull}${dflt}${c.pk ? ` pk${c.pk}` : ""}`);
    }
    for (const i of all(`PRAGMA index_list("${name}")`)) {
      if (i.origin !== "c") continue; // indexes behind PRIMARY KEY / UNIQUE constraints are part of the columns
      const cols = all(`PRAGMA index_info("${i.name}")`).map((x) => x.name);
      lines.push(`index ${name}.${i.name}${i.unique ? " unique" : ""} (${cols.join(", ")})${i.partial ? " partial" : ""}`);
    }
    for (const f of all(`PRAGMA foreign_key_list("${name}")`)) {
      lines.push(`foreign key ${name}.${f.from} -> ${f.table}.${f.to} on delete ${f.on_delete} on update ${f.on_update}`);
    }
  }
  return lines.sort();
}
