// An appointment beyond the sync window (400 days ahead) is not in the daily reconciliation's
// listing of our events: it was reported "missing … put back" every day and written again
// without an etag (insert → 409 → GET → PATCH, overwriting whatever the doctor had changed).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGoogleEmulator } from "../../fakes/google/router";
import { json } from "../../helpers";
import { connectDoctor, emu, env, hubOf, PHI, settle } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

describe("Google: an appointment beyond the sync window", () => {
  it("500 days ahead, synced, then the daily reconciliation: no notice, no new event, no write", async () => {
    const c = await connectDoctor();
    const res = await c.doctor.post("/api/appointments", {
      doctorId: c.doctorId,
      patientId: c.f.patients[0].id,
      start: "2028-04-24T09:00:00.000Z",
      end: "2028-04-24T09:30:00.000Z",
      reason: PHI.reason,
      notes: PHI.notes,
    });
    expect(res.status).toBe(201);
    const appt = (await json(res)).appointment as { id: string };
    await settle(c.doctorId);
    const l = await env.DB.prepare("SELECT * FROM appointment_links WHERE appointment_id = ?").bind(appt.id).first<any>();
    expect(l.state).toBe("synced");
    const before = emu.event(c.email, l.external_id)!;
    expect(before.status).not.toBe("cancelled");
    await env.DB.batch([
      env.DB.prepare("UPDATE appointment_links SET updated_at = updated_at - 600000 WHERE appointment_id = ?").bind(appt.id),
      env.DB.prepare("UPDATE calendar_integrations SET reconciled_at = ? WHERE id = ?").bind(Date.now() - 25 * 3600_000, c.integrationId),
    ]);
    const mark = emu.requests.length;
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    const reconciled = await env.DB.prepare("SELECT reconciled_at FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<number>("reconciled_at");
    expect(reconciled!).toBeGreaterThan(Date.now() - 3600_000);
    const recreated = await env.DB.prepare("SELECT * FROM notices WHERE user_id = ? AND kind = 'sync_recreated'").bind(c.userId).all();
    expect(recreated.results).toEqual([]);
    const writes = emu.requestsOf(c.email, mark).filter((r) => r.method !== "GET" && /\/events(\/|$|\?)/.test(new URL(r.url).pathname + "?") && !/\/watch$/.test(new URL(r.url).pathname));
    expect(writes.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([]);
    expect(emu.event(c.email, l.external_id)!.etag).toBe(before.etag);
  });
});
