// HTTP for provider APIs: per-attempt timeout, retries with exponential backoff
// and full jitter that honour Retry-After, and typed errors the sync engine can
// act on (retry later, refresh the token, resync, give up visibly).
// Retries here are short (inside one request); longer waits (a Retry-After of a
// minute, repeated 5xx) surface as RateLimitedError/TransientError with
// retryAfterMs so the outbox schedules the next attempt instead of blocking.

export class ProviderError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = new.target.name;
  }
  /** Worth retrying later without any other change. */
  get retryable(): boolean {
    return false;
  }
}
export class RateLimitedError extends ProviderError {
  override get retryable() {
    return true;
  }
}
export class TransientError extends ProviderError {
  override get retryable() {
    return true;
  }
}
/** 401: the access token is invalid or expired (refresh once and retry). */
export class AuthExpiredError extends ProviderError {}
/** The grant itself is dead (invalid_grant): the user must reconnect. */
export class ReconnectRequiredError extends ProviderError {}
export class NotFoundError extends ProviderError {}
export class PreconditionFailedError extends ProviderError {}
export class ConflictError extends ProviderError {}
export class GoneError extends ProviderError {}
/** 400/403 (not rate limits) and anything else that will not succeed by retrying. */
export class PermanentError extends ProviderError {}

export interface RetryPolicy {
  attempts: number; // total tries
  baseMs: number;
  maxInlineWaitMs: number; // longer waits are handed back to the caller
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseMs: 200, maxInlineWaitMs: 2_000, timeoutMs: 10_000 };

/** Exponential backoff with full jitter: random in [0, base·2^attempt], capped. */
export function backoffMs(attempt: number, baseMs: number, capMs = 15 * 60_000, random = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.floor(exp / 2 + (random() * exp) / 2);
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export interface ErrorInfo {
  status: number;
  reason: string;
  message: string;
}

/** Reads a provider error body ({error:{code,message,errors:[{reason}]}} for Google, {error:"invalid_grant"} for OAuth). */
export async function errorInfo(res: Response): Promise<ErrorInfo> {
  let reason = "";
  let message = `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as any;
    if (typeof body?.error === "string") {
      reason = body.error;
      message = body.error_description ?? body.error;
    } else if (body?.error) {
      reason = body.error.errors?.[0]?.reason ?? body.error.status ?? body.error.code ?? "";
      message = body.error.message ?? message;
    }
  } catch {
    /* not JSON */
  }
  return { status: res.status, reason: String(reason), message };
}

const RATE_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"]);

export function classify(info: ErrorInfo, retryAfterMs: number | null): ProviderError {
  const { status, reason, message } = info;
  if (status === 429 || (status === 403 && RATE_REASONS.has(reason)))
    return new RateLimitedError(message, status, reason, retryAfterMs);
  if (status === 401) return new AuthExpiredError(message, status, reason);
  if (status === 404) return new NotFoundError(message, status, reason);
  if (status === 409) return new ConflictError(message, status, reason);
  if (status === 410) return new GoneError(message, status, reason);
  if (status === 412) return new PreconditionFailedError(message, status, reason);
  if (status === 408 || status >= 500) return new TransientError(message, status, reason, retryAfterMs);
  return new PermanentError(message, status, reason);
}

export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export interface SendOptions {
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  /** Called with the latency of every attempt (metrics). */
  onAttempt?: (ms: number, status: number) => void;
}

/**
 * Sends a request, retrying rate limits, 5xx and network errors with backoff.
 * Returns the 2xx Response; throws a typed ProviderError otherwise.
 * `make` builds a fresh Request per attempt (bodies cannot be re-read).
 */
export async function send(make: () => Request, opts: SendOptions = {}): Promise<Response> {
  const policy = { ...DEFAULT_RETRY, ...opts.retry };
  const sleep = opts.sleep ?? realSleep;
  let last: ProviderError | null = null;
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    const started = Date.now();
    let res: Response;
    try {
      res = await fetch(make(), { signal: AbortSignal.timeout(policy.timeoutMs) });
    } catch (err) {
      opts.onAttempt?.(Date.now() - started, 0);
      last = new TransientError(`network error: ${(err as Error).message}`, 0, "network");
      if (attempt + 1 < policy.attempts) await sleep(backoffMs(attempt, policy.baseMs));
      continue;
    }
    opts.onAttempt?.(Date.now() - started, res.status);
    if (res.ok) return res;
    const retryAfter = parseRetryAfter(res.headers.get("retry-after"));
    const err = classify(await errorInfo(res), retryAfter);
    if (!err.retryable) throw err;
    last = err;
    const wait = retryAfter ?? backoffMs(attempt, policy.baseMs);
    if (wait > policy.maxInlineWaitMs || attempt + 1 >= policy.attempts) break;
    await sleep(wait);
  }
  throw last ?? new TransientError("request failed", 0, "unknown");
}

/** The token half of provider.ts's TokenSource (kept structural so this module imports nothing). */
export interface BearerTokens {
  accessToken(): Promise<string>;
  refresh(): Promise<string>;
}

/**
 * A JSON API call with a bearer token, as Google Calendar and Graph both take it: `send` with
 * its retries, and a 401 refreshes the token once and retries once (a second 401 is a real
 * auth failure and is thrown).
 */
export async function sendWithBearer(
  url: URL,
  method: string,
  init: { body?: unknown; headers?: Record<string, string> },
  tokens: BearerTokens,
  opts: SendOptions = {},
): Promise<Response> {
  const attempt = (token: string) =>
    send(
      () =>
        new Request(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
            ...init.headers,
          },
          body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
        }),
      opts,
    );
  try {
    return await attempt(await tokens.accessToken());
  } catch (err) {
    if (!(err instanceof AuthExpiredError)) throw err;
    return attempt(await tokens.refresh());
  }
}
