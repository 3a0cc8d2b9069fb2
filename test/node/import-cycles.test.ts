// No import circles in the code, type-only imports included. A circle is how the core ended up
// knowing every feature (env.ts → DoctorHub → write path → effects → features → … → env.ts tied
// 33 files together): new features register in worker/features.ts, and Durable Object classes
// type their bindings through DurableObjectClasses (worker/env.ts), so nothing needs one.
// dpdm (a well-kept circular-dependency finder built on the TypeScript compiler) rather than a
// hand-written resolver: it resolves imports exactly as tsc does (extensions, index files,
// `import type`), and is small (madge pulls in ten times the packages and is slower).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseCircular, parseDependencyTree } from "dpdm";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

async function circles(cwd: string, globs: string[], minFiles = 1): Promise<string[]> {
  const tree = await parseDependencyTree(globs, {
    context: cwd,
    cwd,
    extensions: [".ts", ".tsx", ".mjs", ".js"],
    transform: false, // keep type-only imports: a circle of types is still a circle of knowledge
    tsconfig: path.join(cwd, "tsconfig.json"),
  });
  expect(Object.keys(tree).length).toBeGreaterThanOrEqual(minFiles); // it read the code, not an empty glob
  return parseCircular(tree).map((c) => c.join(" → "));
}

describe("import graph", () => {
  it("has no circle in worker/, web/, test/ or bench/", async () => {
    expect(await circles(root, ["worker/**/*.ts", "web/**/*.{ts,tsx}", "test/**/*.ts", "bench/**/*.ts"], 300)).toEqual([]);
  });

  it("the check finds a circle made of type-only imports", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "acms-cycles-"));
    try {
      writeFileSync(path.join(dir, "tsconfig.json"), "{}");
      writeFileSync(path.join(dir, "a.ts"), 'import type { B } from "./b";\nexport interface A { b: B }\n');
      writeFileSync(path.join(dir, "b.ts"), 'import type { A } from "./a";\nexport interface B { a?: A }\n');
      writeFileSync(path.join(dir, "c.ts"), 'import type { A } from "./a";\nexport type C = A;\n');
      expect(await circles(dir, ["*.ts"], 3)).toEqual(["a.ts → b.ts"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
