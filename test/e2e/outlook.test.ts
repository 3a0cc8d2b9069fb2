// Outlook from the settings page, in a real browser against the built app: connect through the
// Microsoft sign-in (emulated, test/e2e/microsoft-server.ts), see it healthy with the Teams rule
// for this (work) account, mark follow-ups as video (Teams) visits, book one, and see the
// appointment's sync state become "Outlook: synced" and its Teams link.
// Disconnects at the end so other files see the doctor as before.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseURL, confirmInApp, DESKTOP, launch, logIn, newContext, screenshot } from "./browser";
import { E2E_MICROSOFT_ACCOUNT } from "./microsoft-server";
import { ids } from "./seed";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => browser?.close());

describe("Outlook", () => {
  it("connect from Settings, healthy, Teams types, book, the appointment shows it synced to Outlook with its Teams link", async () => {
    const page = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(page, "cuddy@e2e.test");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByText("Microsoft makes Teams meeting links only for work or school accounts").waitFor();
    await page.getByRole("button", { name: "Connect Microsoft Outlook / 365" }).click();
    await page.waitForURL(/\/settings\/integrations\?integration=microsoft&result=connected/);
    await page.getByText(`Connected as ${E2E_MICROSOFT_ACCOUNT}`).waitFor();
    await page.getByText("Work or school account: Teams meeting links are possible.").waitFor();
    await page.getByText("Syncing to: Calendar").waitFor();
    // Follow-ups become video (Teams) visits for this work account.
    await page.getByRole("checkbox", { name: "follow-up" }).check();
    await expect.poll(() => page.getByRole("checkbox", { name: "follow-up" }).isChecked()).toBe(true);
    await screenshot(page, "outlook-connected");

    // Book for the doctor (a future working slot) through the API with the page's session.
    const day = new Date(Date.now() + 7 * 86_400_000);
    while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
    const date = day.toISOString().slice(0, 10);
    const res = await page.request.post(`${baseURL()}/api/appointments`, {
      headers: { origin: baseURL(), "content-type": "application/json" },
      data: { doctorId: ids.drCuddy, patientId: ids.pBob, start: `${date}T15:00:00.000Z`, end: `${date}T15:30:00.000Z`, type: "follow-up", reason: "check-up" },
    });
    expect(res.status()).toBe(201);
    const { appointment } = await res.json();
    await page.goto(`${baseURL()}/appointments/${appointment.id}`);
    // Each reload reads the sync state once it has arrived (the panel marks it busy until then).
    const syncState = async () => {
      await page.reload();
      const dd = page.locator('[data-testid="sync-state"][aria-busy="false"]');
      await dd.waitFor();
      return dd.textContent();
    };
    await expect.poll(syncState, { timeout: 20_000, interval: 1000 }).toContain("Outlook: synced");
    // The booking may have reached Outlook before the Teams choice was saved (the checkbox ticks
    // at once, its PATCH lands later): the appointment is then pushed again with its meeting
    // (test/worker/microsoft/teams.test.ts). The panel shows what is stored when it loads.
    const joinHref = async () => {
      await page.reload();
      const dd = page.getByTestId("teams-link");
      await dd.waitFor();
      return (await dd.getByRole("link", { name: "Join Teams meeting" }).count()) ? dd.getByRole("link").getAttribute("href") : dd.textContent();
    };
    await expect.poll(joinHref, { timeout: 20_000, interval: 1000 }).toMatch(/^https:\/\/teams\./);

    // Disconnect again (other files expect Dr Cuddy without Outlook).
    await page.goto(`${baseURL()}/settings/integrations`);
    const card = page.locator(".card", { hasText: "Microsoft Outlook / 365" }).filter({ hasText: "Connected as" });
    await card.getByRole("button", { name: "Disconnect" }).click();
    await confirmInApp(page, "Disconnect");
    await expect.poll(() => page.getByText(`Connected as ${E2E_MICROSOFT_ACCOUNT}`).count()).toBe(0);
    await page.context().close();
  });
});
