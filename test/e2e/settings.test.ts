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
    // Every provider is offered now; Microsoft's Teams rule is said plainly.
    expect(await page.getByText("Not available yet").count()).toBe(0);
    await page.getByRole("button", { name: "Connect Microsoft Outlook / 365" }).waitFor();
    expect(await page.getByText("Microsoft makes Teams meeting links only for work or school accounts").count()).toBe(1);
    await page.getByRole("button", { name: "Connect iCloud" }).waitFor();
    await page.getByRole("heading", { name: "Export" }).waitFor();
    // Export: create the doctor's feed; its secret address is shown once, as webcal:// and https://.
    await page.getByRole("button", { name: "Create feed address" }).click();
    await expect.poll(() => page.getByTestId("feed-webcal").inputValue()).toMatch(/^webcal:\/\/.+\/feeds\/.+\.ics$/);
    expect(await page.getByTestId("feed-status").textContent()).toContain("on");
    const https = await page.getByLabel("HTTPS address").inputValue();
    const res = await page.request.get(https);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("text/calendar");
    await page.getByRole("button", { name: "Rotate address" }).waitFor();
    await screenshot(page, "settings");
    await page.getByRole("link", { name: "Calendar" }).click();
    await page.getByTestId("calendar").waitFor();
  });
});
