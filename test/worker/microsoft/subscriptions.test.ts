// Issue 17: a subscription Microsoft ends early went unnoticed until its stored expiry.
// When a renewal (404 on PATCH) or a lifecycle notification (subscriptionRemoved) says it is
// gone, the engine subscribes again at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { connectDoctor, emu, env, hubOf, settle } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGraphEmulator(emu)));
afterAll(() => uninstall());

const stored = (integrationId: string) =>
  env.DB.prepare("SELECT channel_id, channel_expires_at FROM integration_calendars WHERE integration_id = ? AND channel_id IS NOT NULL").bind(integrationId).all<any>().then((r) => r.results);

describe("Outlook subscriptions ended early by Microsoft", () => {
  it("the renewal PATCH answers 404 → a new subscription at once, and the calendar is read for what was missed", async () => {
    const c = await connectDoctor();
    const [sub] = emu.activeSubscriptions(c.email);
    // Microsoft drops it without telling us (no lifecycle notification reaches us).
    emu.subscription(sub.id)!.deleted = true;
    await env.DB.prepare("UPDATE integration_calendars SET channel_expires_at = ? WHERE channel_id = ?").bind(Date.now() + 12 * 3600_000, sub.id).run();
    const deltas = emu.apiRequests().filter((r) => r.url.includes("/calendarView/delta")).length;
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    const live = emu.activeSubscriptions(c.email);
    expect(live).toHaveLength(1);
    expect(live[0].id).not.toBe(sub.id);
    expect((await stored(c.integrationId)).map((r: any) => r.channel_id)).toEqual([live[0].id]);
    expect(emu.apiRequests().filter((r) => r.url.includes("/calendarView/delta")).length).toBeGreaterThan(deltas);
  });

  it("subscriptionRemoved → a new subscription in the same run, not at the stored expiry", async () => {
    const c = await connectDoctor();
    const [sub] = emu.activeSubscriptions(c.email);
    expect(await emu.lifecycle(sub.id, "subscriptionRemoved")).toBe(202);
    await settle(c.doctorId);
    const live = emu.activeSubscriptions(c.email);
    expect(live).toHaveLength(1);
    expect(live[0].id).not.toBe(sub.id);
    const [row] = await stored(c.integrationId);
    expect(row.channel_id).toBe(live[0].id);
    expect(row.channel_expires_at).toBeGreaterThan(Date.now() + 24 * 3600_000);
  });
});
