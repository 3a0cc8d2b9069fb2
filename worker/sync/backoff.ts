// One backoff state per provider ACCOUNT (integration), both directions (lesson 23).
// A rate limit (429, or 403 rateLimitExceeded: http.ts RateLimitedError) is the
// provider telling us about the whole account, not about one request: so after it,
// NO call goes to that account — outbound writes, inbound listings, channel renewals —
// until its Retry-After has passed. The state is persisted
// (calendar_integrations.backoff_until) so an evicted DoctorHub, the cron and every
// webhook-triggered run see it; notifications during a backoff only mark the calendar
// dirty (webhooks.ts), and the run after the backoff lands everything.
//
// A server that answers "busy, come back in N seconds" (503/504 with Retry-After: iCloud
// throttles a whole account that way) is saying the same about the account, so it starts the
// same backoff; a 5xx without Retry-After stays a per-request retry.
//
// Provider-neutral: it wraps any CalendarProvider; providers only have to throw
// RateLimitedError / TransientError (with retryAfterMs when the provider said so).
import { ProviderError, RateLimitedError } from "../providers/http";
import type { CalendarProvider } from "../providers/provider";

/** Without a Retry-After we still stay away this long (the provider said "too many"). */
export const DEFAULT_BACKOFF_MS = 60_000;
/** A Retry-After longer than this is capped (a broken header must not park an account for days). */
export const MAX_BACKOFF_MS = 60 * 60_000;

/** Thrown instead of calling the provider while the account is backing off. No request was made. */
export class AccountBackoffError extends RateLimitedError {
  constructor(readonly until: number, now = Date.now()) {
    super(`waiting for the provider's rate limit until ${new Date(until).toISOString()}`, 0, "accountBackoff", Math.max(0, until - now));
  }
}

/** An answer that speaks for the whole account: a rate limit, or any retryable answer with Retry-After. */
export const accountWide = (err: unknown): err is ProviderError =>
  err instanceof ProviderError && !(err instanceof AccountBackoffError) && (err instanceof RateLimitedError || (err.retryable && (err.retryAfterMs ?? 0) > 0));

/** When the account may be called again after this rate limit. */
export function backoffUntil(err: ProviderError, now: number): number {
  const wait = err.retryAfterMs != null && err.retryAfterMs > 0 ? err.retryAfterMs : DEFAULT_BACKOFF_MS;
  return now + Math.min(wait, MAX_BACKOFF_MS);
}

export interface BackoffState {
  until: number | null;
}

/**
 * Wraps a provider so every call first checks the account's backoff and every rate
 * limit extends it (persisted through `persist`, awaited before the error surfaces).
 */
export function gateProvider(inner: CalendarProvider, state: BackoffState, persist: (until: number, cause: ProviderError) => Promise<void>): CalendarProvider {
  async function call<T>(fn: () => Promise<T>): Promise<T> {
    const now = Date.now();
    if (state.until != null && state.until > now) throw new AccountBackoffError(state.until, now);
    try {
      return await fn();
    } catch (err) {
      if (accountWide(err)) {
        const until = backoffUntil(err, Date.now());
        if (until > (state.until ?? 0)) {
          state.until = until;
          await persist(until, err);
        }
      }
      throw err;
    }
  }
  // Every method of the provider — today's and any a provider adds (optional ones such as
  // listOwnEvents, extra arguments such as upsertEvent's existingId) — goes through the gate with
  // all its arguments; a hand-written list of wrappers silently dropped new ones.
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      // Revoking is the user leaving: not subject to our politeness.
      if (UNGATED.has(prop)) return v.bind(target);
      return (...args: unknown[]) => call(() => v.apply(target, args));
    },
  });
}

const UNGATED = new Set<PropertyKey>(["revoke"]);

/** True while the account is backing off at `now`. */
export const inBackoff = (state: BackoffState, now = Date.now()) => state.until != null && state.until > now;
