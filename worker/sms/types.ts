// The SMS provider interface: reminders (worker/reminders/send.ts) only speak this, so a second
// provider (MessageBird, Vonage, AWS SNS) is one more implementation. Errors are typed: retryable
// (429, 5xx, network) vs permanent (bad number, recipient opted out), so the sender knows whether
// to back off or give up. Apart from provider.ts (which picks the configured provider) so an
// implementation can import it without an import circle.
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

export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The provider's error code (Twilio: 21610 = the recipient replied STOP). */
    readonly code?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "SmsSendError";
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
