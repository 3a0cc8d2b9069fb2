// Failure injection: one-shot faults (429/403 rateLimitExceeded/503 with optional
// Retry-After) and per-account rate limits (issue 9), as Google's per-user quota answers:
// every API call of a limited account gets 429 (or 403 userRateLimitExceeded) with
// Retry-After until the limit passes; calls of other accounts are unaffected.
import { err } from "./http";
import type { Account, Fault } from "./types";

export class Faults {
  private faults: Fault[] = [];

  inject(f: Fault, times = 1) {
    for (let i = 0; i < times; i++) this.faults.push(f);
  }
  clear() {
    this.faults.length = 0;
  }
  /** The first injected fault the request matches (used up), as Google's error answer; else null. */
  take(request: Request): Response | null {
    const faultIdx = this.faults.findIndex((f) => !f.match || f.match(request));
    if (faultIdx >= 0) {
      const f = this.faults.splice(faultIdx, 1)[0];
      return err(f.status, f.reason, "Injected fault", f.retryAfter ? { "retry-after": f.retryAfter } : {});
    }
    return null;
  }
}

/** Google's per-user quota: every API call of this account is refused with Retry-After for `seconds`. */
export function limitAccount(a: Account, seconds: number, status: 429 | 403) {
  a.limitedUntil = Date.now() + seconds * 1000;
  a.limitedStatus = status;
}

/** The answer to an API call of a rate-limited account, or null while it is not limited. */
export function rateLimited(account: Account): Response | null {
  if (account.limitedUntil && account.limitedUntil > Date.now()) {
    const secs = Math.max(1, Math.ceil((account.limitedUntil - Date.now()) / 1000));
    return account.limitedStatus === 403
      ? err(403, "userRateLimitExceeded", "User Rate Limit Exceeded", { "retry-after": String(secs) })
      : err(429, "rateLimitExceeded", "Rate Limit Exceeded", { "retry-after": String(secs) });
  }
  return null;
}
