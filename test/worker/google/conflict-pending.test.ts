// A conflict the calendar's move wins must not swallow ACMS's other unsynced changes: the link
// was written as synced at the new version (hash from ACMS's state), so the next drain stopped
// at synced_version >= version and the status colour never reached Google.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGoogleEmulator } from "../../fakes/google/router";
import { json } from "../../helpers";
import { at, book, connectDoctor, emu, env, hubOf, settle } from "./harness";

const notices = (userId: string, kind: string) =>
  env.DB.prepare("SELECT * FROM notices WHERE user_id = ? AND kind = ?").bind(userId, kind).all<any>().then((r) => r.results);

let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

describe("Google: the calendar's move wins a conflict", () => {
  it("status change pending, doctor moves the event in Google later → ACMS takes the time, then Google shows ACMS's status", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    expect(emu.event(c.email, appt.id)!.colorId).toBe("7"); // scheduled
    // Google is unreachable while ACMS confirms the appointment: the push waits.
    emu.injectFault({ status: 503, reason: "backendError", match: (r) => r.method === "PATCH" }, 3);
    const res = await c.doctor.patch(`/api/appointments/${appt.id}`, { version: appt.version, status: "confirmed" });
    expect(res.status).toBe(200);
    await settle(c.doctorId);
    expect(emu.event(c.email, appt.id)!.colorId).toBe("7");
    // ...then the doctor moves it in Google, later.
    emu.clockOffsetMs = 60_000;
    emu.userPatch(c.email, appt.id, { start: { dateTime: at("14:00") }, end: { dateTime: at("14:30") } });
    emu.clockOffsetMs = 0;
    await settle(c.doctorId);
    const cur = (await json(await c.doctor.get(`/api/appointments/${appt.id}`))).appointment;
    expect(cur).toMatchObject({ start: at("14:00"), end: at("14:30"), status: "confirmed" });
    expect(await notices(c.userId, "sync_conflict")).toHaveLength(1);
    // The next drain (any retry wait over) writes ACMS's status over the doctor's move.
    await env.DB.prepare("UPDATE sync_outbox SET next_attempt_at = 0 WHERE appointment_id = ? AND state = 'pending'").bind(appt.id).run();
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    const ev = emu.event(c.email, appt.id)!;
    expect(ev.start.dateTime).toBe(at("14:00"));
    expect(ev.colorId).toBe("10"); // confirmed
    const l = await env.DB.prepare("SELECT state, synced_version FROM appointment_links WHERE appointment_id = ?").bind(appt.id).first<any>();
    expect(l).toMatchObject({ state: "synced", synced_version: cur.version });
  });
});
