// Our own Outlook events must never become busy blocks. Delta answers carry no extended
// properties, so an event of ours read before its link existed (a create whose answer was
// lost: the same run's delta read sees it before the retried POST links it; a reconnect
// whose orphan deletes were rate-limited) was stored as a block; once linked it skipped the
// busy store and a full listing counted it as "seen", so the block stayed at the old time
// for good, even after the appointment moved or was cancelled, and that slot could not be booked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { PROP_APPOINTMENT } from "../../../worker/providers/microsoft/mapping";
import { blockExternalId } from "../../../worker/sync/busy-store";
import { json } from "../../helpers";
import { at, blocks, book, connectDoctor, DAY, emu, env, hubOf, link, settle, type Connected } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGraphEmulator(emu)));
afterAll(() => uninstall());

const slots = async (c: Connected) => (await json(await c.doctor.get(`/api/availability?doctorId=${c.doctorId}&from=${DAY}&to=${DAY}`))).slots.map((s: any) => s.start);

async function move(c: Connected, id: string, version: number, start: string, end: string) {
  const res = await c.doctor.patch(`/api/appointments/${id}`, { version, start: at(start), end: at(end) });
  expect(res.status).toBe(200);
  return (await json(res)).appointment as { version: number };
}

describe("Outlook: our own events are never busy blocks", () => {
  it("an event of ours read while it has no link (delta: no extended properties) is not stored as a busy block", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "10:00", "10:30");
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toEqual([]);
    // The link is not there when the calendar is read (a create whose answer was lost and whose
    // retry has not run yet; a reconnect after a disconnect): a full delta round of the window.
    await env.DB.batch([
      env.DB.prepare("DELETE FROM appointment_links WHERE appointment_id = ?").bind(appt.id),
      env.DB.prepare("DELETE FROM sync_outbox WHERE appointment_id = ?").bind(appt.id),
      env.DB.prepare("UPDATE integration_calendars SET sync_cursor = NULL, last_polled_at = 0 WHERE integration_id = ?").bind(c.integrationId),
    ]);
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    expect(emu.eventsOf(c.email).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()) === appt.id)).toHaveLength(1);
    expect(await blocks(c.doctorId)).toEqual([]);
  });

  it("a block stored earlier for an event of ours goes at the next read of that event, and a full listing does not keep it", async () => {
    const c = await connectDoctor();
    const appt = await book(c, "13:00", "13:30");
    await settle(c.doctorId);
    const eventId = (await link(appt.id)).external_id as string;
    const stale = (id: string) =>
      env.DB.prepare(
        `INSERT INTO blocked_times (id, clinic_id, doctor_id, start_ms, end_ms, source, label, all_day, integration_id, external_id, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'microsoft', '', 0, ?, ?, 'system:microsoft-sync', 0, 0)`,
      ).bind(id, c.f.clinic.id, c.doctorId, Date.parse(at("13:00")), Date.parse(at("13:30")), c.integrationId, blockExternalId(c.calendarId, eventId)).run();
    // Incremental: the appointment moves, Outlook's delta brings our (linked) event back.
    await stale("0".repeat(31) + "1");
    expect(await blocks(c.doctorId)).toHaveLength(1);
    await move(c, appt.id, appt.version, "14:00", "14:30");
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toEqual([]);
    expect(await slots(c)).toContain(at("13:00"));
    // Full listing (a new delta round of the window).
    await stale("0".repeat(31) + "2");
    await env.DB.prepare("UPDATE integration_calendars SET sync_cursor = NULL, last_polled_at = 0 WHERE integration_id = ?").bind(c.integrationId).run();
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    expect(await blocks(c.doctorId)).toEqual([]);
  });
});
