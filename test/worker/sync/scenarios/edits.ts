// Engine scenarios, provider-neutral (issue 9): what an edit costs and how a move made
// at the provider is judged. Called by each provider's test file with its harness.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, book, env, noticesOf, SATURDAY, type ProviderHarness } from "./provider";

const writesOf = (rs: { method: string; url: string }[]) => rs.filter((r) => r.method !== "GET");

export function editScenarios(h: ProviderHarness) {
  describe(`${h.name} engine scenarios: edit costs and provider moves`, () => {
    let uninstall: () => void;
    beforeAll(() => (uninstall = h.install()));
    afterAll(() => uninstall());

    describe(`${h.name}: writes only when something the provider shows changed`, () => {
      it("a notes-, reason- or patient-only edit → 0 provider requests; the link still records the new version", async () => {
        const c = await h.connect();
        const a = await book(c, at("09:00"), at("09:30"));
        await h.settle(c.doctorId);
        const mark = h.mark();
        const res = await c.doctor.patch(`/api/appointments/${a.id}`, { version: a.version, notes: "Now also allergic to latex", reason: "Follow-up", patientId: c.f.patients[1].id });
        expect(res.status).toBe(200);
        const v = (await res.json<any>()).appointment.version;
        await h.settle(c.doctorId);
        expect(h.requestsSince(c, mark)).toEqual([]);
        const link = await env.DB.prepare("SELECT state, synced_version FROM appointment_links WHERE appointment_id = ?").bind(a.id).first<any>();
        expect(link).toEqual({ state: "synced", synced_version: v });
        // A status change is shown (colour / category): that one is written.
        expect((await c.doctor.patch(`/api/appointments/${a.id}`, { version: v, status: "confirmed" })).status).toBe(200);
        await h.settle(c.doctorId);
        expect(writesOf(h.requestsSince(c, mark))).toHaveLength(1);
      });

      it.skipIf(!h.replayNotification)("a replayed notification costs at most one cursor read", async () => {
        const c = await h.connect();
        await book(c, at("10:00"), at("10:30"));
        await h.settle(c.doctorId);
        const mark = h.mark();
        await h.replayNotification!(c);
        await h.settle(c.doctorId);
        const calls = h.requestsSince(c, mark);
        expect(calls.length).toBeLessThanOrEqual(1);
        expect(writesOf(calls)).toEqual([]);
      });
    });

    describe(`${h.name}: a move made at the provider is judged like the doctor's own edit`, () => {
      it("moved to a Saturday (outside working hours) → ACMS keeps its time, the provider is set back, the doctor is told", async () => {
        const c = await h.connect();
        const a = await book(c, at("09:00"), at("09:30"));
        await h.settle(c.doctorId);
        h.user.move(c, a.id, at("10:00", SATURDAY), at("10:30", SATURDAY));
        await h.settle(c.doctorId);
        const cur = (await (await c.doctor.get(`/api/appointments/${a.id}`)).json<any>()).appointment;
        expect(cur).toMatchObject({ start: at("09:00"), end: at("09:30"), version: a.version });
        expect(h.event(c, a.id)).toMatchObject({ startMs: Date.parse(at("09:00")), endMs: Date.parse(at("09:30")), cancelled: false });
        const [n] = await noticesOf(c.userId, "sync_rejected");
        expect(n.message).toContain("working hours");
        expect(await noticesOf(c.userId, "sync_moved")).toHaveLength(0);
        // An evening on a weekday (19:00) is refused the same way.
        h.user.move(c, a.id, at("19:00"), at("19:30"));
        await h.settle(c.doctorId);
        expect((await (await c.doctor.get(`/api/appointments/${a.id}`)).json<any>()).appointment.start).toBe(at("09:00"));
        expect(h.event(c, a.id)).toMatchObject({ startMs: Date.parse(at("09:00")) });
        expect(await noticesOf(c.userId, "sync_rejected")).toHaveLength(2);
        // No e-mail to the patient for a move that did not happen.
        const mails = (await env.DB.prepare("SELECT method FROM email_outbox WHERE appointment_id = ?").bind(a.id).all<any>()).results;
        expect(mails.map((m: any) => m.method)).toEqual(["REQUEST"]);
      });

      it("an accepted move → the doctor and the front desk get a notice, the patient's invite goes out as an update (REQUEST, SEQUENCE+1)", async () => {
        const c = await h.connect();
        const a = await book(c, at("09:00"), at("09:30"));
        await h.settle(c.doctorId);
        h.user.move(c, a.id, at("14:00"), at("14:30"));
        await h.settle(c.doctorId);
        const cur = (await (await c.doctor.get(`/api/appointments/${a.id}`)).json<any>()).appointment;
        expect(cur).toMatchObject({ start: at("14:00"), end: at("14:30") });
        const [toDoctor] = await noticesOf(c.userId, "sync_moved");
        expect(toDoctor).toMatchObject({ entity_type: "appointment", entity_id: a.id });
        const [toDesk] = await noticesOf(c.f.receptionist.user.id, "sync_moved");
        expect(toDesk).toMatchObject({ entity_id: a.id });
        expect(toDesk.message).not.toMatch(/chest|penicillin/i); // a notice, not a PHI leak
        const mails = (await env.DB.prepare("SELECT method, sequence FROM email_outbox WHERE appointment_id = ? ORDER BY id").bind(a.id).all<any>()).results;
        expect(mails).toEqual([
          { method: "REQUEST", sequence: a.version - 1 },
          { method: "REQUEST", sequence: cur.version - 1 },
        ]);
        expect(cur.version).toBe(a.version + 1);
        expect((await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'sync.moved'").bind(a.id).first<any>()).n).toBe(1);
      });
    });
  });
}
