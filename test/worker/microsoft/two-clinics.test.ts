// A doctor in two clinics sharing one Outlook calendar (test/worker/sync/scenarios/two-clinics.ts).
import { twoClinicsScenarios } from "../sync/scenarios/two-clinics";
import { connectSameAccountThroughOAuth } from "../sync/scenarios/provider";
import { microsoftLifecycle } from "./provider-harness";
import { emu, settle } from "./harness";

twoClinicsScenarios({
  ...microsoftLifecycle,
  async connectSameAccount(first) {
    const c = await connectSameAccountThroughOAuth(first, "microsoft", (url, account) => emu.consent(url, account));
    await settle(c.doctorId);
    return c;
  },
});
