// A doctor in two clinics sharing one Google calendar (test/worker/sync/scenarios/two-clinics.ts).
import { twoClinicsScenarios } from "../sync/scenarios/two-clinics";
import { connectSameAccountThroughOAuth } from "../sync/scenarios/provider";
import { googleLifecycle } from "./provider-harness";
import { emu, settle } from "./harness";

twoClinicsScenarios({
  ...googleLifecycle,
  async connectSameAccount(first) {
    const c = await connectSameAccountThroughOAuth(first, "google", (url, account) => emu.consent(url, account));
    await settle(c.doctorId);
    return c;
  },
});
