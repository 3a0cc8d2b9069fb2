// The calendar on a phone (390×844, touch), issue #12: a one-row toolbar that leaves the
// calendar most of the screen, the week as an agenda grouped by day, the month as a compact grid
// with the selected day's list beneath, a lunch break shaded and refused with its reason, swipes
// that stay ours (never the browser's back navigation), and axe on each view.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { axeViolations } from "./axe";
import { baseURL, DESKTOP, eventEl, launch, logIn, newContext, PHONE, screenshot, slotPoint } from "./browser";
import { ids, users } from "./seed";

const DAY = 86_400_000;
const EVERY_DAY = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", "18:00"]]]));
const BOB = "f1".repeat(16); // Dr House, today 10:00, confirmed
const TOMORROWS = "f3".repeat(16); // Dr Cuddy, tomorrow 11:00, no-show

let browser: Browser;
let page: Page;
let admin: Page;

async function setHours(doctorId: string, workingHours: unknown) {
  const r = await admin.request.patch(`/api/doctors/${doctorId}`, { headers: { origin: baseURL() }, data: { workingHours } });
  expect(r.status()).toBe(200);
}

beforeAll(async () => {
  browser = await launch();
  admin = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(admin, users.admin.email);
  page = await (await newContext(browser, PHONE)).newPage();
  await logIn(page);
});
afterAll(async () => {
  if (admin) await setHours(ids.drCuddy, EVERY_DAY).catch(() => {});
  await browser?.close();
});

describe("phone calendar", () => {
  // Issue #17: two short rows (Today ‹ › title; date picker, view switch, +) instead of one, so the
  // day can be changed without swiping; the calendar still gets most of the screen.
  it("keeps the toolbar to two short rows (Today ‹ › title; date, views, +) and gives the calendar ≥ 70% of the screen", async () => {
    await eventEl(page, BOB).first().waitFor();
    const box = async (l: ReturnType<Page["getByRole"]>) => (await l.boundingBox())!;
    const title = (await page.getByTestId("range-title").boundingBox())!;
    const today = await box(page.getByRole("button", { name: "Today" }));
    const views = await box(page.getByRole("radiogroup", { name: "View" }));
    const date = await box(page.getByLabel("Go to date"));
    const plus = await box(page.getByRole("button", { name: "New appointment" }));
    const mid = (b: { y: number; height: number }) => b.y + b.height / 2;
    expect(Math.abs(mid(title) - mid(today))).toBeLessThan(8);
    expect(Math.abs(mid(date) - mid(views))).toBeLessThan(8);
    expect(Math.abs(mid(plus) - mid(views))).toBeLessThan(8);
    for (const b of [today, views, date, plus]) expect(b.x + b.width).toBeLessThanOrEqual(390);
    const cal = (await page.getByTestId("calendar").boundingBox())!;
    expect(cal.height / 844).toBeGreaterThanOrEqual(0.7);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "ui-phone-day");
  });

  it("shades a lunch break in the day view and refuses a tap on it with the reason", async () => {
    await setHours(ids.drCuddy, Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", "12:30"], ["13:30", "18:00"]]])));
    await page.reload();
    await eventEl(page, BOB).first().waitFor();
    await page.locator('.ec-bg-event.off-hours[aria-label="Dr Cuddy\'s lunch break (12:30–13:30)"]').first().waitFor();
    const p = await slotPoint(page, "Dr Cuddy", "13:00");
    await page.touchscreen.tap(p.x, p.y);
    const sheet = page.getByTestId("booking-dialog");
    await sheet.waitFor();
    await expect.poll(() => sheet.getByTestId("slot-refused").textContent()).toContain("Dr Cuddy's lunch break (12:30–13:30)");
    await screenshot(page, "ui-phone-break-refused");
    await sheet.getByRole("button", { name: "Close", exact: true }).click();
    await setHours(ids.drCuddy, EVERY_DAY);
  });

  it("shows the week as an agenda grouped by day, not a grid of columns", async () => {
    await page.reload();
    await page.getByRole("radio", { name: "Week" }).click();
    const item = eventEl(page, BOB).first();
    await item.waitFor();
    expect(await page.locator(".ec-list").count()).toBe(1);
    expect(await page.locator(".ec-time-grid").count()).toBe(0);
    // Grouped by day: a heading for today, with today's appointments under it, in time order.
    const todayName = new Date(inject("today")).toLocaleDateString("en-GB", { weekday: "long", timeZone: "UTC" });
    expect((await page.locator(".ec-day-head").allTextContents()).some((t) => t.includes(todayName))).toBe(true);
    expect(await item.textContent()).toContain("10:00");
    expect(await item.textContent()).toContain("Bob Baker");
    // Full width rows, not slivers.
    expect((await item.boundingBox())!.width).toBeGreaterThan(300);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "ui-phone-week");
    await item.tap();
    await page.getByTestId("appointment-panel").getByRole("heading", { name: "Bob Baker" }).waitFor();
    await page.getByRole("button", { name: "Close details" }).click();
  });

  it("shows the month as a compact grid with dots, and the selected day's list beneath", async () => {
    await page.getByRole("radio", { name: "Month" }).click();
    const list = page.getByTestId("phone-day-list");
    await list.locator(`[data-appointment-id="${BOB}"]`).waitFor();
    expect(await page.locator(".mc-line").count()).toBe(0); // no text lines in the tiny cells
    expect(await page.locator(".mc-selected .mc-num").textContent()).toBe(String(new Date(inject("today")).getUTCDate()));
    expect(await page.locator(".mc-selected .mc-pip").count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "ui-phone-month");
    // Tapping tomorrow selects it (no jump to the day view) and lists its appointments.
    const tomorrow = new Date(inject("today") + DAY);
    const cells = page.locator(".mc-compact", { has: page.locator(".mc-num", { hasText: new RegExp(`^${tomorrow.getUTCDate()}$`) }) });
    // The grid may show the same day number twice (this month and the next): take the one after today.
    const all = await cells.all();
    const todayBox = (await page.locator(".mc-selected").boundingBox())!;
    for (const c of all) {
      const b = (await c.boundingBox())!;
      if (b.y > todayBox.y + 2 || (Math.abs(b.y - todayBox.y) < 2 && b.x > todayBox.x)) {
        await c.tap();
        break;
      }
    }
    await list.locator(`[data-appointment-id="${TOMORROWS}"]`).waitFor();
    expect(await page.getByRole("radio", { name: "Month" }).getAttribute("aria-checked")).toBe("true");
    await list.locator(`[data-appointment-id="${TOMORROWS}"]`).tap();
    await page.getByTestId("appointment-panel").getByText("No-show").first().waitFor();
    await page.getByRole("button", { name: "Close details" }).click();
  });

  it("keeps a sideways swipe from the browser (no back navigation) and changes the day", async () => {
    await page.getByRole("radio", { name: "Day" }).click();
    await page.locator(".ec-time-grid").waitFor();
    const cal = page.getByTestId("calendar");
    const css = await cal.evaluate((el) => ({ touch: getComputedStyle(el).touchAction, over: getComputedStyle(document.documentElement).overscrollBehaviorX }));
    expect(css).toEqual({ touch: "pan-y", over: "none" });
    const before = await page.evaluate(() => ({ path: location.pathname, entries: history.length }));
    const title = await page.getByTestId("range-title").textContent();
    // A swipe right from the left edge (what phones take as "back"): the touchmove is claimed.
    const prevented = await cal.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const y = r.top + r.height / 2;
      const t = (x: number) => new Touch({ identifier: 7, target: el, clientX: x, clientY: y });
      el.dispatchEvent(new TouchEvent("touchstart", { touches: [t(4)], changedTouches: [t(4)], bubbles: true, cancelable: true }));
      const move = new TouchEvent("touchmove", { touches: [t(120)], changedTouches: [t(120)], bubbles: true, cancelable: true });
      el.dispatchEvent(move);
      el.dispatchEvent(new TouchEvent("touchend", { touches: [], changedTouches: [t(220)], bubbles: true, cancelable: true }));
      return move.defaultPrevented;
    });
    expect(prevented).toBe(true);
    // It went to the previous day, inside the app: same page, no history entry consumed — the
    // day is in the address since issue #17, so exactly one entry is added (Back returns to it).
    await expect.poll(() => page.getByTestId("range-title").textContent()).not.toBe(title);
    expect(await page.evaluate(() => ({ path: location.pathname, entries: history.length }))).toEqual({ path: before.path, entries: before.entries + 1 });
    // A vertical scroll is left to the browser.
    const vertical = await cal.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const x = r.left + r.width / 2;
      const t = (y: number) => new Touch({ identifier: 8, target: el, clientX: x, clientY: y });
      el.dispatchEvent(new TouchEvent("touchstart", { touches: [t(500)], changedTouches: [t(500)], bubbles: true, cancelable: true }));
      const move = new TouchEvent("touchmove", { touches: [t(380)], changedTouches: [t(380)], bubbles: true, cancelable: true });
      el.dispatchEvent(move);
      el.dispatchEvent(new TouchEvent("touchend", { touches: [], changedTouches: [t(300)], bubbles: true, cancelable: true }));
      return move.defaultPrevented;
    });
    expect(vertical).toBe(false);
  });
});
