// Accessibility checks with axe-core (Deque's rule engine, the one most audits use), injected into
// the real page, so every browser test can assert "no serious or critical violations" on what a
// screen-reader user would actually meet.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Serious and critical violations on the page as it is now (optionally inside one selector). */
export async function axeViolations(page: Page, include?: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (sel) => {
    // @ts-expect-error axe is injected above
    const r = await window.axe.run(sel ? { include: [sel] } : document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v: { impact: string | null }) => v.impact === "serious" || v.impact === "critical")
      .map((v: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      }));
  }, include ?? null);
}
