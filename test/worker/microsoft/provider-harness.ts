// Outlook (the Graph emulator) as a LifecycleHarness for the provider-neutral lifecycle
// scenarios (test/worker/sync/scenarios/lifecycle.ts); the doctor acts in Outlook through
// the emulator's user* methods.
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { GRAPH_TEST_HOST } from "../../fakes/microsoft/emulator";
import { PROP_APPOINTMENT } from "../../../worker/providers/microsoft/mapping";
import { reconnectThroughOAuth, type ConnectedDoctor } from "../sync/scenarios/provider";
import type { LifecycleHarness } from "../sync/scenarios/lifecycle";
import { connectDoctor, emu, settle } from "./harness";

const ours = (c: ConnectedDoctor) => emu.eventsOf(c.account).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()) && !e.data.isCancelled);

export const microsoftLifecycle: LifecycleHarness = {
  name: "microsoft",
  install: () => installGraphEmulator(emu),
  async connect() {
    const c = await connectDoctor();
    return { f: c.f, doctorId: c.doctorId, userId: c.userId, doctor: c.doctor, integrationId: c.integrationId, account: c.email };
  },
  reconnect: (c) => reconnectThroughOAuth(c, "microsoft", (url, account) => emu.consent(url, account)),
  settle: (doctorId) => settle(doctorId),
  apiHost: () => GRAPH_TEST_HOST,
  async ourEvents(c) {
    return ours(c).map((e) => ({ appointmentId: e.props.get(PROP_APPOINTMENT.toLowerCase())!, startMs: e.startMs, endMs: e.endMs }));
  },
  async move(c, appointmentId, start, end) {
    const e = ours(c).find((x) => x.props.get(PROP_APPOINTMENT.toLowerCase()) === appointmentId);
    if (!e) throw new Error(`no event of ours for ${appointmentId}`);
    emu.userPatch(e.id, { start, end });
  },
};
