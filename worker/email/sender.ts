// Where invite e-mails go. Production: Cloudflare's send_email binding
// (env.EMAIL). Locally, miniflare's binding parses the message (rejecting
// broken MIME, a missing Message-ID or a From mismatch) and writes it to a
// temp .eml file on the host, which code inside workerd cannot read back; so
// tests wrap the real binding with a recorder through setEmailSenderOverride.
import { EmailMessage } from "cloudflare:email";
import type { Env } from "../env";

export interface OutgoingEmail {
  from: string;
  to: string;
  raw: string;
}

export interface EmailSender {
  send(m: OutgoingEmail): Promise<void>;
}

export function bindingSender(binding: SendEmail): EmailSender {
  return {
    async send(m) {
      await binding.send(new EmailMessage(m.from, m.to, m.raw));
    },
  };
}

let override: ((env: Env) => EmailSender) | null = null;

/** Tests only: replace (or with null, restore) how senders are made. */
export function setEmailSenderOverride(f: ((env: Env) => EmailSender) | null): void {
  override = f;
}

/** The sender for this environment, or null when no EMAIL binding is configured. */
export function emailSenderFor(env: Env): EmailSender | null {
  if (override) return override(env);
  return env.EMAIL ? bindingSender(env.EMAIL) : null;
}
