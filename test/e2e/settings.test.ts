// Settings → Calendar integrations as a doctor: providers listed, the ones not built yet say so,
// export options present.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP, launch, logIn, newContext, screenshot } from "./browser";

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  page = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(page, "house@e2e.test");
});
afterAll(async () => browser?.close());

describe("calendar integrations settings", () => {
  it("lists connected calendars, offers Google and says plainly what is not available yet", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Calendar integrations" }).waitFor();
    await page.getByRole("heading", { name: "Connected calendars" }).waitFor();
    await expect.poll(() => page.getByText("No calendar is connected.").count()).toBe(1);
    await page.getByRole("button", { name: "Connect Google Calendar" }).waitFor();
    expect(await page.getByText("Not available yet").count()).toBe(2); // Outlook, iCloud
    await page.getByRole("heading", { name: "Export" }).waitFor();
    await screenshot(page, "settings");
    await page.getByRole("link", { name: "Calendar" }).click();
    await page.getByTestId("calendar").waitFor();
  });
});
