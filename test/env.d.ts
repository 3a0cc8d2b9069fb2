// Types for tests: `env` and `exports` of "cloudflare:workers" carry the Worker's
// bindings and its main module's exports. (The binding types are imported under
// another name: an `interface Env extends import(...).Env` inside namespace
// Cloudflare silently failed to merge, leaving env untyped.)
import type { D1Migration } from "@cloudflare/vitest-plugin";
import type { Env as WorkerEnv } from "../worker/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
    interface GlobalProps {
      mainModule: typeof import("../worker/index");
      durableNamespaces: "DoctorHub" | "ClinicLive";
    }
  }
}
export type { WorkerEnv as Env };
