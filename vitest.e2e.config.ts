// Browser tests: Node (not workerd) drives real headless Chromium against the built app,
// served by `wrangler dev` on a fresh local D1 (see test/e2e/global-setup.ts).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["./test/e2e/global-setup.ts"],
    // On a failed test, print what the browser showed (test/e2e/diagnostics.ts).
    setupFiles: ["./test/e2e/setup-diagnostics.ts"],
    // One app, one D1: files run one after another so their changes do not race.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for something that happens "soon" (a page load, a live update). Its
    // default deadline is 1 s, shorter than any page load on a loaded 2-core machine, while
    // Playwright's own waits allow 30 s; failures seen only in full runs were these. Promises
    // that something happens *within* a time (live updates within a second) measure it
    // explicitly instead of relying on this deadline.
    expect: { poll: { timeout: 10_000, interval: 100 } },
  },
});
