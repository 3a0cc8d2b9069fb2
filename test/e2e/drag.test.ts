// Reschedule by drag and resize: the block moves at once, the change is stored (seen after a
// reload), and a move the server refuses (onto blocked lunch) goes back with a clear message.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boxOf, centerOf, DESKTOP, dragTo, eventEl, launch, logIn, newContext, slotPoint } from "./browser";

let browser: Browser;
let page: Page;
const ALICE = "f0".repeat(16); // Dr House, today 09:00–09:30, scheduled
const BOB = "f1".repeat(16); // Dr House, today 10:00–10:30, confirmed

async function dayView() {
  await page.getByRole("radio", { name: "Day" }).click();
  await eventEl(page, ALICE).first().waitFor();
}
const timeOf = (id: string) => eventEl(page, id).first().locator(".ec-event-time").textContent();

beforeAll(async () => {
  browser = await launch();
  page = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(page);
  await dayView();
});
afterAll(async () => browser?.close());

describe("drag and resize", () => {
  it("moves an appointment to a new time and keeps it after a reload", async () => {
    const from = await centerOf(page, `.ec-event[data-appointment-id="${ALICE}"]`);
    const to = await slotPoint(page, "Dr House", "15:00");
    const saved = page.waitForResponse((r) => r.url().includes(`/api/appointments/${ALICE}`) && r.request().method() === "PATCH");
    await dragTo(page, from, { x: from.x, y: to.y });
    // Optimistic: the block is at 15:00 before the server has answered.
    expect(await timeOf(ALICE)).toBe("15:00–15:30");
    expect((await saved).status()).toBe(200);
    await page.reload();
    await dayView();
    expect(await timeOf(ALICE)).toBe("15:00–15:30");
  });

  it("resizes an appointment to make it longer", async () => {
    const box = await boxOf(page, `.ec-event[data-appointment-id="${ALICE}"]`);
    const to = await slotPoint(page, "Dr House", "15:45");
    await eventEl(page, ALICE).first().hover();
    const saved = page.waitForResponse((r) => r.url().includes(`/api/appointments/${ALICE}`) && r.request().method() === "PATCH");
    await dragTo(page, { x: box.x + box.width / 2, y: box.y + box.height - 2 }, { x: box.x + box.width / 2, y: to.y + 6 });
    expect((await saved).status()).toBe(200);
    expect(await timeOf(ALICE)).toBe("15:00–16:00");
  });

  it("puts a move onto blocked lunch back and says why", async () => {
    const from = await centerOf(page, `.ec-event[data-appointment-id="${BOB}"]`);
    const to = await slotPoint(page, "Dr House", "12:00");
    const refused = page.waitForResponse((r) => r.url().includes(`/api/appointments/${BOB}`) && r.request().method() === "PATCH");
    await dragTo(page, from, { x: from.x, y: to.y });
    expect((await refused).status()).toBe(409);
    const toast = page.getByTestId("toast").filter({ hasText: "blocked" });
    await toast.waitFor();
    expect(await toast.getAttribute("role")).toBe("alert");
    await expect.poll(() => timeOf(BOB)).toBe("10:00–10:30");
  });

  it("puts a move onto another appointment back (slot taken)", async () => {
    const from = await centerOf(page, `.ec-event[data-appointment-id="${BOB}"]`);
    const to = await slotPoint(page, "Dr House", "15:15");
    const refused = page.waitForResponse((r) => r.url().includes(`/api/appointments/${BOB}`) && r.request().method() === "PATCH");
    await dragTo(page, from, { x: from.x, y: to.y });
    expect((await refused).status()).toBe(409);
    await page.getByTestId("toast").filter({ hasText: "already booked" }).waitFor();
    await expect.poll(() => timeOf(BOB)).toBe("10:00–10:30");
  });
});
