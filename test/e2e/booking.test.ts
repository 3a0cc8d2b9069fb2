// Booking from the calendar: click a free time → pre-filled dialog → booked block appears;
// a blocked time (lunch) is refused; API validation errors appear at the field.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP, launch, logIn, newContext, slotPoint } from "./browser";
import { ids } from "./seed";

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  page = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(page);
  await page.getByRole("radio", { name: "Day" }).click();
  await page.locator(".ec-col-head", { hasText: "Dr House" }).first().waitFor();
});
afterAll(async () => browser?.close());

const dialog = () => page.getByTestId("booking-dialog");
const selectedSlotText = () => dialog().getByTestId("slot-select").evaluate((s) => (s as unknown as HTMLSelectElement).selectedOptions[0]?.textContent ?? "");

describe("booking", () => {
  it("books an empty slot pre-filled with doctor and time and shows it at once", async () => {
    const p = await slotPoint(page, "Dr House", "14:00");
    await page.mouse.click(p.x, p.y);
    await dialog().waitFor();
    expect(await dialog().getByLabel("Doctor").evaluate((s) => (s as unknown as HTMLSelectElement).selectedOptions[0].textContent)).toBe("Dr House");
    await expect.poll(selectedSlotText).toMatch(/^14:00/);
    await dialog().getByTestId("patient-search").fill("Bob");
    await dialog().getByRole("button", { name: /Bob Baker/ }).click();
    await dialog().getByLabel("Reason").fill("Knee pain");
    await dialog().getByRole("button", { name: "Book appointment" }).click();
    await dialog().waitFor({ state: "detached" });
    const booked = page.locator(".ec-event.appt", { hasText: "Bob Baker" }).filter({ hasText: "14:00" });
    await booked.first().waitFor();
    // It is really stored: still there after a reload.
    await page.reload();
    await page.getByRole("radio", { name: "Day" }).click();
    await page.locator(".ec-event.appt", { hasText: "Bob Baker" }).filter({ hasText: "14:00" }).first().waitFor();
  });

  it("refuses a blocked time: says why and offers only free times", async () => {
    const p = await slotPoint(page, "Dr House", "12:15");
    await page.mouse.click(p.x, p.y);
    await dialog().waitFor();
    const refusal = dialog().getByTestId("slot-refused");
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("blocked (Lunch)");
    const offered = await dialog().getByTestId("slot-select").locator("option").allTextContents();
    expect(offered.length).toBeGreaterThan(5);
    // Neither lunch nor the 14:00 booked above is offered; the times around them are.
    expect(offered.filter((t) => /^(12:|14:00)/.test(t))).toEqual([]);
    expect(offered.some((t) => t.startsWith("13:00"))).toBe(true);
    expect(await selectedSlotText()).toBe("Choose a free time");
    // Trying to book anyway is stopped at the time field.
    await dialog().getByTestId("patient-search").fill("Ali");
    await dialog().getByRole("button", { name: /Alice Archer/ }).click();
    await dialog().getByRole("button", { name: "Book appointment" }).click();
    expect(await dialog().locator(".field-error").first().textContent()).toContain("Pick a free time");
    await dialog().getByRole("button", { name: "Close", exact: true }).click();
    await dialog().waitFor({ state: "detached" });
    expect(await page.locator(".ec-event.appt", { hasText: "Alice Archer" }).filter({ hasText: "12:" }).count()).toBe(0);
  });

  it("adds a new patient inline and shows the API's validation error at the field", async () => {
    const p = await slotPoint(page, "Dr Cuddy", "15:30");
    await page.mouse.click(p.x, p.y);
    await dialog().waitFor();
    await expect.poll(selectedSlotText).toMatch(/^15:30/);
    await dialog().getByRole("button", { name: "+ New patient" }).click();
    await dialog().getByLabel("Name").fill("Dora Diaz");
    await dialog().getByLabel("E-mail").fill("not-an-email");
    await dialog().getByRole("button", { name: "Book appointment" }).click();
    const emailField = dialog().getByLabel("E-mail");
    await expect.poll(() => emailField.getAttribute("aria-describedby")).toBe("err-patient-email");
    expect(await dialog().locator("#err-patient-email").textContent()).toBeTruthy();
    await emailField.fill("dora@example.com");
    await dialog().getByRole("button", { name: "Book appointment" }).click();
    await dialog().waitFor({ state: "detached" });
    await page.locator(".ec-event.appt", { hasText: "Dora Diaz" }).first().waitFor();
    void ids;
  });
});
