// The polling cadence and the account gate, as pure functions (issue 9), table-driven.
import { describe, expect, it } from "vitest";
import {
  echoCheckAt,
  echoOverdue,
  ECHO_WAIT_MS,
  nextCursorPollAt,
  nextPhasedPoll,
  nextSlotAfter,
  phaseOf,
  POLL_WITH_PUSH_MS,
  POLL_WITHOUT_PUSH_MS,
} from "../../../worker/sync/cadence";
import { AccountBackoffError, backoffUntil, DEFAULT_BACKOFF_MS, gateProvider, MAX_BACKOFF_MS } from "../../../worker/sync/backoff";
import { RateLimitedError, TransientError } from "../../../worker/providers/http";
import type { CalendarProvider } from "../../../worker/providers/provider";
import type { CalendarRow } from "../../../worker/sync/integrations";

const H = POLL_WITH_PUSH_MS;
const T = Date.UTC(2026, 11, 7, 10, 0, 0);
const row = (o: Partial<CalendarRow>): CalendarRow => ({
  integration_id: "i1",
  calendar_id: "c1",
  summary: "",
  sync_cursor: "1~s1",
  channel_id: "ch",
  channel_resource_id: "r",
  channel_token_hash: "h",
  channel_expires_at: T + 86_400_000 * 3,
  last_notification_at: T - 10 * 60_000,
  last_polled_at: T - 10 * 60_000,
  last_write_at: null,
  push_suspect_at: null,
  ...o,
});

describe("nextSlotAfter: the calendar's minute of the hour", () => {
  it.each([
    // last read, phase, next slot
    [T, 15 * 60_000, T + 15 * 60_000],
    [T + 15 * 60_000, 15 * 60_000, T + 75 * 60_000], // exactly on the slot → the next hour
    [T + 16 * 60_000, 15 * 60_000, T + 75 * 60_000],
    [T + 14 * 60_000, 15 * 60_000, T + 15 * 60_000],
    [T - 1, 0, T],
  ])("after %i with phase %i → %i", (last, phase, want) => {
    const got = nextSlotAfter(last, phase);
    expect(got).toBe(want);
    expect(got - last).toBeGreaterThan(0);
    expect(got - last).toBeLessThanOrEqual(H);
  });

  it("calendars spread over the hour (not all at :00)", () => {
    const minutes = new Set(Array.from({ length: 60 }, (_, i) => Math.floor(phaseOf(`integ-${i}`, "primary") / 60_000)));
    expect(minutes.size).toBeGreaterThan(25);
    expect(phaseOf("a", "b")).toBe(phaseOf("a", "b"));
  });
});

describe("nextCursorPollAt", () => {
  const cases: [string, Partial<CalendarRow>, (r: CalendarRow) => number][] = [
    ["no cursor yet → now", { sync_cursor: null }, () => T],
    ["healthy channel → the hourly slot", {}, (r) => nextSlotAfter(r.last_polled_at!, phaseOf("i1", "c1"))],
    // Every 5 minutes, at the calendar's own phase inside them (nextPhasedPoll).
    ["no channel → 5 minutes", { channel_id: null }, (r) => nextPhasedPoll(r.last_polled_at!, POLL_WITHOUT_PUSH_MS, `${r.integration_id} ${r.calendar_id}`)],
    ["channel past the provider's expiration → 5 minutes", { channel_expires_at: T - 1 }, (r) => nextPhasedPoll(r.last_polled_at!, POLL_WITHOUT_PUSH_MS, `${r.integration_id} ${r.calendar_id}`)],
    ["push judged broken → 5 minutes", { push_suspect_at: T - 60_000 }, (r) => nextPhasedPoll(r.last_polled_at!, POLL_WITHOUT_PUSH_MS, `${r.integration_id} ${r.calendar_id}`)],
  ];
  it.each(cases)("%s", (_, o, want) => {
    const r = row(o);
    expect(nextCursorPollAt(r, T)).toBe(want(r));
  });
  it("never more than an hour between reads with a healthy channel", () => {
    for (let i = 0; i < 200; i++) {
      const r = row({ integration_id: `i${i}`, last_polled_at: T + i * 7_919 });
      expect(nextCursorPollAt(r, T) - r.last_polled_at!).toBeLessThanOrEqual(H);
    }
  });
});

describe("echo check", () => {
  it.each([
    ["no write", { last_write_at: null }, T, false, null],
    ["write echoed", { last_write_at: T - 5 * 60_000, last_notification_at: T - 5 * 60_000 + 200 }, T, false, null],
    ["write not echoed yet, within the wait", { last_write_at: T - 60_000 }, T, false, T - 60_000 + ECHO_WAIT_MS],
    ["write not echoed past the wait", { last_write_at: T - ECHO_WAIT_MS }, T, true, T],
    ["no channel: nothing to judge (already polling)", { last_write_at: T - ECHO_WAIT_MS, channel_id: null }, T, false, null],
  ] as [string, Partial<CalendarRow>, number, boolean, number | null][])("%s", (_, o, now, overdue, checkAt) => {
    expect(echoOverdue(row(o), now)).toBe(overdue);
    expect(echoCheckAt(row(o), now)).toBe(checkAt);
  });
});

describe("account gate", () => {
  const fake = (fail: Error | null) => {
    const calls: string[] = [];
    const p = {
      name: "google",
      listChanges: async () => {
        calls.push("list");
        if (fail) throw fail;
        return { items: [], nextCursor: "x", full: false };
      },
      upsertEvent: async () => {
        calls.push("upsert");
        return { id: "e", etag: null, updatedMs: null };
      },
    } as unknown as CalendarProvider;
    return { p, calls };
  };

  it("a rate limit persists the backoff and stops every later call, in both directions", async () => {
    const { p, calls } = fake(new RateLimitedError("slow down", 429, "rateLimitExceeded", 20_000));
    const persisted: number[] = [];
    const state = { until: null as number | null };
    const g = gateProvider(p, state, async (u) => void persisted.push(u));
    await expect(g.listChanges("c", "x", { startMs: 0, endMs: 1 })).rejects.toBeInstanceOf(RateLimitedError);
    expect(persisted).toHaveLength(1);
    expect(persisted[0] - Date.now()).toBeGreaterThan(19_000);
    await expect(g.upsertEvent("c", {} as any, null)).rejects.toBeInstanceOf(AccountBackoffError);
    await expect(g.listChanges("c", "x", { startMs: 0, endMs: 1 })).rejects.toBeInstanceOf(AccountBackoffError);
    expect(calls).toEqual(["list"]);
  });

  it("a 503 with Retry-After speaks for the account too (iCloud throttles that way): it backs off", async () => {
    const { p, calls } = fake(new TransientError("busy", 503, "throttled", 120_000));
    const state = { until: null as number | null };
    const g = gateProvider(p, state, async () => {});
    await expect(g.listChanges("c", null, { startMs: 0, endMs: 1 })).rejects.toBeInstanceOf(TransientError);
    await expect(g.upsertEvent("c", {} as any, null)).rejects.toBeInstanceOf(AccountBackoffError);
    expect(calls).toEqual(["list"]);
    expect(state.until! - Date.now()).toBeGreaterThan(110_000);
  });

  it("other errors (a 5xx without Retry-After) do not back the account off", async () => {
    const { p, calls } = fake(new TransientError("5xx", 503, "backendError"));
    const state = { until: null as number | null };
    const g = gateProvider(p, state, async () => {});
    await expect(g.listChanges("c", null, { startMs: 0, endMs: 1 })).rejects.toBeInstanceOf(TransientError);
    await expect(g.listChanges("c", null, { startMs: 0, endMs: 1 })).rejects.toBeInstanceOf(TransientError);
    expect(calls).toEqual(["list", "list"]);
    expect(state.until).toBeNull();
  });

  it.each([
    [20_000, 20_000],
    [null, DEFAULT_BACKOFF_MS],
    [0, DEFAULT_BACKOFF_MS],
    [7 * 86_400_000, MAX_BACKOFF_MS],
  ])("Retry-After %s → waits %i", (retry, want) => {
    expect(backoffUntil(new RateLimitedError("x", 429, "r", retry), T) - T).toBe(want);
  });
});
