import { defineConfig } from "drizzle-kit";

// drizzle-kit generates plain SQL into migrations/, which wrangler applies
// (locally, remotely) and the tests apply through applyD1Migrations.
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/db/schema.ts",
  out: "./migrations",
});
