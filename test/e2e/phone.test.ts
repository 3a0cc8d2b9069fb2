// Phone (390×844, touch): day view by default, swipe left/right changes the day, and an
// appointment opens as a bottom sheet.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventEl, launch, logIn, newContext, PHONE, screenshot } from "./browser";

let browser: Browser;
let page: Page;
const BOB = "f1".repeat(16);

const dayTitle = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** A finger swipe across the calendar, as touch events (what a phone browser sends). */
async function swipe(dx: number) {
  await page.getByTestId("calendar").evaluate((el, dx) => {
    const r = el.getBoundingClientRect();
    const x0 = r.left + r.width / 2 - dx / 2;
    const y = r.top + r.height / 2;
    const t = (x: number) => new Touch({ identifier: 1, target: el, clientX: x, clientY: y });
    el.dispatchEvent(new TouchEvent("touchstart", { touches: [t(x0)], changedTouches: [t(x0)], bubbles: true }));
    el.dispatchEvent(new TouchEvent("touchmove", { touches: [t(x0 + dx / 2)], changedTouches: [t(x0 + dx / 2)], bubbles: true }));
    el.dispatchEvent(new TouchEvent("touchend", { touches: [], changedTouches: [t(x0 + dx)], bubbles: true }));
  }, dx);
}

beforeAll(async () => {
  browser = await launch();
  page = await (await newContext(browser, PHONE)).newPage();
  await logIn(page);
});
afterAll(async () => browser?.close());

describe("phone", () => {
  it("opens on the day view of today", async () => {
    await expect.poll(() => page.getByRole("radio", { name: "Day" }).getAttribute("aria-checked")).toBe("true");
    await expect.poll(() => page.getByTestId("range-title").textContent()).toBe(dayTitle(0));
    await eventEl(page, BOB).first().waitFor();
    await screenshot(page, "phone-day");
  });

  it("swipes left to tomorrow and right back to today", async () => {
    await swipe(-200);
    await expect.poll(() => page.getByTestId("range-title").textContent()).toBe(dayTitle(1));
    await swipe(200);
    await expect.poll(() => page.getByTestId("range-title").textContent()).toBe(dayTitle(0));
    // A short movement (a tap or a wobble while scrolling) does not change the day.
    await swipe(30);
    await page.waitForTimeout(200);
    expect(await page.getByTestId("range-title").textContent()).toBe(dayTitle(0));
  });

  it("opens an appointment as a bottom sheet", async () => {
    await eventEl(page, BOB).first().tap();
    const sheet = page.getByTestId("appointment-panel");
    await sheet.waitFor();
    const box = (await sheet.boundingBox())!;
    expect(Math.round(box.y + box.height)).toBe(844);
    expect(Math.round(box.width)).toBe(390);
    await screenshot(page, "phone-sheet");
  });
});
