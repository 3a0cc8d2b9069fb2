// Routes the Worker's calls to https://twilio.test into the emulator and the emulator's webhooks
// (to WEBHOOK_BASE_URL https://acms.test) into the Worker, as test/fakes/google/router.ts does.
import { exports as workerExports } from "cloudflare:workers";
import { TWILIO_TEST_HOST, type TwilioEmulator } from "./emulator";

const worker = (workerExports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

function abortable(p: Promise<Response>, signal: AbortSignal | null): Promise<Response> {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new DOMException("The operation was aborted.", "AbortError"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export function installTwilioEmulator(emulator: TwilioEmulator): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const host = new URL(req.url).host;
    // Like a real fetch, the caller's AbortSignal (its timeout) rejects the call while the emulator is still answering.
    if (host === TWILIO_TEST_HOST) return abortable(emulator.handle(req), req.signal);
    if (host === "acms.test") return worker.fetch(req);
    return original(req);
  };
  emulator.deliver = (req) => worker.fetch(req);
  return () => {
    globalThis.fetch = original;
  };
}
