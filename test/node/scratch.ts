// Scratch copies of the parts of the repository drizzle-kit reads, so the checks can run
// drizzle-kit (which writes into migrations/) without ever touching the working tree.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");
const drizzleKitBin = path.join(root, "node_modules/drizzle-kit/bin.cjs");

/** A throw-away copy of drizzle.config.ts, worker/db, migrations/ and the db scripts. */
export function scratchCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "acms-db-"));
  for (const p of ["package.json", "drizzle.config.ts", "worker/db", "migrations", "scripts/db-snapshot.mjs"]) {
    cpSync(path.join(root, p), path.join(dir, p), { recursive: true });
  }
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

export function removeScratch(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}

function run(dir: string, args: string[]): string {
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", timeout: 60_000, env: { ...process.env, FORCE_COLOR: "0" } });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}:\n${out}`);
  return out;
}

/** `npm run db:generate` (drizzle-kit generate) in dir; extra args e.g. --name. Its output. */
export const dbGenerate = (dir: string, ...args: string[]) => run(dir, [drizzleKitBin, "generate", ...args]);
/** `npm run db:snapshot` in dir. Its output. */
export const dbSnapshot = (dir: string) => run(dir, [path.join(dir, "scripts/db-snapshot.mjs")]);

/** Every file under dir/sub with its content: a before/after picture of what a command wrote. */
export function filesUnder(dir: string, sub = "migrations"): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = path.join(rel, name);
      if (statSync(path.join(dir, r)).isDirectory()) walk(r);
      else out.set(r, readFileSync(path.join(dir, r), "utf8"));
    }
  };
  walk(sub);
  return out;
}

/** Names of files in after that are new or changed against before. */
export function written(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([f, c]) => before.get(f) !== c).map(([f]) => f).sort();
}
