// Polls spread over the interval (worker/sync/cadence.ts nextPhasedPoll), table-driven.
import { describe, expect, it } from "vitest";
import { nextPhasedPoll, pollPhase } from "../../../worker/sync/cadence";

const EVERY = 5 * 60_000;

describe("phased polling", () => {
  it.each([
    ["i1 cal-a"],
    ["i1 cal-b"],
    ["i2 https://p42-caldav.icloud.com/1/calendars/home/"],
  ])("%s: stable phase, one poll per interval once on phase, never sooner than half an interval", (key) => {
    const phase = pollPhase(key, EVERY);
    expect(phase).toBeGreaterThanOrEqual(0);
    expect(phase).toBeLessThan(EVERY);
    expect(pollPhase(key, EVERY)).toBe(phase);
    for (const last of [0, 1_796_000_000_000, 1_796_000_000_000 + phase, 1_796_000_000_000 + phase - 1, 1_796_000_123_456]) {
      const next = nextPhasedPoll(last, EVERY, key);
      expect(((next % EVERY) + EVERY) % EVERY).toBe(phase);
      expect(next - last).toBeGreaterThanOrEqual(EVERY / 2);
      expect(next - last).toBeLessThan(EVERY * 1.5);
      expect(nextPhasedPoll(next, EVERY, key) - next).toBe(EVERY);
    }
  });

  it("a hundred calendars woken by the same cron tick spread over the whole interval", () => {
    const tick = 1_796_000_000_000;
    const next = Array.from({ length: 100 }, (_, i) => nextPhasedPoll(tick, EVERY, `integration-${i} https://caldav.example/cal/`));
    const minutes = new Set(next.map((t) => Math.floor(((t - tick) % EVERY) / 60_000)));
    expect(minutes.size).toBe(5); // every minute of the interval has some
    const sameSecond = new Map<number, number>();
    for (const t of next) sameSecond.set(Math.floor(t / 1000), (sameSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    expect(Math.max(...sameSecond.values())).toBeLessThanOrEqual(3);
  });
});
