// Twilio Programmable Messaging, fetch only (no SDK: twilio-node needs Node's http stack and is
// far larger than the one call we make). Facts from Twilio's docs (../shared/provider-facts.md):
// - POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic (SID : Auth Token),
//   form fields To, From | MessagingServiceSid, Body, StatusCallback → 201 {sid, status}.
// - Errors: JSON {code, message, status}; 429 with Retry-After under load; 21610 = opted out.
// - Every webhook carries X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL + each POST
//   parameter name+value, sorted by name)); compared in constant time.
import type { Env } from "../env";
import { type SendFailure, type SmsMessage, type SmsProvider, type SmsResult, SmsSendError } from "./provider";

export const TWILIO_API_BASE = "https://api.twilio.com";
const SEND_TIMEOUT_MS = 10_000;

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  from?: string;
  messagingServiceSid?: string;
  apiBase?: string;
}

export function twilioFromEnv(env: Env): TwilioClient | null {
  if (!env.TWILIO_ACCOUNT_SID || !env.TWILIO_AUTH_TOKEN || !(env.TWILIO_FROM || env.TWILIO_MESSAGING_SERVICE_SID)) return null;
  return new TwilioClient({
    accountSid: env.TWILIO_ACCOUNT_SID,
    authToken: env.TWILIO_AUTH_TOKEN,
    from: env.TWILIO_FROM || undefined,
    messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID || undefined,
    apiBase: env.TWILIO_API_BASE || undefined,
  });
}

export class TwilioClient implements SmsProvider {
  readonly name = "twilio";
  constructor(private readonly cfg: TwilioConfig) {}

  async send(m: SmsMessage): Promise<SmsResult> {
    const form = new URLSearchParams({ To: m.to, Body: m.body });
    if (this.cfg.messagingServiceSid) form.set("MessagingServiceSid", this.cfg.messagingServiceSid);
    else form.set("From", this.cfg.from!);
    if (m.statusCallback) form.set("StatusCallback", m.statusCallback);
    const url = `${(this.cfg.apiBase || TWILIO_API_BASE).replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(this.cfg.accountSid)}/Messages.json`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: {
          authorization: "Basic " + btoa(`${this.cfg.accountSid}:${this.cfg.authToken}`),
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: form.toString(),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
    } catch (err) {
      // A timeout or a connection lost once the request may have been written: Twilio may well
      // have taken the message (it answered after 11–12 s in production). Not provably unsent.
      throw new SmsSendError(`Twilio did not answer (${(err as Error).message}); the message may have been sent`, "unknown");
    }
    const body = (await res.json().catch(() => ({}))) as { sid?: string; status?: string; code?: number; message?: string };
    // 2xx: Twilio took it, even if the body was cut off on the way back.
    if (res.ok) return { id: body.sid ?? "", status: body.status ?? "queued" };
    const retryAfter = Number(res.headers.get("retry-after"));
    throw new SmsSendError(
      `Twilio ${res.status}${body.code ? ` (${body.code})` : ""}: ${body.message ?? "request failed"}`,
      failureOf(res.status),
      body.code,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
}

/**
 * What an error answer proves: 429 (rate limit) and 503 (service unavailable) are refusals
 * before the message was created; any other 5xx (500, a gateway's 502/504) may come after it
 * was, so it is "unknown"; a 4xx is Twilio refusing this message for good.
 */
export function failureOf(status: number): SendFailure {
  if (status === 429 || status === 503) return "retry";
  if (status >= 500) return "unknown";
  return "permanent";
}

/** The string Twilio signs: the full URL it called, then every POST parameter name+value, sorted by name. */
export function twilioSignedPayload(url: string, params: Iterable<[string, string]>): string {
  const sorted = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return url + sorted.map(([k, v]) => k + v).join("");
}

export async function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(twilioSignedPayload(url, params)));
  return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

/** Constant-time check of X-Twilio-Signature. */
export async function verifyTwilioSignature(authToken: string, url: string, params: Iterable<[string, string]>, signature: string | null | undefined): Promise<boolean> {
  if (!signature) return false;
  const want = new TextEncoder().encode(await twilioSignature(authToken, url, params));
  const got = new TextEncoder().encode(signature);
  if (want.length !== got.length) return false;
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff |= want[i] ^ got[i];
  return diff === 0;
}
