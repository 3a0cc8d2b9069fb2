// A doctor who works in two clinics (two isolated tenants, a doctor record in each) connects the
// SAME calendar in both (docs/sync.md "A doctor in two clinics"). Each clinic's appointments are
// written there marked as ACMS's; to the other clinic they are the doctor's busy time like any
// other event: a busy block (busy only: nothing of the first clinic beyond "busy then"), never
// adopted, never deleted by its reconcile or disconnect. Provider-neutral: called by each
// provider's test file with its harness (Google and Graph emulators, the real Radicale).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, blocksOf, book, DAY, env, hubOf, type ConnectedDoctor } from "./provider";
import type { OurEvent } from "./lifecycle";

export interface TwoClinicsHarness {
  name: string;
  install(): () => void;
  connect(): Promise<ConnectedDoctor>;
  /** The same person, as the doctor of a fresh clinic, connects the same account (same write and busy calendar). */
  connectSameAccount(first: ConnectedDoctor): Promise<ConnectedDoctor>;
  settle(doctorId: string): Promise<void>;
  /** Live events marked as ACMS's (any clinic) in the shared write calendar. */
  ourEvents(c: ConnectedDoctor): Promise<OurEvent[]>;
}

const SLOW = 120_000;

export function twoClinicsScenarios(h: TwoClinicsHarness) {
  describe(`${h.name}: a doctor in two clinics sharing one calendar`, () => {
    let uninstall: () => void;
    beforeAll(() => (uninstall = h.install()));
    afterAll(() => uninstall());

    /** What the cron does when reads are due: every synced calendar of the doctor read now. */
    async function poll(c: ConnectedDoctor) {
      await env.DB.prepare("UPDATE integration_calendars SET last_polled_at = 0 WHERE integration_id = ?").bind(c.integrationId).run();
      await hubOf(c.doctorId).kick(c.doctorId);
      await h.settle(c.doctorId);
    }
    /** A full listing of the window at the next read (a lost cursor, the daily one). */
    const forgetCursor = (c: ConnectedDoctor) =>
      env.DB.prepare("UPDATE integration_calendars SET sync_cursor = NULL WHERE integration_id = ?").bind(c.integrationId).run();
    const span = (b: any) => [new Date(b.start_ms).toISOString(), new Date(b.end_ms).toISOString()];
    const slots = async (c: ConnectedDoctor) =>
      (await (await c.doctor.get(`/api/availability?doctorId=${c.doctorId}&from=${DAY}&to=${DAY}`)).json<any>()).slots.map((s: any) => s.start);
    const bookAt = (c: ConnectedDoctor, hhmm: string, end: string) =>
      c.doctor.post("/api/appointments", { doctorId: c.doctorId, patientId: c.f.patients[0].id, start: at(hhmm), end: at(end), reason: "Recurring chest pain" });

    it("the other clinic's appointment blocks booking here (busy only), follows its changes, and is never adopted or removed here", async () => {
      const one = await h.connect();
      const two = await h.connectSameAccount(one);
      // The doctor lets clinic 2 show the titles of their busy events: still nothing of clinic 1.
      await env.DB.prepare("UPDATE calendar_integrations SET busy_label = 'title' WHERE id = ?").bind(two.integrationId).run();

      const a1 = await book(one, at("10:00"), at("10:30"));
      await h.settle(one.doctorId);
      await poll(two);
      expect((await blocksOf(two)).map(span)).toEqual([[at("10:00"), at("10:30")]]);

      // Clinic 2 cannot book the doctor then: refused as busy, and nothing of clinic 1 in the answer.
      const refused = await bookAt(two, "10:00", "10:30");
      expect(refused.status).toBe(409);
      const why = await refused.text();
      expect(JSON.parse(why).error.code).toBe("blocked_time");
      expect(await slots(two)).not.toContain(at("10:00"));
      // Clinic 2's week shows a busy block, without clinic 1's appointment, patient, type or title.
      const week = await two.doctor.get(`/api/blocked-times?from=${at("00:00")}&to=${at("23:59")}&doctorId=${two.doctorId}`);
      expect(week.status).toBe(200);
      const shown = await week.text();
      expect(JSON.parse(shown).blockedTimes).toEqual([expect.objectContaining({ start: at("10:00"), end: at("10:30"), label: "", source: h.name })]);
      const [row] = await blocksOf(two);
      expect(row).toMatchObject({ clinic_id: two.f.clinic.id, doctor_id: two.doctorId, label: "" });
      for (const text of [why, shown])
        for (const secret of [a1.id, one.f.clinic.id, one.doctorId, one.f.patients[0].name, "Patient Appointment", "chest pain", "in_person", "video"]) expect(text).not.toContain(secret);

      // Clinic 2's own appointment is still never a busy block (here), and is one in clinic 1.
      const a2 = await book(two, at("11:00"), at("11:30"));
      await h.settle(two.doctorId);
      await poll(two);
      await poll(one);
      expect((await blocksOf(two)).map(span)).toEqual([[at("10:00"), at("10:30")]]);
      expect((await blocksOf(one)).map(span)).toEqual([[at("11:00"), at("11:30")]]);

      // A full listing keeps the block (the other clinic's event is seen, not "ours").
      await forgetCursor(two);
      await poll(two);
      expect((await blocksOf(two)).map(span)).toEqual([[at("10:00"), at("10:30")]]);

      // Clinic 1 moves its appointment: the block follows at the next read.
      const moved = await one.doctor.patch(`/api/appointments/${a1.id}`, { version: a1.version, start: at("14:00"), end: at("14:30") });
      expect(moved.status).toBe(200);
      await h.settle(one.doctorId);
      await poll(two);
      expect((await blocksOf(two)).map(span)).toEqual([[at("14:00"), at("14:30")]]);
      expect(await slots(two)).toContain(at("10:00"));

      // Clinic 2's daily reconciliation neither adopts nor deletes clinic 1's event.
      await env.DB.prepare("UPDATE calendar_integrations SET reconciled_at = 1 WHERE id = ?").bind(two.integrationId).run();
      await poll(two);
      expect((await h.ourEvents(one)).map((e) => e.appointmentId).sort()).toEqual([a1.id, a2.id].sort());
      expect(await env.DB.prepare("SELECT count(*) AS n FROM appointment_links WHERE integration_id = ? AND appointment_id = ?").bind(two.integrationId, a1.id).first<any>()).toEqual({ n: 0 });

      // Clinic 1 cancels: the block is gone from clinic 2 at the next read.
      const cancelled = await one.doctor.post(`/api/appointments/${a1.id}/cancel`, { version: (await moved.json<any>()).appointment.version });
      expect(cancelled.status).toBe(200);
      await h.settle(one.doctorId);
      await poll(two);
      expect(await blocksOf(two)).toEqual([]);
      expect(await slots(two)).toContain(at("14:00"));
    }, SLOW);

    it("disconnecting clinic 2 with 'remove events' removes only clinic 2's events", async () => {
      const one = await h.connect();
      const two = await h.connectSameAccount(one);
      const a1 = await book(one, at("09:00"), at("09:30"));
      const b1 = await book(one, at("15:00"), at("15:30"));
      const a2 = await book(two, at("13:00"), at("13:30"));
      await h.settle(one.doctorId);
      await h.settle(two.doctorId);
      await poll(two);
      expect((await blocksOf(two)).map(span)).toEqual([[at("09:00"), at("09:30")], [at("15:00"), at("15:30")]]);
      const res = await two.doctor.delete(`/api/integrations/${two.integrationId}?removeEvents=true`);
      expect(res.status).toBe(200);
      expect(await res.json<any>()).toMatchObject({ disconnected: true, removedEvents: 1, problems: [] });
      await h.settle(two.doctorId);
      await poll(one);
      // Clinic 2's event (a2) is gone from the shared calendar; clinic 1's two are still there.
      const left = (await h.ourEvents(one)).map((e) => e.appointmentId);
      expect(left).not.toContain(a2.id);
      expect(left.sort()).toEqual([a1.id, b1.id].sort());
      expect(await blocksOf(two)).toEqual([]);
      // Clinic 1 knows nothing of it: its appointments are still linked, nothing re-created.
      expect(await env.DB.prepare("SELECT count(*) AS n FROM appointment_links WHERE integration_id = ? AND state = 'synced'").bind(one.integrationId).first<any>()).toEqual({ n: 2 });
    }, SLOW);
  });
}
