// migrations/meta stays in line with worker/db/schema.ts and the hand-written SQL migrations
// (docs/database.md): `npm run db:generate` on a clean tree emits nothing, numbers a real change
// after the highest migration file, and `npm run db:snapshot` records hand-written migrations.
// Every drizzle-kit run happens in a scratch copy, never in the working tree.
import { readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dbGenerate, dbSnapshot, filesUnder, removeScratch, root, scratchCopy, written } from "./scratch";
import { databaseFrom, shapeOf } from "./sqlite-shape";

const scratches: string[] = [];
const scratch = () => {
  const dir = scratchCopy();
  scratches.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of scratches.splice(0)) removeScratch(d);
});

const migrationSql = (dir: string) =>
  readdirSync(path.join(dir, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort();
const highestNumber = () => Math.max(...migrationSql(root).map((f) => Number(f.slice(0, 4))));
const pad = (n: number) => String(n).padStart(4, "0");

// The tables live in worker/db/schema/*.ts, re-exported by worker/db/schema.ts (what drizzle-kit
// loads). clinics.ts already imports the sqliteTable, text and integer the added tables use.
const clinicsModule = (dir: string) => path.join(dir, "worker/db/schema/clinics.ts");
const addToSchema = (dir: string, ts: string) => appendFileSync(clinicsModule(dir), `\n${ts}\n`);

describe("migrations/meta", () => {
  it("db:generate emits nothing on a clean tree", () => {
    const dir = scratch();
    const before = filesUnder(dir);
    const out = dbGenerate(dir);
    expect(out).toContain("No schema changes");
    expect(written(before, filesUnder(dir))).toEqual([]);
  });

  it("a schema.ts change without a migration is caught, and db:generate numbers it after the highest migration file", () => {
    const dir = scratch();
    addToSchema(dir, 'export const probeTable = sqliteTable("probe_table", { id: text("id").primaryKey() });');
    const before = filesUnder(dir);
    const out = dbGenerate(dir, "--name", "probe");
    expect(out).not.toContain("No schema changes");
    const next = pad(highestNumber() + 1);
    const files = written(before, filesUnder(dir));
    expect(files).toEqual([`migrations/${next}_probe.sql`, `migrations/meta/${next}_snapshot.json`, "migrations/meta/_journal.json"]);
    // Only the real change, not the history drizzle-kit had no snapshot of.
    const sql = readFileSync(path.join(dir, `migrations/${next}_probe.sql`), "utf8");
    expect(sql.trim().split("--> statement-breakpoint").map((s) => s.trim())).toEqual([expect.stringMatching(/^CREATE TABLE `probe_table`/)]);
  });

  it("db:snapshot records merged hand-written migrations so db:generate emits nothing, then continues the numbering", () => {
    const dir = scratch();
    const n = highestNumber();
    // What merging two branches looks like: each added a hand-written migration and a schema.ts block.
    writeFileSync(path.join(dir, `migrations/${pad(n + 1)}_alpha.sql`), "CREATE TABLE alpha (id TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0);\n");
    writeFileSync(path.join(dir, `migrations/${pad(n + 2)}_beta.sql`), "ALTER TABLE clinics ADD COLUMN beta_note TEXT NOT NULL DEFAULT '';\n");
    addToSchema(dir, 'export const alpha = sqliteTable("alpha", { id: text("id").primaryKey(), n: integer("n").notNull().default(0) });');
    const schemaPath = clinicsModule(dir);
    const clinicsDef = 'export const clinics = sqliteTable("clinics", {';
    expect(readFileSync(schemaPath, "utf8")).toContain(clinicsDef);
    writeFileSync(schemaPath, readFileSync(schemaPath, "utf8").replace(clinicsDef, `${clinicsDef}\n  betaNote: text("beta_note").notNull().default(""),`));

    dbSnapshot(dir);
    const journal = JSON.parse(readFileSync(path.join(dir, "migrations/meta/_journal.json"), "utf8"));
    expect(journal.entries.map((e: { tag: string }) => e.tag)).toEqual(migrationSql(dir).map((f) => f.replace(/\.sql$/, "")));
    const afterSnapshot = filesUnder(dir);
    expect(dbGenerate(dir)).toContain("No schema changes");
    expect(written(afterSnapshot, filesUnder(dir))).toEqual([]);
    // Running it again changes nothing.
    dbSnapshot(dir);
    expect(written(afterSnapshot, filesUnder(dir))).toEqual([]);

    // The next real change is numbered after the merged files and holds only itself.
    addToSchema(dir, 'export const gamma = sqliteTable("gamma", { id: text("id").primaryKey() });');
    dbGenerate(dir, "--name", "gamma");
    const sql = readFileSync(path.join(dir, `migrations/${pad(n + 3)}_gamma.sql`), "utf8");
    expect(sql).toMatch(/^CREATE TABLE `gamma`/);
    expect(sql).not.toMatch(/alpha|beta_note/);
  });

  it("schema.ts and the SQL migrations build the same tables, columns, indexes and foreign keys", () => {
    // What drizzle-kit would create from schema.ts on an empty database...
    const dir = scratch();
    rmSync(path.join(dir, "migrations"), { recursive: true });
    dbGenerate(dir, "--name", "full");
    const fromSchema = databaseFrom([readFileSync(path.join(dir, "migrations/0000_full.sql"), "utf8")]);
    // ...against what wrangler builds by applying migrations/ in file-name order.
    const fromMigrations = databaseFrom(migrationSql(root).map((f) => readFileSync(path.join(root, "migrations", f), "utf8")));
    const a = shapeOf(fromSchema);
    const b = shapeOf(fromMigrations);
    expect({ onlyInSchemaTs: a.filter((l) => !b.includes(l)), onlyInMigrations: b.filter((l) => !a.includes(l)) }).toEqual({
      onlyInSchemaTs: [],
      onlyInMigrations: [],
    });
    expect(a.length).toBeGreaterThan(100); // it read the real schema, not an empty one
  });
});
