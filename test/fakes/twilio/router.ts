// Routes the Worker's calls to https://twilio.test into the emulator and the emulator's webhooks
// (to WEBHOOK_BASE_URL https://acms.test) into the Worker, as test/fakes/google/router.ts does.
import { exports as workerExports } from "cloudflare:workers";
import { TWILIO_TEST_HOST, type TwilioEmulator } from "./emulator";

const worker = (workerExports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

export function installTwilioEmulator(emulator: TwilioEmulator): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const host = new URL(req.url).host;
    if (host === TWILIO_TEST_HOST) return emulator.handle(req);
    if (host === "acms.test") return worker.fetch(req);
    return original(req);
  };
  emulator.deliver = (req) => worker.fetch(req);
  return () => {
    globalThis.fetch = original;
  };
}
