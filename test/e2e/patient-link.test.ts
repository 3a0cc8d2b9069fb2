// The no-show loop in a real browser: a patient opens their personal link on a phone and confirms
// or cancels; an admin edits the reminder settings (with the SMS part counter).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "./axe";
import { DESKTOP, PHONE, launch, logIn, newContext, screenshot } from "./browser";
import { patientLinks, users } from "./seed";

let browser: Browser;
beforeAll(async () => (browser = await launch()));
afterAll(async () => browser?.close());

async function phonePage(): Promise<Page> {
  // bypassCSP only so the test can inject axe-core: the page's own CSP forbids every script.
  return (await newContext(browser, { ...PHONE, bypassCSP: true })).newPage();
}

describe("patient's personal link (phone)", () => {
  it("shows the appointment without private details, and Confirm confirms it", async () => {
    const page = await phonePage();
    await page.goto(`/r/${patientLinks.confirm.token}`);
    await expect(page.getByRole("heading", { name: /Your appointment at Riverside Clinic/ }).isVisible()).resolves.toBe(true);
    const body = await page.locator("body").innerText();
    expect(body).toContain("Dr House");
    expect(body).toContain("14:00");
    for (const secret of ["Bob", "Baker", "PRIVATE-REASON", "PRIVATE-NOTE"]) expect(body).not.toContain(secret);
    // Usable on a phone: both buttons fit the 390 px screen and are big enough to tap.
    const box = await page.getByRole("button", { name: "Confirm" }).boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(box!.height).toBeGreaterThanOrEqual(40);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "patient-link-phone");
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("status").waitFor();
    expect(await page.getByRole("status").innerText()).toContain("your appointment is confirmed");
    expect(await page.locator("dd").last().innerText()).toBe("Confirmed");
    await page.context().close();
  });

  it("Cancel cancels it (the page then shows it cancelled with no buttons); a made-up link shows the plain 'not valid' page", async () => {
    const page = await phonePage();
    await page.goto(`/r/${patientLinks.cancel.token}`);
    await page.getByRole("button", { name: "Cancel appointment" }).click();
    await page.getByRole("status").waitFor();
    expect(await page.getByRole("status").innerText()).toContain("Your appointment is cancelled");
    await page.reload();
    expect(await page.locator("dd").last().innerText()).toBe("Cancelled");
    expect(await page.getByRole("button").count()).toBe(0);
    const res = await page.goto(`/r/${"Z".repeat(32)}`);
    expect(res!.status()).toBe(404);
    expect(await page.getByRole("heading").innerText()).toBe("This link is not valid");
    await page.context().close();
  });
});

describe("Settings → Reminders (admin)", () => {
  it("edits the SMS text with a live part counter and saves the rules", async () => {
    const ctx = await newContext(browser, DESKTOP);
    const page = await ctx.newPage();
    await logIn(page, users.admin.email);
    await page.goto("/settings/reminders");
    await page.getByTestId("reminder-rule").first().waitFor();
    expect(await page.getByTestId("reminder-rule").count()).toBe(2);
    const sms = page.getByLabel(/^Message/);
    await sms.fill("{{clinic}}: see {{doctor}} {{date}} {{time}}. {{link}}");
    await expect(page.getByTestId("sms-count").innerText()).resolves.toMatch(/GSM-7, 1 SMS part\b/);
    await sms.fill("{{clinic}}: see {{doctor}} {{date}} {{time}} – {{link}} ".repeat(3));
    await expect(page.getByTestId("sms-count").innerText()).resolves.toMatch(/UCS-2, [2-9] SMS parts/);
    await page.getByRole("button", { name: "Add a reminder" }).click();
    await page.getByRole("button", { name: "Save reminder settings" }).click();
    await page.getByText("Reminder settings saved.").waitFor();
    await page.reload();
    await page.getByTestId("reminder-rule").first().waitFor();
    expect(await page.getByTestId("reminder-rule").count()).toBe(3);
    expect(await page.getByLabel(/^Message/).inputValue()).toContain("–");
    expect(await axeViolations(page, "main")).toEqual([]);
    await ctx.close();
  });
});
