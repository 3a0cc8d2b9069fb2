// The one door every CalDAV request goes through: tsdav's request helpers are given
// this `fetch` (their `fetch` override), so tsdav builds the WebDAV XML and parses the
// multistatus answers, while this file owns what tsdav leaves to the caller:
//   - the URL guard on every URL, redirects followed by hand and re-checked (./url-guard.ts),
//     answers capped in bytes and time;
//   - HTTP Basic auth (Apple ID + app-specific password) added here, never by tsdav, and
//     only for the account's own server: a request whose URL is on an origin the account
//     was not configured/discovered on (allowOrigin) is refused before anything is sent
//     (ForeignServerError), so a stale URL (an event of the server the doctor connected
//     before) can never carry this account's password to another host;
//   - per-attempt timeouts, short retries with backoff that honour Retry-After, longer
//     waits handed back as RateLimitedError/TransientError with retryAfterMs (../http.ts);
//   - typed errors: 401 → ReconnectRequiredError (a Basic password cannot be refreshed:
//     it was revoked or changed) after telling the engine once through onReconnect;
//   - a request counter (tests and the bench assert "an idle poll costs one request").
import { backoffMs, classify, parseRetryAfter, PermanentError, ReconnectRequiredError, TransientError, DEFAULT_RETRY, type SendOptions } from "../http";
import { SAFE_FETCH_DEFAULTS } from "../../net/safe-fetch";
import { checkRedirect, checkServerUrl, type GuardEnv } from "./url-guard";

export interface DavCredentials {
  username: string;
  password: string;
}

export interface TransportOptions extends SendOptions {
  /** Called once when the server refuses the credentials (the engine marks needs_reconnect). */
  onReconnect?: (reason: string) => Promise<void>;
}

const MAX_REDIRECTS = 5;
/** Bytes read from one answer at most (the shared guard's cap): a hostile server cannot exhaust the isolate's memory. */
export const MAX_RESPONSE_BYTES = SAFE_FETCH_DEFAULTS.maxBytes;

function capped(res: Response): Response {
  if (Number(res.headers.get("content-length") ?? 0) > MAX_RESPONSE_BYTES)
    throw new PermanentError(`the server's answer is larger than ${MAX_RESPONSE_BYTES} bytes`, res.status, "too_large");
  if (!res.body) return res;
  let total = 0;
  const body = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctrl) {
        total += chunk.byteLength;
        if (total > MAX_RESPONSE_BYTES) ctrl.error(new PermanentError(`the server's answer is larger than ${MAX_RESPONSE_BYTES} bytes`, res.status, "too_large"));
        else ctrl.enqueue(chunk);
      },
    }),
  );
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The URL is not on the account's server (an origin discovery did not settle on): nothing
 * was sent. Permanent; for a delete it means "not there for this account" (client.ts).
 */
export class ForeignServerError extends PermanentError {
  constructor(origin: string) {
    super(`refused to send the account's credentials to ${origin}: not this account's CalDAV server`, 0, "foreign_server");
    this.name = "ForeignServerError";
  }
}

function basic(c: DavCredentials): string {
  const bytes = new TextEncoder().encode(`${c.username}:${c.password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

export class DavTransport {
  /** HTTP requests sent (every attempt and redirect hop counts). */
  requests = 0;
  /** Origins discovery settled on (iCloud moves each account to its own pNN-caldav host). */
  readonly origins: string[] = [];
  /** The URL the last response came from (after redirects). */
  lastUrl = "";

  constructor(
    private readonly creds: DavCredentials,
    private readonly env: GuardEnv,
    private readonly opts: TransportOptions = {},
  ) {}

  allowOrigin(url: string) {
    const o = new URL(url).origin;
    if (!this.origins.includes(o)) this.origins.push(o);
  }

  /** The fetch handed to tsdav. Resolves only with 2xx (incl. 207); throws typed errors otherwise. */
  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    let url = checkServerUrl(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, this.env);
    // Credentials go only to the account's server(s); redirects from there are vetted by checkRedirect.
    if (!this.origins.includes(url.origin)) throw new ForeignServerError(url.origin);
    const policy = { ...DEFAULT_RETRY, ...this.opts.retry };
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const headers = new Headers(init.headers);
    headers.set("authorization", basic(this.creds));
    let last: Error | null = null;
    let hops = 0;
    for (let attempt = 0; attempt < policy.attempts; ) {
      const started = Date.now();
      let res: Response;
      this.requests++;
      try {
        res = await fetch(url.href, { method: init.method ?? "GET", headers, body: init.body, redirect: "manual", signal: AbortSignal.timeout(policy.timeoutMs) });
      } catch (err) {
        this.opts.onAttempt?.(Date.now() - started, 0);
        last = new TransientError(`network error: ${(err as Error).message}`, 0, "network");
        attempt++;
        if (attempt < policy.attempts) await sleep(backoffMs(attempt, policy.baseMs));
        continue;
      }
      this.opts.onAttempt?.(Date.now() - started, res.status);
      if (REDIRECTS.has(res.status)) {
        const loc = res.headers.get("location");
        await res.body?.cancel();
        if (!loc || ++hops > MAX_REDIRECTS) throw new TransientError("too many redirects", res.status, "redirect");
        // WebDAV methods are kept across redirects (PROPFIND stays PROPFIND), as DAV clients do.
        url = checkRedirect(url, new URL(loc, url).href, this.env, this.origins);
        continue;
      }
      this.lastUrl = url.href;
      if (res.ok) return capped(res);
      const text = await res.text().catch(() => "");
      const retryAfter = parseRetryAfter(res.headers.get("retry-after"));
      if (res.status === 401) {
        const reason = "the server refused the user name or app-specific password (401)";
        await this.opts.onReconnect?.(reason);
        throw new ReconnectRequiredError(reason, 401, "unauthorized");
      }
      const err = classify({ status: res.status, reason: davReason(text), message: `${init.method ?? "GET"} ${url.pathname}: HTTP ${res.status}` }, retryAfter);
      if (!err.retryable) throw err;
      last = err;
      attempt++;
      const wait = retryAfter ?? backoffMs(attempt, policy.baseMs);
      if (wait > policy.maxInlineWaitMs || attempt >= policy.attempts) break;
      await sleep(wait);
    }
    throw last ?? new TransientError("request failed", 0, "unknown");
  };
}

/** The precondition element of a WebDAV error body (e.g. "valid-sync-token"), or "". */
export function davReason(body: string): string {
  const m = /<(?:[\w-]+:)?error[^>]*>\s*<(?:[\w-]+:)?([\w-]+)/i.exec(body);
  return m?.[1] ?? "";
}
