// Engine scenarios, provider-neutral (issue 9): account-wide backoff, lost push,
// cheap reconnect. Called by each provider's test file with its harness.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScheduled } from "../../../../worker/scheduled";
import { doctorsNeedingSync } from "../../../../worker/sync/cron";
import { nextPollAt } from "../../../../worker/sync/inbound";
import { ECHO_WAIT_MS, LOST_PUSH_WORST_CASE_MS, POLL_WITHOUT_PUSH_MS } from "../../../../worker/sync/cadence";
import { at, blocksOf, book, calendarRow, env, integrationRow, sleep, type ConnectedDoctor, type ProviderHarness } from "./provider";
import { DAY, dayPlus } from "../../../days";

/** Pretends `ms` passed since the calendar was last read (its hourly slot / 5-minute poll is now due). */
async function agePoll(c: ConnectedDoctor, ms: number) {
  await env.DB.prepare("UPDATE integration_calendars SET last_polled_at = last_polled_at - ? WHERE integration_id = ?").bind(ms, c.integrationId).run();
}

export function accountHealthScenarios(h: ProviderHarness) {
  describe(`${h.name} engine scenarios: account-wide backoff, lost push, reconnect`, () => {
    let uninstall: () => void;
    beforeAll(() => (uninstall = h.install()));
    afterAll(() => uninstall());

    describe(`${h.name}: one backoff per account, both directions`, () => {
      it("429 with Retry-After during a burst of notifications → zero calls to that account until it passes, then everything lands", async () => {
        const c = await h.connect();
        const a = await book(c, at("09:00"), at("09:30"));
        await h.settle(c.doctorId);
        h.rateLimit(c, 3);
        // The doctor edits their calendar: the notification makes us read → 429 (the one refused call).
        h.user.addBusy(c, at("15:00"), at("15:30"));
        await h.settle(c.doctorId);
        const limited = h.mark();
        const integ = await integrationRow(c);
        expect(integ.backoff_until).toBeGreaterThan(Date.now() + 1000);
        // A burst: more edits there (each a notification), a booking and a reschedule here.
        h.user.addBusy(c, at("15:30"), at("16:00"));
        h.user.addBusy(c, at("16:00"), at("16:30"));
        const b = await book(c, at("10:00"), at("10:30"));
        expect((await c.doctor.patch(`/api/appointments/${a.id}`, { version: a.version, start: at("11:00"), end: at("11:30") })).status).toBe(200);
        h.user.addBusy(c, at("16:30"), at("17:00"));
        await h.settle(c.doctorId);
        await runScheduled(env, Date.now()); // the cron skips an account in backoff too
        await h.settle(c.doctorId);
        expect(h.requestsSince(c, limited)).toEqual([]);
        // Nothing was given up meanwhile: the rows wait without counting attempts.
        const rows = (await env.DB.prepare("SELECT state, attempts FROM sync_outbox WHERE doctor_id = ? AND state != 'done'").bind(c.doctorId).all<any>()).results;
        expect(rows.every((r: any) => r.state === "pending")).toBe(true);
        // The Retry-After passes: the hub's alarm (or the cron, if the alarm was lost) lands everything.
        await sleep(Math.max(0, integ.backoff_until - Date.now()) + 100);
        await runScheduled(env, Date.now());
        await h.settle(c.doctorId);
        expect(h.event(c, b.id)).toMatchObject({ startMs: Date.parse(at("10:00")), cancelled: false });
        expect(h.event(c, a.id)).toMatchObject({ startMs: Date.parse(at("11:00")) });
        expect((await blocksOf(c)).map((x: any) => new Date(x.start_ms).toISOString())).toEqual([at("15:00"), at("15:30"), at("16:00"), at("16:30")]);
        const after = await integrationRow(c);
        expect(after.backoff_until).toBeNull();
        expect(after.last_error).toBeNull();
        expect((await env.DB.prepare("SELECT count(*) AS n FROM sync_outbox WHERE doctor_id = ? AND state = 'pending'").bind(c.doctorId).first<any>()).n).toBe(0);
      });
    });

    describe(`${h.name}: a lost push is found within the hour`, () => {
      it.skipIf(!h.hasPush)("push silently broken → a change made at the provider arrives within the documented bound (hourly slot, or the cron if the alarm is lost too)", async () => {
        const c = await h.connect();
        h.losePush(c, true);
        h.user.addBusy(c, at("12:00"), at("12:30"));
        await h.settle(c.doctorId);
        expect(await blocksOf(c)).toHaveLength(0); // no notification came
        // The hub's next read without a notification is at most an hour away (this calendar's minute).
        const row = await calendarRow(c);
        const due = nextPollAt(row, Date.now());
        expect(due - row.last_polled_at).toBeLessThanOrEqual(60 * 60_000);
        expect(due - row.last_polled_at).toBeGreaterThan(0);
        // Worst case: the alarm was lost as well; the cron finds the overdue calendar by then.
        await agePoll(c, LOST_PUSH_WORST_CASE_MS - 5 * 60_000 + 1);
        expect(await doctorsNeedingSync(env, Date.now())).toContain(c.doctorId);
        const mark = h.mark();
        await runScheduled(env, Date.now());
        await h.settle(c.doctorId);
        expect((await blocksOf(c)).map((x: any) => new Date(x.start_ms).toISOString())).toEqual([at("12:00")]);
        // A cheap read: one request with the stored cursor (nothing re-listed).
        const reads = h.requestsSince(c, mark).filter((r) => r.method === "GET");
        expect(reads).toHaveLength(1);
      });

      it.skipIf(!h.hasPush)("echo check: our write with no notification within a few minutes → push judged broken → 5-minute polling and a new channel; a notification ends it", async () => {
        const c = await h.connect();
        const channelBefore = (await calendarRow(c)).channel_id;
        h.losePush(c, true);
        await book(c, at("09:00"), at("09:30"));
        await h.settle(c.doctorId);
        let row = await calendarRow(c);
        expect(row.last_write_at).toBeGreaterThan(0);
        expect(row.push_suspect_at).toBeNull();
        // The echo wait passes with no notification.
        await env.DB.prepare(
          "UPDATE integration_calendars SET last_write_at = last_write_at - ?1, last_notification_at = last_notification_at - ?1, last_polled_at = last_polled_at - ?1 WHERE integration_id = ?2",
        )
          .bind(ECHO_WAIT_MS, c.integrationId)
          .run();
        expect(await doctorsNeedingSync(env, Date.now())).toContain(c.doctorId);
        await runScheduled(env, Date.now());
        await h.settle(c.doctorId);
        row = await calendarRow(c);
        expect(row.push_suspect_at).toBeGreaterThan(0);
        expect(row.channel_id).not.toBe(channelBefore); // re-created
        // Every 5 minutes (at the calendar's own phase: between half and one and a half intervals after the last read).
        const gap = nextPollAt(row, Date.now()) - row.last_polled_at;
        expect(gap).toBeGreaterThanOrEqual(POLL_WITHOUT_PUSH_MS / 2);
        expect(gap).toBeLessThan(POLL_WITHOUT_PUSH_MS * 1.5);
        // A change at the provider now arrives with the 5-minute poll.
        h.user.addBusy(c, at("13:00"), at("13:30"));
        await h.settle(c.doctorId);
        expect(await blocksOf(c)).toHaveLength(0);
        await agePoll(c, POLL_WITHOUT_PUSH_MS);
        await runScheduled(env, Date.now());
        await h.settle(c.doctorId);
        expect((await blocksOf(c)).map((x: any) => new Date(x.start_ms).toISOString())).toEqual([at("13:00")]);
        // Push works again: the next notification clears the suspicion (hourly reads again).
        h.losePush(c, false);
        h.user.addBusy(c, at("14:00"), at("14:30"));
        await h.settle(c.doctorId);
        row = await calendarRow(c);
        expect(row.push_suspect_at).toBeNull();
        expect(await blocksOf(c)).toHaveLength(2);
      });
    });

    describe(`${h.name}: cheap, honest reconnect`, () => {
      it("reconnect with N upcoming appointments, nothing changed → ≤ N/50 + a few requests, success rate 1.0, no error; one changed meanwhile → one write", async () => {
        const N = 60;
        const c = await h.connect();
        h.setPageSize(250); // the provider's real default page, not the paging test's 3
        const days = [DAY, dayPlus(1), dayPlus(2), dayPlus(3), dayPlus(4)];
        const appts = [];
        for (let i = 0; i < N; i++) {
          const day = days[Math.floor(i / 12)];
          // Twelve 10-minute appointments a morning (09:00–11:55), five mornings.
          const hh = 9 + Math.floor((i % 12) / 4);
          const mm = (i % 4) * 15;
          const s = `${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}`;
          const e = `${String(hh).padStart(2, "0")}:${String(mm + 10).padStart(2, "0")}`;
          appts.push(await book(c, at(s, day), at(e, day)));
        }
        await h.settle(c.doctorId);
        expect(appts.every((a) => h.event(c, a.id))).toBe(true);
        // Disconnect keeping the events there, then reconnect the same account.
        expect((await c.doctor.delete(`/api/integrations/${c.integrationId}`)).status).toBe(200);
        await h.settle(c.doctorId);
        const mark = h.mark();
        await h.reconnect(c);
        await h.settle(c.doctorId);
        const calls = h.requestsSince(c, mark);
        expect(calls.length).toBeLessThanOrEqual(Math.ceil(N / 50) + 4);
        expect(calls.filter((r) => r.method !== "GET" && !h.isChannelRequest(r))).toEqual([]);
        const [integ] = (await (await c.doctor.get("/api/integrations")).json<any>()).integrations;
        expect(integ).toMatchObject({ status: "active", healthy: true, lastError: null });
        expect(integ.metrics.successRate).toBe(1);
        const synced = await env.DB.prepare("SELECT count(*) AS n FROM appointment_links WHERE integration_id = ? AND state = 'synced'").bind(integ.id).first<any>();
        expect(synced.n).toBe(N);
        // Disconnect again, move one appointment in ACMS meanwhile: the reconnect writes exactly that one.
        expect((await c.doctor.delete(`/api/integrations/${integ.id}`)).status).toBe(200);
        const moved = appts[5];
        expect((await c.doctor.patch(`/api/appointments/${moved.id}`, { version: moved.version, start: at("16:30", days[4]), end: at("16:40", days[4]) })).status).toBe(200);
        await h.settle(c.doctorId);
        const mark2 = h.mark();
        await h.reconnect(c);
        await h.settle(c.doctorId);
        const writes = h.requestsSince(c, mark2).filter((r) => r.method !== "GET" && !h.isChannelRequest(r));
        expect(writes).toHaveLength(1);
        expect(h.event(c, moved.id)).toMatchObject({ startMs: Date.parse(at("16:30", days[4])) });
        h.setPageSize(3);
        // 60 bookings (each a provider write and its echo) and two reconnects: ~15 s on an idle
        // machine, 50 s on the shared 2-core one. The bound is on requests, not on wall time.
      }, 120_000);
    });
  });
}
