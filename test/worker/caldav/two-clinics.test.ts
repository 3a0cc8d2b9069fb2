// A doctor in two clinics sharing one CalDAV calendar, on the real Radicale
// (test/worker/sync/scenarios/two-clinics.ts): the same account, connected from a second clinic.
import { twoClinicsScenarios } from "../sync/scenarios/two-clinics";
import { caldavLifecycle, davUserOf } from "./provider-harness";
import { authed, makeClinic } from "../../helpers";
import { env } from "../sync/scenarios/provider";

twoClinicsScenarios({
  ...caldavLifecycle,
  async connectSameAccount(first) {
    const dav = davUserOf(first.doctorId);
    const f = await makeClinic({ timeZone: "Europe/London" });
    const d = f.doctors[0];
    const doctor = authed(d.token);
    const res = await doctor.post("/api/integrations/caldav/connect", { kind: "other", serverUrl: dav.base, username: dav.user, password: dav.password });
    if (res.status !== 201) throw new Error(`connect: ${res.status} ${await res.text()}`);
    await caldavLifecycle.settle(d.doctor.id);
    const row = await env.DB.prepare("SELECT id FROM calendar_integrations WHERE doctor_id = ?").bind(d.doctor.id).first<{ id: string }>();
    return { f, doctorId: d.doctor.id, userId: d.user.id, doctor, integrationId: row!.id, account: first.account };
  },
});
