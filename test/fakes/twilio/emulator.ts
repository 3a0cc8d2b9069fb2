// An in-process emulator of Twilio's Programmable Messaging, written from Twilio's documentation
// (../shared/provider-facts.md "Twilio"), faithful in its failures too:
// - POST /2010-04-01/Accounts/{Sid}/Messages.json with HTTP Basic (SID : Auth Token);
//   401 code 20003 for bad credentials; 400 code 21211 for a To that is not E.164, 21602 for an
//   empty Body, 21617 for a Body over 1,600 characters, 21610 for a recipient who replied STOP;
//   429 with Retry-After and 5xx through fault injection; and the failures that leave the caller
//   not knowing: a message created but answered after the caller's timeout, or created and
//   the connection dropped before the answer.
// - Twilio handles STOP/START itself on ordinary numbers: an inbound STOP opts the number out at
//   the emulator (later sends get 21610) AND is still forwarded to our webhook.
// - Webhooks (inbound messages, StatusCallback) are form-encoded POSTs signed with
//   X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL + sorted name+value pairs)).
//   The signature is computed here independently of worker/sms/twilio.ts.
export const TWILIO_TEST_HOST = "twilio.test";

export interface SentMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | null;
  status: string;
}

/**
 * What the next request meets: an error answer; or the message is created and then the answer
 * comes late ("slow": Twilio answering after the caller's timeout, seen in production at
 * 11–12 s) or never ("reset": the connection drops after the request was written).
 */
type Fault = { status: number; code: number; message: string; retryAfter?: number } | { kind: "slow"; delayMs: number } | { kind: "reset" };

export class TwilioEmulator {
  readonly messages: SentMessage[] = [];
  readonly optedOut = new Set<string>();
  readonly faults: Fault[] = [];
  /** Every request the emulator received (for "no PHI" scans). */
  readonly requests: { url: string; body: string }[] = [];
  /** How the emulator calls our Worker (set by the test router). */
  deliver: (req: Request) => Promise<Response> = () => Promise.reject(new Error("no router installed"));

  constructor(
    readonly accountSid: string,
    readonly authToken: string,
    readonly number: string,
    /** The webhook URL configured on the Twilio number (our public URL). */
    readonly smsWebhookUrl: string,
  ) {}

  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const body = new TextDecoder().decode(await req.arrayBuffer());
    this.requests.push({ url: req.url, body });
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    if (!m || req.method !== "POST") return this.error(404, 20404, "The requested resource was not found");
    const expected = "Basic " + btoa(`${this.accountSid}:${this.authToken}`);
    if (m[1] !== this.accountSid || req.headers.get("authorization") !== expected) return this.error(401, 20003, "Authenticate");
    const fault = this.faults.shift();
    if (fault && !("kind" in fault)) return this.error(fault.status, fault.code, fault.message, fault.retryAfter);
    const form = new URLSearchParams(body);
    const to = form.get("To") ?? "";
    const text = form.get("Body") ?? "";
    if (!/^\+[1-9]\d{7,14}$/.test(to)) return this.error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (form.get("From") !== this.number && !form.get("MessagingServiceSid")) return this.error(400, 21606, "The From phone number is not a valid, SMS-capable inbound phone number.");
    if (!text) return this.error(400, 21602, "Message body is required.");
    if (text.length > 1600) return this.error(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    if (this.optedOut.has(to)) return this.error(400, 21610, "Attempt to send to unsubscribed recipient");
    const sid = "SM" + Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    const msg: SentMessage = { sid, to, from: this.number, body: text, statusCallback: form.get("StatusCallback"), status: "queued" };
    this.messages.push(msg);
    if (fault && "kind" in fault && fault.kind === "reset") throw new TypeError("Network connection lost.");
    if (fault && "kind" in fault && fault.kind === "slow") await new Promise((r) => setTimeout(r, fault.delayMs));
    return Response.json({ sid, status: "queued", to, from: this.number, body: text, account_sid: this.accountSid, num_segments: "1" }, { status: 201 });
  }

  private error(status: number, code: number, message: string, retryAfter?: number): Response {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (retryAfter) headers["retry-after"] = String(retryAfter);
    return new Response(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }), { status, headers });
  }

  /** Twilio's signature, written from the docs (not shared with the code under test). */
  async sign(url: string, params: Record<string, string>): Promise<string> {
    const data = url + Object.keys(params).sort().map((k) => k + params[k]).join("");
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(this.authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
    const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)));
    let s = "";
    for (const b of sig) s += String.fromCharCode(b);
    return btoa(s);
  }

  async signedPost(url: string, params: Record<string, string>, signature?: string): Promise<Response> {
    const sig = signature ?? (await this.sign(url, params));
    return this.deliver(
      new Request(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": sig },
        body: new URLSearchParams(params).toString(),
      }),
    );
  }

  /** A patient texts our number. STOP/START are applied at Twilio first, then forwarded (as on a default number). */
  async inbound(from: string, body: string): Promise<Response> {
    const word = body.trim().toUpperCase();
    if (["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"].includes(word)) this.optedOut.add(from);
    if (["START", "YES", "UNSTOP"].includes(word)) this.optedOut.delete(from);
    const params = { AccountSid: this.accountSid, MessageSid: "SM" + crypto.randomUUID().replaceAll("-", ""), From: from, To: this.number, Body: body, NumMedia: "0" };
    return this.signedPost(this.smsWebhookUrl, params);
  }

  /** The carrier reports on a message we sent: POST to its StatusCallback. */
  async report(sid: string, status: "sent" | "delivered" | "undelivered" | "failed", errorCode?: string): Promise<Response> {
    const msg = this.messages.find((m) => m.sid === sid);
    if (!msg?.statusCallback) throw new Error(`message ${sid} has no StatusCallback`);
    msg.status = status;
    const params: Record<string, string> = { AccountSid: this.accountSid, MessageSid: sid, MessageStatus: status, To: msg.to, From: msg.from };
    if (errorCode) params.ErrorCode = errorCode;
    return this.signedPost(msg.statusCallback, params);
  }
}
