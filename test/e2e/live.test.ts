// Two receptionists side by side: what one does appears on the other's screen without a reload.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { centerOf, DESKTOP, dragTo, eventEl, launch, logIn, newContext, slotPoint } from "./browser";
import { users } from "./seed";

let browser: Browser;
let a: Page;
let b: Page;
const CAROL = "f2".repeat(16); // Dr Cuddy, today 09:00–09:30, completed → not draggable
const NO_SHOW = "f3".repeat(16);

async function openDay(p: Page) {
  await p.getByRole("radio", { name: "Day" }).click();
  await eventEl(p, CAROL).first().waitFor();
  await p.getByTestId("live-state").filter({ hasText: /^Live$/ }).waitFor({ timeout: 10_000 });
}

beforeAll(async () => {
  browser = await launch();
  a = await (await newContext(browser, DESKTOP)).newPage();
  b = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(a, users.reception.email);
  await logIn(b, users.admin.email);
  await openDay(a);
  await openDay(b);
});
afterAll(async () => browser?.close());

describe("live updates", () => {
  it("a booking made in one browser appears in the other within a second", async () => {
    const p = await slotPoint(a, "Dr Cuddy", "16:00");
    await a.mouse.click(p.x, p.y);
    const dialog = a.getByTestId("booking-dialog");
    await dialog.getByTestId("patient-search").fill("Carol");
    await dialog.getByRole("button", { name: /Carol Cooper/ }).click();
    await expect.poll(() => dialog.getByTestId("slot-select").inputValue()).not.toBe("");
    await dialog.getByRole("button", { name: "Book appointment" }).click();
    await dialog.waitFor({ state: "detached" });
    const t0 = Date.now();
    await b.locator(".ec-event.appt", { hasText: "Carol Cooper" }).filter({ hasText: "16:00" }).first().waitFor({ timeout: 5_000 });
    expect(Date.now() - t0).toBeLessThan(1_500);
  });

  it("a drag in one browser moves the block in the other", async () => {
    const booked = a.locator(".ec-event.appt", { hasText: "Carol Cooper" }).filter({ hasText: "16:00" }).first();
    const id = await booked.getAttribute("data-appointment-id");
    const from = await centerOf(a, `.ec-event[data-appointment-id="${id}"]`);
    const to = await slotPoint(a, "Dr Cuddy", "14:00");
    const saved = a.waitForResponse((r) => r.url().includes(`/api/appointments/${id}`) && r.request().method() === "PATCH");
    await dragTo(a, from, { x: from.x, y: to.y });
    expect((await saved).status()).toBe(200);
    await expect.poll(() => eventEl(b, id!).first().locator(".ec-event-time").textContent(), { timeout: 5_000 }).toBe("14:00–14:30");
  });

  it("a status change in one browser recolours the block in the other", async () => {
    await b.keyboard.press("j"); // tomorrow, where the no-show is
    await eventEl(b, NO_SHOW).first().waitFor();
    await a.keyboard.press("j");
    await eventEl(a, NO_SHOW).first().click();
    const panel = a.getByTestId("appointment-panel");
    // One click per status (the no-show is tomorrow's, so only Scheduled/Confirmed are offered).
    await panel.getByRole("button", { name: "Mark confirmed" }).click();
    await expect.poll(() => panel.getByTestId("status-badge").textContent()).toBe("Confirmed");
    await expect.poll(() => eventEl(b, NO_SHOW).first().getAttribute("class"), { timeout: 5_000 }).toContain("st-confirmed");
  });

  it("a change saved while the calendar is loading is not undone by the load's older answer", async () => {
    // The range load was read by the server before the change and answers after it (a slow
    // network, a busy machine): the calendar must keep the newer status it already shows.
    await b.keyboard.press("k"); // back to today, where the block booked above is
    const booked = b.locator(".ec-event.appt", { hasText: "Carol Cooper" }).filter({ hasText: "14:00" }).first();
    const id = (await booked.getAttribute("data-appointment-id"))!;
    await booked.click();
    const panel = b.getByTestId("appointment-panel");
    await panel.getByRole("button", { name: "Mark confirmed" }).waitFor();
    let release!: () => Promise<void>;
    const read = new Promise<void>((resolve) =>
      void b.route(/\/api\/appointments\?/, async (route) => {
        const older = await route.fetch(); // answered by the server now, before the change
        release = () => route.fulfill({ response: older });
        resolve();
      }),
    );
    await b.getByRole("radio", { name: "Week" }).click(); // a new range: the calendar loads it
    await read;
    await panel.getByRole("button", { name: "Mark confirmed" }).click();
    await expect.poll(() => panel.getByTestId("status-badge").textContent()).toBe("Confirmed");
    await release();
    await b.unroute(/\/api\/appointments\?/);
    await expect.poll(() => b.getByTestId("calendar").getAttribute("aria-busy")).toBe("false");
    expect(await panel.getByTestId("status-badge").textContent()).toBe("Confirmed");
    expect(await eventEl(b, id).first().getAttribute("class")).toContain("st-confirmed");
  });
});
