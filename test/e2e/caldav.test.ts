// Settings → "Other CalDAV server" against a real Radicale (started by global-setup): a
// wrong password is refused on the form, the right one connects, the card shows the account
// healthy after its first sync; disconnecting leaves the doctor as the other tests expect.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { confirmInApp, DESKTOP, launch, logIn, newContext, screenshot } from "./browser";

let browser: Browser;
let page: Page;
const user = "house.icloud@mail.test";
const password = "e2e-app-specific-pw";

beforeAll(async () => {
  if (inject("radicaleError") || !inject("radicaleURL")) throw new Error(inject("radicaleError") || "Radicale was not started by test/e2e/global-setup.ts");
  const base = inject("radicaleURL");
  const add = await fetch(`${inject("radicaleAdminURL")}/users`, { method: "POST", body: JSON.stringify({ user, password }) });
  expect(add.status).toBe(204);
  const auth = { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
  await (await fetch(`${base}/${user}/`, { method: "PROPFIND", headers: { ...auth, depth: "0" } })).text();
  const mk = await fetch(`${base}/${user}/calendar/`, {
    method: "MKCALENDAR",
    headers: { ...auth, "content-type": "application/xml" },
    body: `<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Calendar</D:displayname></D:prop></D:set></C:mkcalendar>`,
  });
  expect(mk.status).toBe(201);
  browser = await launch();
  page = await (await newContext(browser, DESKTOP)).newPage();
  page.on("dialog", (d) => void d.accept());
  await logIn(page, "house@e2e.test");
});
afterAll(async () => browser?.close());

describe("connect a CalDAV server from settings", () => {
  it("wrong password → clear error; right password → connected and healthy; disconnect", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Calendar integrations" }).waitFor();
    await page.getByRole("button", { name: "Other CalDAV server" }).click();
    await page.getByLabel("Server address").fill(inject("radicaleURL"));
    await page.getByLabel("User name").fill(user);
    await page.getByLabel("Password").fill("wrong");
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("refused the user name or password");

    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    const card = page.locator("li.card", { hasText: `Connected as ${user}` });
    await card.waitFor();
    await expect.poll(() => card.textContent(), { timeout: 20_000 }).toContain("Status: active");
    // Healthy: the first sync ran (appointments pushed, calendar polled) without errors.
    await expect
      .poll(async () => {
        await page.reload();
        return card.textContent();
      }, { timeout: 20_000 })
      .toMatch(/Last successful sync: (just now|\d+ minutes? ago)/);
    expect(await card.textContent()).not.toContain("with errors");
    expect(await card.textContent()).toContain("Syncing to: Calendar");
    await screenshot(page, "caldav-connected");
    // "Sync now" right after the first sync: the server asks to wait (one a minute).
    await card.getByRole("button", { name: "Sync now" }).click();
    await page.getByText("try again in a minute").waitFor();

    // The doctor chooses calendars in the same card: the one calendar is the write and the busy one.
    const choice = card.getByRole("form", { name: "Calendars" });
    expect(await choice.getByLabel("Put ACMS appointments in").inputValue()).not.toBe("");
    const busyBox = choice.getByRole("checkbox", { name: "Calendar" });
    const wasBusy = await busyBox.isChecked();
    await busyBox.setChecked(!wasBusy);
    await choice.getByRole("button", { name: "Save calendars" }).click();
    await page.getByText("Calendar choice saved.").waitFor();
    await page.reload();
    expect(await card.getByRole("form", { name: "Calendars" }).getByRole("checkbox", { name: "Calendar" }).isChecked()).toBe(!wasBusy);

    await card.getByRole("button", { name: "Disconnect" }).click();
    await confirmInApp(page, "Disconnect");
    await expect.poll(() => page.getByText("No calendar is connected.").count()).toBe(1);
  });
});
