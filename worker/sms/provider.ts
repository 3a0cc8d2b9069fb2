// The SMS provider interface: reminders (worker/reminders/send.ts) only speak this, so a second
// provider (MessageBird, Vonage, AWS SNS) is one more implementation. Twilio is the first
// (./twilio.ts). Errors are typed by what they prove about the message (issue #17):
//   retry      the provider answered that it did NOT take it (429, 503): safe to send again;
//   permanent  the provider refused it for good (bad number, recipient opted out);
//   unknown    we cannot tell (timeout, connection lost after the request went out, a 500/502/504
//              that may come after the message was created): never sent again, because SMS has no
//              idempotency key and a patient must not get the same text twice.
import type { Env } from "../env";
import { registrySlot } from "../registry";

export interface SmsMessage {
  /** E.164, e.g. +447700900123 */
  to: string;
  body: string;
  /** Where the provider reports delivery (sent / delivered / failed). */
  statusCallback?: string;
}

export interface SmsResult {
  id: string;
  status: string;
}

export type SendFailure = "retry" | "permanent" | "unknown";

export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly failure: SendFailure,
    /** The provider's error code (Twilio: 21610 = the recipient replied STOP). */
    readonly code?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "SmsSendError";
  }
  get retryable(): boolean {
    return this.failure === "retry";
  }
  /** The recipient has opted out at the provider: record it on the patient and never retry. */
  get optedOut(): boolean {
    return this.code === 21610;
  }
}

export interface SmsProvider {
  readonly name: string;
  send(m: SmsMessage): Promise<SmsResult>;
}

const factory = registrySlot<(env: Env) => SmsProvider | null>("SMS provider");

/**
 * Sets which provider sends SMS (Twilio: twilioFromEnv); called by the composition root,
 * worker/features.ts. Registered there rather than imported here so an implementation can
 * import this interface without an import circle.
 */
export const useSmsProvider = factory.set;

/** The configured provider, or null when SMS is not set up on this server (SMS reminders then fail visibly). */
export function smsProviderFor(env: Env): SmsProvider | null {
  return factory.get()(env);
}
