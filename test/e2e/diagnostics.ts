// When a browser test fails, say what the browser saw: each open page's address, what its
// main area and open panel/dialog read, and the page errors and console errors logged during
// the test. CI prints only the test output (no screenshots reach us), and an assertion like
// "the form never appeared" is not enough to find the cause of a failure seen once.
import type { BrowserContext, Page } from "playwright-core";

const pages = new Set<Page>();
const logged: string[] = [];

/** Watch the pages of a context (browser.ts's newContext calls this). */
export function watchContext(ctx: BrowserContext): void {
  ctx.on("page", (p) => {
    pages.add(p);
    p.on("close", () => pages.delete(p));
    p.on("pageerror", (e) => note(`[pageerror] ${p.url()} ${e.stack ?? e.message}`));
    p.on("console", (m) => m.type() === "error" && note(`[console.error] ${p.url()} ${m.text()}`));
  });
}

function note(line: string) {
  if (logged.length < 40) logged.push(line.slice(0, 600));
}

export function resetLog(): void {
  logged.length = 0;
}

/** What the open pages show now, for the failure report. */
export async function describePages(): Promise<string> {
  const out: string[] = [...logged];
  for (const p of pages) {
    const seen = await p
      .evaluate(() => {
        const text = (sel: string) => ((document.querySelector(sel) as HTMLElement | null)?.innerText ?? "").replace(/\s+/g, " ").slice(0, 500);
        return { main: text("main") || text("body"), panel: text('[data-testid="appointment-panel"]'), dialog: text("dialog[open]"), focus: document.activeElement?.outerHTML.slice(0, 200) ?? "" };
      })
      .catch((e: Error) => ({ error: e.message }));
    out.push(`[page] ${p.url()} ${JSON.stringify(seen)}`);
  }
  return out.join("\n");
}
