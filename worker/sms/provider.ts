// Which SMS provider this server uses. Twilio is the first (./twilio.ts); the interface every
// provider implements is in ./types.ts (re-exported here for the senders).
import type { Env } from "../env";
import { twilioFromEnv } from "./twilio";
import type { SmsProvider } from "./types";

export { SmsSendError, type SmsMessage, type SmsProvider, type SmsResult } from "./types";

/** The configured provider, or null when SMS is not set up on this server (SMS reminders then fail visibly). */
export function smsProviderFor(env: Env): SmsProvider | null {
  return twilioFromEnv(env);
}
