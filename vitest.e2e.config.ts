// Browser tests: Node (not workerd) drives real headless Chromium against the built app,
// served by `wrangler dev` on a fresh local D1 (see test/e2e/global-setup.ts).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["./test/e2e/global-setup.ts"],
    // One app, one D1: files run one after another so their changes do not race.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
