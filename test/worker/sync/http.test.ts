import { describe, expect, it } from "vitest";
import { backoffMs, classify, parseRetryAfter, RateLimitedError, AuthExpiredError, PreconditionFailedError, GoneError, PermanentError, TransientError, ConflictError, NotFoundError } from "../../../worker/providers/http";

describe("provider HTTP errors and backoff", () => {
  it.each([
    [429, "rateLimitExceeded", RateLimitedError],
    [403, "rateLimitExceeded", RateLimitedError],
    [403, "userRateLimitExceeded", RateLimitedError],
    [403, "forbidden", PermanentError],
    [401, "authError", AuthExpiredError],
    [404, "notFound", NotFoundError],
    [409, "duplicate", ConflictError],
    [410, "fullSyncRequired", GoneError],
    [412, "conditionNotMet", PreconditionFailedError],
    [503, "backendError", TransientError],
    [400, "invalid", PermanentError],
  ])("%i %s → %o", (status, reason, cls) => {
    const e = classify({ status, reason, message: "m" }, null);
    expect(e).toBeInstanceOf(cls);
  });
  it("parses Retry-After seconds and dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter(null)).toBeNull();
  });
  it("backs off exponentially with jitter inside [exp/2, exp]", () => {
    expect(backoffMs(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(20, 100, 10_000, () => 1)).toBe(10_000);
  });
});
