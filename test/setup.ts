import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { registerFeatures } from "../worker/features";

// Tests call the write path and hubs directly, not only through the Worker entry that registers these.
registerFeatures();

// Setup files run before each test file; applyD1Migrations only applies what is missing.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
