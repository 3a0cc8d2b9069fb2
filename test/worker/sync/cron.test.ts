// The cron only wakes doctors whose synced calendars need attention.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGoogleEmulator } from "../../fakes/google/router";
import { doctorsNeedingSync, syncCron } from "../../../worker/sync/cron";
import { connectDoctor, emu, env, settle } from "../google/harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

describe("sync cron", () => {
  it("leaves a healthy doctor alone (unselected calendars do not count) and wakes one with a lost channel", async () => {
    const c = await connectDoctor(); // has an unselected "Family" calendar without a channel
    await settle(c.doctorId);
    expect(await doctorsNeedingSync(env, Date.now())).not.toContain(c.doctorId);
    const before = emu.apiRequests().length;
    await syncCron(env, Date.now());
    await settle(c.doctorId);
    expect(emu.apiRequests().length).toBe(before);
    await env.DB.prepare("UPDATE integration_calendars SET channel_id = NULL, channel_expires_at = NULL WHERE integration_id = ? AND calendar_id = ?")
      .bind(c.integrationId, c.email)
      .run();
    expect(await doctorsNeedingSync(env, Date.now())).toContain(c.doctorId);
    await syncCron(env, Date.now());
    await settle(c.doctorId);
    const watches = emu.apiRequests().slice(before).filter((r) => r.url.includes("/events/watch"));
    expect(watches).toHaveLength(1);
  });
});
