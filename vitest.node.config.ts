// Tooling checks that need Node rather than workerd or a browser: drizzle-kit (migration meta in
// line with schema.ts and the SQL migrations) and the module graph (no import cycles).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/node/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
  },
});
