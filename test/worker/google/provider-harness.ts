// Google as a ProviderHarness for the provider-neutral engine scenarios
// (test/worker/sync/scenarios): the Calendar v3 emulator, and the doctor acting in
// Google Calendar's own UI through the emulator's user* methods.
import { installGoogleEmulator } from "../../fakes/google/router";
import { reconnectThroughOAuth, type ConnectedDoctor, type ProviderHarness } from "../sync/scenarios/provider";
import { connectDoctor, emu, settle } from "./harness";
import type { LifecycleHarness } from "../sync/scenarios/lifecycle";
import { PROP_APPOINTMENT } from "../../../worker/providers/google/mapping";

const reconnect = (c: ConnectedDoctor) => reconnectThroughOAuth(c, "google", (url, account) => emu.consent(url, account));

export const google: ProviderHarness = {
  name: "google",
  hasPush: true,
  install: () => installGoogleEmulator(emu),
  async connect() {
    const c = await connectDoctor();
    return { f: c.f, doctorId: c.doctorId, userId: c.userId, doctor: c.doctor, integrationId: c.integrationId, account: c.email };
  },
  reconnect,
  settle: (doctorId) => settle(doctorId),
  mark: () => emu.requests.length,
  requestsSince: (c, mark) => emu.requestsOf(c.account, mark).map((r) => ({ method: r.method, url: r.url })),
  isChannelRequest: (r) => /\/events\/watch$|\/channels\/stop$/.test(new URL(r.url).pathname),
  event(c, id) {
    const ev = emu.event(c.account, id);
    if (!ev) return undefined;
    return { startMs: Date.parse(ev.start.dateTime), endMs: Date.parse(ev.end.dateTime), cancelled: ev.status === "cancelled" };
  },
  setPageSize: (n) => void (emu.pageSize = n),
  rateLimit: (c, seconds) => emu.rateLimit(c.account, seconds),
  losePush: (c, lost) => emu.losePush(c.account, lost),
  user: {
    addBusy: (c, s, e, title = "Busy") => void emu.userInsert(c.account, { summary: title, start: { dateTime: s }, end: { dateTime: e } }),
    move: (c, id, s, e) => void emu.userPatch(c.account, id, { start: { dateTime: s, timeZone: "Europe/London" }, end: { dateTime: e, timeZone: "Europe/London" } }),
  },
  async replayNotification(c) {
    const ch = emu.activeChannels().find((x) => x.account === c.account)!;
    await emu.renotify(ch.id, "exists", ch.messageNumber);
  },
};

/** Google for the lifecycle scenarios (test/worker/sync/scenarios/lifecycle.ts). */
export const googleLifecycle: LifecycleHarness = {
  name: "google",
  install: google.install,
  connect: google.connect,
  reconnect,
  settle: google.settle,
  apiHost: () => "google.test",
  async ourEvents(c) {
    return emu
      .events(c.account)
      .filter((e) => e.status !== "cancelled" && e.extendedProperties?.private?.[PROP_APPOINTMENT])
      .map((e) => ({ appointmentId: e.extendedProperties.private[PROP_APPOINTMENT], startMs: Date.parse(e.start.dateTime), endMs: Date.parse(e.end.dateTime) }));
  },
  async move(c, id, s, e) {
    google.user.move(c, id, s, e);
  },
};
