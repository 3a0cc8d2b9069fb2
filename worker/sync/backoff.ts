// One backoff state per provider ACCOUNT (integration), both directions (lesson 23).
// A rate limit (429, or 403 rateLimitExceeded: http.ts RateLimitedError) is the
// provider telling us about the whole account, not about one request: so after it,
// NO call goes to that account — outbound writes, inbound listings, channel renewals —
// until its Retry-After has passed. The state is persisted
// (calendar_integrations.backoff_until) so an evicted DoctorHub, the cron and every
// webhook-triggered run see it; notifications during a backoff only mark the calendar
// dirty (webhooks.ts), and the run after the backoff lands everything.
//
// Provider-neutral: it wraps any CalendarProvider; providers only have to throw
// RateLimitedError (with retryAfterMs when the provider said so).
import { RateLimitedError } from "../providers/http";
import type { CalendarProvider, ExternalItem, TimeWindow } from "../providers/provider";

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

/** When the account may be called again after this rate limit. */
export function backoffUntil(err: RateLimitedError, now: number): number {
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
export function gateProvider(inner: CalendarProvider, state: BackoffState, persist: (until: number) => Promise<void>): CalendarProvider {
  async function call<T>(fn: () => Promise<T>): Promise<T> {
    const now = Date.now();
    if (state.until != null && state.until > now) throw new AccountBackoffError(state.until, now);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RateLimitedError && !(err instanceof AccountBackoffError)) {
        const until = backoffUntil(err, Date.now());
        if (until > (state.until ?? 0)) {
          state.until = until;
          await persist(until);
        }
      }
      throw err;
    }
  }
  const gated: CalendarProvider = {
    name: inner.name,
    listCalendars: () => call(() => inner.listCalendars()),
    listChanges: (cal, cursor, window) => call(() => inner.listChanges(cal, cursor, window)),
    getEvent: (cal, id) => call(() => inner.getEvent(cal, id)),
    upsertEvent: (cal, appt, etag) => call(() => inner.upsertEvent(cal, appt, etag)),
    deleteEvent: (cal, id, etag) => call(() => inner.deleteEvent(cal, id, etag)),
    watch: (cal, ch) => call(() => inner.watch(cal, ch)),
    unwatch: (id, res) => call(() => inner.unwatch(id, res)),
    // Revoking is the user leaving: not subject to our politeness.
    revoke: () => inner.revoke(),
  };
  if (inner.listOwnEvents) {
    const list = inner.listOwnEvents.bind(inner);
    gated.listOwnEvents = (cal: string, window: TimeWindow, doctorId: string): Promise<ExternalItem[]> => call(() => list(cal, window, doctorId));
  }
  return gated;
}

/** True while the account is backing off at `now`. */
export const inBackoff = (state: BackoffState, now = Date.now()) => state.until != null && state.until > now;
