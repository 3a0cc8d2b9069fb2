// Outlook (the Graph emulator) as a LifecycleHarness for the provider-neutral lifecycle
// scenarios (test/worker/sync/scenarios/lifecycle.ts); the doctor acts in Outlook through
// the emulator's user* methods.
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { GRAPH_TEST_HOST } from "../../fakes/microsoft/emulator";
import { PROP_APPOINTMENT } from "../../../worker/providers/microsoft/mapping";
import type { ConnectedDoctor } from "../sync/scenarios/provider";
import type { LifecycleHarness } from "../sync/scenarios/lifecycle";
import { connectDoctor, emu, env, settle } from "./harness";

const ours = (c: ConnectedDoctor) => emu.eventsOf(c.account).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()) && !e.data.isCancelled);

export const microsoftLifecycle: LifecycleHarness = {
  name: "microsoft",
  install: () => installGraphEmulator(emu),
  async connect() {
    const c = await connectDoctor();
    return { f: c.f, doctorId: c.doctorId, userId: c.userId, doctor: c.doctor, integrationId: c.integrationId, account: c.email };
  },
  async reconnect(c) {
    const start = await c.doctor.post("/api/integrations/microsoft/connect", {});
    const { authorizeUrl } = await start.json<any>();
    const back = await emu.consent(authorizeUrl, c.account);
    const cb = await c.doctor(back.pathname + back.search, { method: "GET", redirect: "manual" });
    if (cb.status !== 302) throw new Error(`callback: ${cb.status} ${await cb.text()}`);
    const row = await env.DB.prepare("SELECT id FROM calendar_integrations WHERE doctor_id = ?").bind(c.doctorId).first<{ id: string }>();
    c.integrationId = row!.id;
  },
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
