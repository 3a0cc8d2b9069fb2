// Appointments beyond the sync window (7 days back to 400 days ahead). The daily
// reconciliation lists our events of that window only, so an appointment 500 days ahead
// is never in its listing: it was reported "missing … put back" every day and, at Outlook,
// written again with a new transactionId → a second event every day. The create look-up
// (client.ts findOurs) also trusted that windowed listing for such appointments.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { PROP_APPOINTMENT } from "../../../worker/providers/microsoft/mapping";
import { backfillStatement } from "../../../worker/sync/backfill";
import { json } from "../../helpers";
import { connectDoctor, emu, env, hubOf, link, notices, PHI, settle, type Connected } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGraphEmulator(emu)));
afterAll(() => uninstall());

/** A Monday about 500 days ahead (London summer time: 09:00 UTC is 10:00 there, inside working hours). */
const FAR = "2028-04-24";

async function bookFar(c: Connected) {
  const res = await c.doctor.post("/api/appointments", {
    doctorId: c.doctorId,
    patientId: c.f.patients[0].id,
    start: `${FAR}T09:00:00.000Z`,
    end: `${FAR}T09:30:00.000Z`,
    reason: PHI.reason,
    notes: PHI.notes,
  });
  if (res.status !== 201) throw new Error(`book: ${res.status} ${await res.text()}`);
  return (await json(res)).appointment as { id: string; version: number };
}

const ours = (c: Connected, apptId: string) => emu.eventsOf(c.email).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()) === apptId && !e.data.isCancelled);
const eventWrites = (since: number) => emu.apiRequests().slice(since).filter((r) => r.method !== "GET" && /\/events/.test(r.url));

describe("Outlook: an appointment beyond the sync window", () => {
  it("500 days ahead, synced, then the daily reconciliation: no notice, no new event, no write", async () => {
    const c = await connectDoctor();
    const appt = await bookFar(c);
    await settle(c.doctorId);
    expect(ours(c, appt.id)).toHaveLength(1);
    expect((await link(appt.id)).state).toBe("synced");
    // The link is not fresh any more, and a day has passed since the last reconciliation.
    await env.DB.batch([
      env.DB.prepare("UPDATE appointment_links SET updated_at = updated_at - 600000 WHERE appointment_id = ?").bind(appt.id),
      env.DB.prepare("UPDATE calendar_integrations SET reconciled_at = ? WHERE id = ?").bind(Date.now() - 25 * 3600_000, c.integrationId),
    ]);
    const since = emu.apiRequests().length;
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    expect((await env.DB.prepare("SELECT reconciled_at FROM calendar_integrations WHERE id = ?").bind(c.integrationId).first<number>("reconciled_at"))!).toBeGreaterThan(Date.now() - 3600_000);
    expect(await notices(c.userId, "sync_recreated")).toEqual([]);
    expect(ours(c, appt.id)).toHaveLength(1);
    expect(eventWrites(since)).toEqual([]);
    expect((await link(appt.id)).state).toBe("synced");
  });

  it("a reconnect's write without a link looks the far event up instead of trusting the windowed listing → PATCH, not a second event", async () => {
    const c = await connectDoctor();
    const appt = await bookFar(c);
    await settle(c.doctorId);
    const [ev] = ours(c, appt.id);
    expect(ev).toBeDefined();
    // Disconnected meanwhile: the links are gone, and the appointment changed (a new version,
    // so a new create would carry a new transactionId and make a second event).
    await env.DB.batch([
      env.DB.prepare("DELETE FROM appointment_links WHERE integration_id = ?").bind(c.integrationId),
      env.DB.prepare("UPDATE appointments SET version = version + 1 WHERE id = ?").bind(appt.id),
      env.DB.prepare("UPDATE calendar_integrations SET own_listing_due = 1 WHERE id = ?").bind(c.integrationId),
      backfillStatement(env, c.integrationId, c.doctorId, c.calendarId),
    ]);
    const since = emu.apiRequests().length;
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    expect(ours(c, appt.id).map((e) => e.id)).toEqual([ev.id]);
    expect(eventWrites(since).map((r) => r.method)).toEqual(["PATCH"]);
    expect((await link(appt.id))).toMatchObject({ state: "synced", external_id: ev.id });
  });
});
