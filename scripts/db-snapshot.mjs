#!/usr/bin/env node
// `npm run db:snapshot`: brings migrations/meta in line with hand-written migrations and
// worker/db/schema.ts, without writing any SQL. Run it after adding a hand-written migration
// (or after merging branches that did) once schema.ts matches the SQL; see docs/database.md.
//
// Why this exists: drizzle-kit numbers a new migration after the last journal entry's idx and
// diffs schema.ts against the last snapshot file. Our migrations are hand-numbered with gaps
// (0008, 0010, 0011 were never merged) and most were written by hand, so drizzle-kit alone
// would number the next one 0004 and re-emit every change since its last snapshot.
//  1. The journal (meta/_journal.json) gets one entry per migrations/NNNN*_name.sql file,
//     idx = its number, in file-name order; so `drizzle-kit generate` continues after the
//     highest file. Existing entries are kept as they are.
//  2. The current schema (drizzle-kit's own serializer, through its API: the same snapshot
//     `generate` writes, but without writing SQL or asking rename questions) is recorded as
//     meta/<highest number>_snapshot.json, chained to the previous snapshot. Left untouched when
//     the recorded snapshot already equals the schema, so re-running it changes nothing.
// Runs on the working directory (the repository root under npm; a scratch copy in the tests).
// Needs Node >= 22.18 to load schema.ts (type stripping); npm scripts use the project's Node 24.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = process.cwd();
const migrationsDir = join(root, "migrations");
const metaDir = join(migrationsDir, "meta");
const journalPath = join(metaDir, "_journal.json");
const schemaPath = join(root, "worker/db/schema.ts");

const MIGRATION_FILE = /^(\d{4})[a-z]?_[\w-]+\.sql$/;

/** The migration files in the order wrangler applies them (file name), with their numbers. */
export function migrationFiles(dir) {
  return readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort()
    .map((f) => ({ tag: f.slice(0, -".sql".length), idx: Number(f.match(MIGRATION_FILE)[1]), prefix: f.slice(0, 4) }));
}

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Snapshot content without its chain ids and rename bookkeeping: what a diff compares. */
function content(snapshot) {
  const { id: _id, prevId: _prevId, _meta, ...rest } = snapshot;
  return JSON.stringify(rest);
}

async function main() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 18))
    throw new Error(`Node ${process.versions.node} cannot load worker/db/schema.ts; run \`npm run db:snapshot\` (the project's Node 24)`);
  const files = migrationFiles(migrationsDir);
  if (files.length === 0) throw new Error("no migrations/NNNN_name.sql files found");

  // 1. Journal: exactly the SQL files, in file-name order, keeping recorded entries.
  const journal = existsSync(journalPath) ? readJson(journalPath) : { version: "7", dialect: "sqlite", entries: [] };
  const known = new Map(journal.entries.map((e) => [e.tag, e]));
  // `when` must increase strictly in entry order (drizzle-kit check and drizzle's own migrator rely on it).
  let lastWhen = 0;
  const entries = files.map(({ tag, idx }) => {
    const entry = known.get(tag) ?? { idx, version: "6", when: Math.max(Date.now(), lastWhen + 1), tag, breakpoints: true };
    lastWhen = entry.when;
    return entry;
  });
  const journalChanged = JSON.stringify(entries) !== JSON.stringify(journal.entries);
  journal.entries = entries;

  // 2. The schema as drizzle-kit sees it, recorded under the highest migration's number.
  const require = createRequire(join(root, "package.json"));
  const { generateSQLiteDrizzleJson } = require("drizzle-kit/api");
  const schema = await import(pathToFileURL(schemaPath).href);
  const head = files[files.length - 1].prefix;
  const headPath = join(metaDir, `${head}_snapshot.json`);
  const earlier = readdirSync(metaDir)
    .filter((f) => /^\d{4}_snapshot\.json$/.test(f) && f < `${head}_snapshot.json`)
    .sort();
  const prevId = earlier.length ? readJson(join(metaDir, earlier[earlier.length - 1])).id : undefined;
  const current = await generateSQLiteDrizzleJson(schema, prevId);
  const recorded = existsSync(headPath) ? readJson(headPath) : null;

  let snapshotChanged = false;
  if (!recorded || content(recorded) !== content(current)) {
    const { version, dialect, id: _id, prevId: _prev, ...rest } = current;
    // Keep the recorded id when refreshing, so nothing chained to it dangles.
    const id = recorded?.id ?? randomUUID();
    const toSave = { version, dialect, id, prevId: current.prevId, ...rest, _meta: { schemas: {}, tables: {}, columns: {} } };
    writeFileSync(headPath, `${JSON.stringify(toSave, null, 2)}\n`);
    snapshotChanged = true;
  }
  if (journalChanged) writeFileSync(journalPath, `${JSON.stringify(journal, null, 2)}\n`);

  const last = files[files.length - 1];
  console.log(
    `db:snapshot: journal ${journalChanged ? "updated" : "unchanged"} (${files.length} migrations, last ${last.tag}); ` +
      `${head}_snapshot.json ${snapshotChanged ? (recorded ? "refreshed" : "written") : "already matches schema.ts"}; ` +
      `the next \`npm run db:generate\` would be ${String(last.idx + 1).padStart(4, "0")}_*.`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((e) => {
    console.error(`db:snapshot failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
