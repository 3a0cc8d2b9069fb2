// Issue 17: the create look-up (our event by its extended property, worker/providers/microsoft
// client.ts findOurs) must not trust $filter. If the filter is not applied (a proxy strips it,
// a Graph change), the first event returned was taken as ours: every appointment landed on one
// event and the doctor's private event was overwritten.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGraphEmulator } from "../../fakes/microsoft/router";
import { PROP_APPOINTMENT } from "../../../worker/providers/microsoft/mapping";
import { at, book, connectDoctor, emu, settle } from "./harness";

let uninstall: () => void;
beforeAll(() => (uninstall = installGraphEmulator(emu)));
afterAll(() => {
  emu.ignoreEventFilter = false;
  uninstall();
});

describe("Outlook create look-up checks our property on the result", () => {
  it("$filter not applied → the doctor's private event is untouched and each appointment gets its own event", async () => {
    const c = await connectDoctor();
    const own = emu.userCreate(c.email, { subject: "Dentist (private)", start: at("07:00"), end: at("08:00") });
    emu.ignoreEventFilter = true;
    try {
      const a = await book(c, "09:00", "09:30");
      const b = await book(c, "10:00", "10:30");
      await settle(c.doctorId);
      const mine = emu.event(own.id)!;
      expect(mine.data.subject).toBe("Dentist (private)");
      expect([mine.startMs, mine.endMs]).toEqual([Date.parse(at("07:00")), Date.parse(at("08:00"))]);
      expect(mine.props.get(PROP_APPOINTMENT.toLowerCase())).toBeUndefined();
      const ours = emu.eventsOf(c.email).filter((e) => e.props.get(PROP_APPOINTMENT.toLowerCase()));
      expect(ours.map((e) => [e.props.get(PROP_APPOINTMENT.toLowerCase()), e.startMs]).sort()).toEqual(
        [[a.id, Date.parse(at("09:00"))], [b.id, Date.parse(at("10:00"))]].sort(),
      );
    } finally {
      emu.ignoreEventFilter = false;
    }
  });
});
