// Test-only network wiring for the Graph emulator (same idea as ../google/router.ts):
// requests to the emulator's hosts (MICROSOFT_* vars in vitest.config.ts) go to its
// handler; its validation requests and notifications to our public webhook host
// (WEBHOOK_BASE_URL https://acms.test) go into the Worker. Everything else passes
// through to whatever fetch was installed before (so Google's router can coexist).
import { exports as workerExports } from "cloudflare:workers";
import { GRAPH_TEST_HOST, LOGIN_TEST_HOST, GraphEmulator } from "./emulator";

export const worker = (workerExports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
export const WEBHOOK_TEST_HOST = "acms.test";

export function installGraphEmulator(emulator: GraphEmulator): () => void {
  const original = globalThis.fetch;
  const routed: typeof fetch = async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const host = new URL(req.url).host;
    if (host === GRAPH_TEST_HOST || host === LOGIN_TEST_HOST) return emulator.handle(req);
    if (host === WEBHOOK_TEST_HOST) return worker.fetch(req);
    return original(req);
  };
  globalThis.fetch = routed;
  emulator.deliver = (req) => worker.fetch(req);
  return () => {
    globalThis.fetch = original;
  };
}
