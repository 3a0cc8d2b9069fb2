// Channel expiry is Google's word too (issue 9): X-Goog-Channel-Expiration from
// notifications lowers the stored expiry; a channel past it, or one whose resource
// Google says is gone, is replaced.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGoogleEmulator } from "../../fakes/google/router";
import { at, connectDoctor, emu, env, hubOf, settle } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGoogleEmulator(emu)));
afterAll(() => uninstall());

const calRow = (integrationId: string, calendarId: string) =>
  env.DB.prepare("SELECT * FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(integrationId, calendarId).first<any>();

describe("Google push channels judged by Google's expiration", () => {
  it("a notification saying the channel ends sooner lowers our expiry; within a day of it the channel is renewed", async () => {
    const c = await connectDoctor();
    const ch = emu.activeChannels().find((x) => x.account === c.email)!;
    // From watch, then the handshake's header (HTTP dates have whole seconds).
    expect(Math.abs((await calRow(c.integrationId, c.email)).channel_expires_at - ch.expiration)).toBeLessThan(1000);
    const soon = Date.now() + 2 * 3600_000;
    emu.setChannelExpiration(ch.id, soon);
    emu.userInsert(c.email, { summary: "x", start: { dateTime: at("12:00") }, end: { dateTime: at("13:00") } });
    await settle(c.doctorId);
    expect(emu.channel(ch.id)!.stopped).toBe(true);
    const row = await calRow(c.integrationId, c.email);
    expect(row.channel_id).not.toBe(ch.id);
    expect(emu.activeChannels().filter((x) => x.account === c.email).map((x) => x.id)).toEqual([row.channel_id]);
  });

  it("a channel past its expiration is gone: the next run polls and opens a new one", async () => {
    const c = await connectDoctor();
    const old = (await calRow(c.integrationId, c.email)).channel_id;
    await env.DB.prepare("UPDATE integration_calendars SET channel_expires_at = ? WHERE integration_id = ?").bind(Date.now() - 1, c.integrationId).run();
    emu.losePush(c.email); // its notifications would not count anyway
    emu.userInsert(c.email, { summary: "x", start: { dateTime: at("12:00") }, end: { dateTime: at("13:00") } });
    await hubOf(c.doctorId).kick(c.doctorId);
    await settle(c.doctorId);
    emu.losePush(c.email, false);
    const row = await calRow(c.integrationId, c.email);
    expect(row.channel_id).not.toBe(old);
    expect(row.channel_expires_at).toBeGreaterThan(Date.now());
    expect((await env.DB.prepare("SELECT count(*) AS n FROM blocked_times WHERE integration_id = ?").bind(c.integrationId).first<any>()).n).toBe(1);
  });

  it("an unparseable or huge X-Goog-Channel-Expiration is ignored", async () => {
    const c = await connectDoctor();
    const ch = emu.activeChannels().find((x) => x.account === c.email)!;
    const before = (await calRow(c.integrationId, c.email)).channel_expires_at;
    const { worker } = await import("../../fakes/google/router");
    for (const exp of ["not a date", "x".repeat(5000)]) {
      const res = await worker.fetch(
        new Request("https://acms.test/api/webhooks/google", {
          method: "POST",
          headers: { "x-goog-channel-id": ch.id, "x-goog-channel-token": ch.token!, "x-goog-resource-id": ch.resourceId, "x-goog-resource-state": "exists", "x-goog-channel-expiration": exp },
        }),
      );
      expect(res.status).toBe(204);
    }
    await settle(c.doctorId);
    expect((await calRow(c.integrationId, c.email)).channel_expires_at).toBe(before);
  });
});
