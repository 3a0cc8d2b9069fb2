// `npm run eval`: model quality reports (bench/eval/*.eval.ts) in plain Node: pure code, no workerd.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["bench/eval/**/*.eval.ts"], environment: "node", testTimeout: 120_000 },
});
