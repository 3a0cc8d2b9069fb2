// Test-only network wiring. Under @cloudflare/vitest-plugin the tests, our Worker
// and its Durable Objects run in the same workerd isolate, so replacing
// globalThis.fetch in a test file routes the Worker's outbound calls: requests to
// the emulator's host (https://google.test, configured through the GOOGLE_* env
// vars in vitest.config.ts) go to the emulator's handler, and the emulator's push
// notifications to our public webhook host (WEBHOOK_BASE_URL https://acms.test)
// go into the Worker via exports.default.fetch. No production code knows about
// this: it only sees configurable base URLs. Everything else passes through.
import { exports as workerExports } from "cloudflare:workers";
import { GOOGLE_TEST_HOST, GoogleEmulator } from "./emulator";

// The generated Exports type does not know our default export; it is the Worker's fetch handler.
export const worker = (workerExports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

export const WEBHOOK_TEST_HOST = "acms.test";

export function installGoogleEmulator(emulator: GoogleEmulator): () => void {
  const original = globalThis.fetch;
  const routed: typeof fetch = async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const host = new URL(req.url).host;
    if (host === GOOGLE_TEST_HOST) return emulator.handle(req);
    if (host === WEBHOOK_TEST_HOST) return worker.fetch(req);
    return original(req);
  };
  globalThis.fetch = routed;
  emulator.deliver = (req) => worker.fetch(req);
  return () => {
    globalThis.fetch = original;
  };
}
