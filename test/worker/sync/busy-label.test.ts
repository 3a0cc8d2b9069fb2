// The label an imported busy block may carry (pure function, table-driven).
import { describe, expect, it } from "vitest";
import { BUSY_LABEL_MAX, busyLabelOf } from "../../../worker/sync/busy-label";

describe("busyLabelOf", () => {
  it.each([
    ["none", "Lunch with Mia", ""],
    [undefined, "Lunch with Mia", ""],
    ["description", "Lunch with Mia", ""], // unknown settings never leak a title
    ["title", "Lunch with Mia", "Lunch with Mia"],
    ["title", "  Lunch \t with\n\nMia  ", "Lunch with Mia"],
    ["title", "School\u0000run\u0007", "School run"],
    ["title", "", ""],
    ["title", null, ""],
    ["title", "   ", ""],
  ])("setting %s, title %j → %j", (setting, title, want) => {
    expect(busyLabelOf(setting, title)).toBe(want);
  });

  it("cuts long titles to the maximum, by character (no half emoji)", () => {
    expect(busyLabelOf("title", "x".repeat(200))).toBe("x".repeat(BUSY_LABEL_MAX));
    const emoji = "😀".repeat(BUSY_LABEL_MAX + 5);
    const got = busyLabelOf("title", emoji);
    expect([...got]).toHaveLength(BUSY_LABEL_MAX);
    expect(got).toBe("😀".repeat(BUSY_LABEL_MAX));
  });
});
