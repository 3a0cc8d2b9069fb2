// Provider-neutral scenarios (issue #17 "never lose or resurrect an event"): disconnect,
// reconnect after changes on both sides, a long outage of the provider, and the daily
// full reconciliation. Called by each provider's test file with its LifecycleHarness
// (Google and Graph emulators, the real Radicale for CalDAV).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, book, env, hubOf, noticesOf, SATURDAY, type ConnectedDoctor } from "./provider";
import { DAY, dayPlus } from "../../../days";

export interface OurEvent {
  appointmentId: string;
  startMs: number;
  endMs: number;
}

export interface LifecycleHarness {
  name: string;
  install(): () => void;
  connect(): Promise<ConnectedDoctor>;
  /** The same doctor connects the same account again (after a disconnect). */
  reconnect(c: ConnectedDoctor): Promise<void>;
  settle(doctorId: string): Promise<void>;
  /** Live events of ours (marked with our appointment id) in the doctor's write calendar. */
  ourEvents(c: ConnectedDoctor): Promise<OurEvent[]>;
  /** The host our API calls for this doctor go to (an outage makes it unreachable). */
  apiHost(c: ConnectedDoctor): string;
  /** The doctor moves our event in the provider's own app. */
  move(c: ConnectedDoctor, appointmentId: string, startIso: string, endIso: string): Promise<void>;
}

const links = (integrationId: string) =>
  env.DB.prepare("SELECT count(*) AS n FROM appointment_links WHERE integration_id = ?").bind(integrationId).first<{ n: number }>().then((r) => r!.n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Each scenario books several appointments and round-trips the provider many times: bounded, but not fast on a loaded 2-core machine. */
const SLOW = 120_000;

/** What the cron does when reads are due: every synced calendar read now. */
async function poll(h: LifecycleHarness, c: ConnectedDoctor) {
  await env.DB.prepare("UPDATE integration_calendars SET last_polled_at = 0 WHERE integration_id = ?").bind(c.integrationId).run();
  await hubOf(c.doctorId).kick(c.doctorId);
  await h.settle(c.doctorId);
}

export function lifecycleScenarios(h: LifecycleHarness) {
  describe(`${h.name} engine scenarios: never lose or resurrect an event`, () => {
    let uninstall: () => void;
    // Network outage switch: requests to this host fail as a dropped connection does.
    let down: string | null = null;
    beforeAll(() => {
      const inner = h.install();
      const routed = globalThis.fetch;
      globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
        const req = new Request(input as RequestInfo, init);
        if (down && new URL(req.url).host === down) throw new TypeError("Network connection lost.");
        return routed(req);
      }) as typeof fetch;
      uninstall = () => {
        globalThis.fetch = routed;
        inner();
      };
    });
    afterAll(() => uninstall());

    it("disconnect with 'remove events' while the provider's delete notifications arrive → 0 of our events left, 0 link rows, nothing re-created", async () => {
      const c = await h.connect();
      const booked = [];
      for (let i = 0; i < 12; i++) {
        const hh = 9 + Math.floor(i / 4);
        const mm = (i % 4) * 15;
        const t = (m: number) => `${String(hh).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
        booked.push(await book(c, at(t(mm), i < 6 ? DAY : dayPlus(1)), at(t(mm + 10), i < 6 ? DAY : dayPlus(1))));
      }
      await h.settle(c.doctorId);
      expect(await h.ourEvents(c)).toHaveLength(12);
      const res = await c.doctor.delete(`/api/integrations/${c.integrationId}?removeEvents=true`);
      expect(res.status).toBe(200);
      expect(await res.json<any>()).toMatchObject({ disconnected: true, removedEvents: 12, problems: [] });
      await h.settle(c.doctorId);
      await sleep(50);
      await h.settle(c.doctorId);
      expect(await h.ourEvents(c)).toEqual([]);
      expect(await links(c.integrationId)).toBe(0);
      expect(await noticesOf(c.userId, "sync_recreated")).toEqual([]);
      // The appointments themselves stay in ACMS.
      const left = await env.DB.prepare("SELECT count(*) AS n FROM appointments WHERE doctor_id = ? AND status != 'cancelled'").bind(c.doctorId).first<any>();
      expect(left.n).toBe(12);
    }, SLOW);

    it("reconnect reconciles: cancelled while disconnected → deleted at the provider; provider moves judged by the policy, with a notice", async () => {
      const c = await h.connect();
      const a = await book(c, at("09:00"), at("09:30"));
      const b = await book(c, at("10:00"), at("10:30"));
      const d = await book(c, at("11:00"), at("11:30"));
      await h.settle(c.doctorId);
      // Disconnect keeping the events at the provider.
      expect((await c.doctor.delete(`/api/integrations/${c.integrationId}`)).status).toBe(200);
      await h.settle(c.doctorId);
      // Meanwhile: a is cancelled in ACMS; in the provider's app b is moved to 14:00 (fine) and d to a Saturday (refused).
      expect((await c.doctor.patch(`/api/appointments/${a.id}`, { version: a.version, status: "cancelled" })).status).toBe(200);
      await h.settle(c.doctorId);
      await sleep(1100); // CalDAV LAST-MODIFIED has whole seconds: the provider edit is later than the booking
      await h.move(c, b.id, at("14:00"), at("14:30"));
      await h.move(c, d.id, at("10:00", SATURDAY), at("10:30", SATURDAY));
      await h.reconnect(c);
      await h.settle(c.doctorId);
      await poll(h, c);
      const ours = await h.ourEvents(c);
      expect(ours.map((e) => e.appointmentId).sort()).toEqual([b.id, d.id].sort());
      const get = async (id: string) => (await (await c.doctor.get(`/api/appointments/${id}`)).json<any>()).appointment;
      expect(await get(b.id)).toMatchObject({ start: at("14:00"), end: at("14:30") });
      expect(ours.find((e) => e.appointmentId === b.id)).toMatchObject({ startMs: Date.parse(at("14:00")) });
      expect(await noticesOf(c.userId, "sync_moved")).toHaveLength(1);
      // d stays at 11:00 in ACMS and is set back at the provider; the doctor is told why.
      expect(await get(d.id)).toMatchObject({ start: at("11:00") });
      expect(ours.find((e) => e.appointmentId === d.id)).toMatchObject({ startMs: Date.parse(at("11:00")) });
      const [rejected] = await noticesOf(c.userId, "sync_rejected");
      expect(rejected.message).toContain("working hours");
      expect(await noticesOf(c.userId, "sync_recreated")).toEqual([]);
    }, SLOW);

    it("a long outage: writes are never dropped; 'N changes waiting', unhealthy, one notice; afterwards everything lands", async () => {
      const c = await h.connect();
      const a = await book(c, at("09:00"), at("09:30"));
      await h.settle(c.doctorId);
      down = h.apiHost(c);
      try {
        const b = await book(c, at("13:00"), at("13:30"));
        const moved = await c.doctor.patch(`/api/appointments/${a.id}`, { version: a.version, start: at("15:00"), end: at("15:30") });
        expect(moved.status).toBe(200);
        await h.settle(c.doctorId);
        // 51 minutes of retries: far more tries than the old limit of 12.
        await env.DB.prepare("UPDATE sync_outbox SET created_at = created_at - 51 * 60000 WHERE doctor_id = ?").bind(c.doctorId).run();
        for (let i = 0; i < 14; i++) {
          await env.DB.prepare("UPDATE sync_outbox SET next_attempt_at = 0 WHERE doctor_id = ? AND state = 'pending'").bind(c.doctorId).run();
          await poll(h, c);
        }
        // Nothing given up: both changes still pending, tried far more often than the old limit of 12.
        const rows = (await env.DB.prepare("SELECT appointment_id, state, attempts FROM sync_outbox WHERE doctor_id = ? AND state != 'done'").bind(c.doctorId).all<any>()).results;
        expect(rows.map((r: any) => [r.appointment_id, r.state]).sort()).toEqual([[a.id, "pending"], [b.id, "pending"]].sort());
        expect(Math.min(...rows.map((r: any) => r.attempts))).toBeGreaterThan(12);
        const [during] = (await (await c.doctor.get("/api/integrations")).json<any>()).integrations;
        expect(during).toMatchObject({ healthy: false, waitingChanges: 2 });
        expect(during.lastError).toBeTruthy();
        const waiting = await noticesOf(c.userId, "sync_waiting");
        expect(waiting).toHaveLength(1);
        expect(waiting[0].message).toMatch(/2 changes/);
        down = null;
        await env.DB.prepare("UPDATE sync_outbox SET next_attempt_at = 0 WHERE doctor_id = ? AND state = 'pending'").bind(c.doctorId).run();
        await poll(h, c);
        const ours = await h.ourEvents(c);
        expect(ours.find((e) => e.appointmentId === b.id)).toMatchObject({ startMs: Date.parse(at("13:00")) });
        expect(ours.find((e) => e.appointmentId === a.id)).toMatchObject({ startMs: Date.parse(at("15:00")) });
        const [after] = (await (await c.doctor.get("/api/integrations")).json<any>()).integrations;
        expect(after).toMatchObject({ healthy: true, waitingChanges: 0, lastError: null });
      } finally {
        down = null;
      }
    }, SLOW);

    it("a doctor dragging our event around at the provider → the patient gets one update e-mail, with the final time", async () => {
      const c = await h.connect();
      const a = await book(c, at("09:00"), at("09:30"));
      await h.settle(c.doctorId);
      for (const t of ["14", "15", "16"]) {
        await sleep(1100); // CalDAV LAST-MODIFIED has whole seconds: each drag is newer than the last
        await h.move(c, a.id, at(`${t}:00`), at(`${t}:30`));
        await poll(h, c);
      }
      const cur = (await (await c.doctor.get(`/api/appointments/${a.id}`)).json<any>()).appointment;
      expect(cur.start).toBe(at("16:00"));
      expect(await noticesOf(c.userId, "sync_moved")).toHaveLength(3); // the doctor still sees each move
      const mails = () => env.DB.prepare("SELECT method, sequence, state FROM email_outbox WHERE appointment_id = ? ORDER BY id").bind(a.id).all<any>().then((r) => r.results);
      const held = (await mails()).slice(1);
      expect(held.filter((m: any) => m.state === "pending")).toEqual([{ method: "REQUEST", sequence: cur.version - 1, state: "pending" }]);
      expect(held.filter((m: any) => m.state === "superseded")).toHaveLength(2);
      // A few minutes later the one update goes out.
      await env.DB.prepare("UPDATE email_outbox SET next_attempt_at = 0 WHERE appointment_id = ? AND state = 'pending'").bind(a.id).run();
      await hubOf(c.doctorId).kick(c.doctorId);
      await h.settle(c.doctorId);
      const after = (await mails()).slice(1).filter((m: any) => m.state !== "superseded");
      expect(after).toEqual([{ method: "REQUEST", sequence: cur.version - 1, state: "sent" }]);
    }, SLOW);

    it("the daily full reconciliation repairs both directions", async () => {
      const c = await h.connect();
      const kept = await book(c, at("09:00"), at("09:30"));
      const gone = await book(c, at("10:00"), at("10:30"));
      await h.settle(c.doctorId);
      // ACMS → provider: a write given up on by an older version (outbox 'failed', link in error).
      down = h.apiHost(c);
      const lost = await book(c, at("11:00"), at("11:30"));
      await h.settle(c.doctorId);
      down = null;
      await env.DB.prepare("UPDATE sync_outbox SET state = 'failed' WHERE appointment_id = ?").bind(lost.id).run();
      // Provider → ACMS: an event of ours whose link was lost, for an appointment cancelled since.
      await env.DB.prepare("DELETE FROM appointment_links WHERE appointment_id = ?").bind(gone.id).run();
      expect((await c.doctor.patch(`/api/appointments/${gone.id}`, { version: gone.version, status: "cancelled" })).status).toBe(200);
      await h.settle(c.doctorId);
      expect((await h.ourEvents(c)).map((e) => e.appointmentId).sort()).toEqual([kept.id, gone.id].sort());
      // A day later the window is listed in full.
      await env.DB.prepare("UPDATE calendar_integrations SET reconciled_at = ? WHERE id = ?").bind(Date.now() - 25 * 3600_000, c.integrationId).run();
      await poll(h, c);
      expect((await h.ourEvents(c)).map((e) => e.appointmentId).sort()).toEqual([kept.id, lost.id].sort());
      expect(await noticesOf(c.userId, "sync_recreated")).toEqual([]);
    });
  });
}
