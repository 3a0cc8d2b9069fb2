// Real headless Chromium (Debian's package) driven by playwright-core.
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { E2E_PASSWORD, users } from "./seed";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
}

export const baseURL = () => inject("baseURL");

export const DESKTOP = { viewport: { width: 1400, height: 900 } };
export const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

export async function newContext(browser: Browser, opts: Parameters<Browser["newContext"]>[0] = DESKTOP): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseURL(), timezoneId: "UTC", locale: "en-GB", ...opts });
}

/** Log in through the real form and wait for the calendar. */
export async function logIn(page: Page, email = users.reception.email, password = E2E_PASSWORD) {
  await page.goto("/");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByTestId("calendar").waitFor();
}

const shots = path.resolve(import.meta.dirname, "../../test-results");
export async function screenshot(page: Page, name: string) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/** The calendar block of an appointment (eventDidMount tags it with its id). */
export const eventEl = (page: Page, id: string) => page.locator(`.ec-event[data-appointment-id="${id}"]`);
