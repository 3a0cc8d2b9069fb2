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
    // Nothing of the calendar paints over the sheet: no phone tap highlight on the tapped block
    // (it showed as a light-blue box over the sheet's rows) …
    expect(await eventEl(page, BOB).first().evaluate((e) => getComputedStyle(e).getPropertyValue("-webkit-tap-highlight-color"))).toBe("rgba(0, 0, 0, 0)");
    // … and every point of the sheet belongs to the sheet.
    const covered = await sheet.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const misses: string[] = [];
      // Inset by the rounded corners' radius: outside a corner's curve is rightly the calendar.
      for (let y = r.top + 16; y < r.bottom - 2; y += 24)
        for (let x = r.left + 16; x < r.right - 16; x += 24) {
          const hit = document.elementFromPoint(x, y);
          if (!hit || !el.contains(hit)) misses.push(`${x},${y}:${hit?.className}`);
        }
      return misses;
    });
    expect(covered).toEqual([]);
  });
});
