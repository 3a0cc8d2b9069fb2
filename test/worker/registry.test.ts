// The composition root's slots (worker/registry.ts): the core reads what worker/features.ts
// registered, and an entry that never registered fails loudly rather than, say, booking an
// appointment with no invite, reminder or sync.
import { describe, expect, it } from "vitest";
import { registrySlot } from "../../worker/registry";
import { changeEffects } from "../../worker/appointments/effects";
import { hubWork } from "../../worker/hub/work";
import { changeEffects as listedEffects, hubWork as listedWork } from "../../worker/features";

describe("registry slots", () => {
  it("an empty slot throws and names what is missing; a filled one returns what was set", () => {
    const slot = registrySlot<string[]>("test things");
    expect(() => slot.get()).toThrow("no test things registered: call registerFeatures() (worker/features.ts) first");
    slot.set(["a"]);
    expect(slot.get()).toEqual(["a"]);
  });

  it("the worker's core runs exactly what features.ts lists (the test set-up registers it, as index.ts does)", () => {
    expect(changeEffects()).toBe(listedEffects);
    expect(hubWork()).toBe(listedWork);
  });
});
