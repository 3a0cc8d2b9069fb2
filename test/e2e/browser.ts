// Real headless Chromium (Debian's package) driven by playwright-core.
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { watchContext } from "./diagnostics";
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
  const ctx = await browser.newContext({ baseURL: baseURL(), timezoneId: "UTC", locale: "en-GB", ...opts });
  watchContext(ctx);
  return ctx;
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
/**
 * The accessible name Chromium itself computes for the first element matching `selector` (over
 * the DevTools protocol): what a screen reader is given, spacing included. Playwright's own
 * name computation is a re-implementation and could disagree with the browser.
 */
export async function chromeAccessibleName(page: Page, selector: string): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector });
    if (!nodeId) throw new Error(`no element matches ${selector}`);
    const { nodes } = await cdp.send("Accessibility.getPartialAXTree", { nodeId, fetchRelatives: false });
    return String(nodes[0]?.name?.value ?? "");
  } finally {
    await cdp.detach();
  }
}

/** An appointment's line in a month cell (the first few of each day; the rest is "+N more"). */
export const monthLine = (page: Page, id: string) => page.locator(`.mc-line[data-appointment-id="${id}"]`);

/**
 * Page coordinates of a time in a doctor's column (time-grid views), found with the calendar's
 * own dateFromPoint so the test aims exactly where a user would click.
 */
export async function slotPoint(page: Page, doctorName: string | null, hhmm: string, dayIndex = 0): Promise<{ x: number; y: number }> {
  // The calendar may still be re-rendering after a view change: retry for a few seconds.
  for (let i = 0; ; i++) {
    try {
      return await slotPointOnce(page, doctorName, hhmm, dayIndex);
    } catch (e) {
      if (i >= 25) throw e;
      await page.waitForTimeout(200);
    }
  }
}

async function slotPointOnce(page: Page, doctorName: string | null, hhmm: string, dayIndex: number): Promise<{ x: number; y: number }> {
  let x: number;
  if (doctorName) {
    const head = await page.locator(".ec-col-head", { hasText: doctorName }).first().boundingBox();
    if (!head) throw new Error(`no column for ${doctorName}`);
    x = head.x + head.width / 2;
  } else {
    const heads = await page.locator(".ec-col-head").all();
    const b = await heads[dayIndex].boundingBox();
    x = b!.x + b!.width / 2;
  }
  const y = await page.evaluate(
    ({ x, hhmm }) => {
      const host = document.querySelector(".ec-host") as HTMLElement & { __ec: { dateFromPoint(x: number, y: number): { date: Date } | null } };
      const fmt = (d: Date) => `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
      for (let y = 0; y < window.innerHeight; y += 2) {
        const info = host.__ec.dateFromPoint(x, y);
        if (info && fmt(info.date) === hhmm) return y + 4;
      }
      return null;
    },
    { x, hhmm },
  );
  if (y === null) throw new Error(`${hhmm} is not on screen`);
  return { x, y };
}

/** Answers the app's own question dialog (web/ui/confirm.tsx) with the button named `label`. */
export async function confirmInApp(page: Page, label: string) {
  await page.getByTestId("confirm-dialog").getByRole("button", { name: label, exact: true }).click();
  await page.getByTestId("confirm-dialog").waitFor({ state: "detached" });
}

/** Drag with the mouse in small steps, as a person would. */
export async function dragTo(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  const steps = 12;
  for (let i = 1; i <= steps; i++) await page.mouse.move(from.x + ((to.x - from.x) * i) / steps, from.y + ((to.y - from.y) * i) / steps);
  await page.mouse.up();
}

/** A point near the top of an element (where a user grabs a block to drag it). Waits for it. */
/**
 * The box of the first match, retried: the calendar redraws its blocks (after a reload, a live
 * update or a range load), and a block measured mid-redraw is detached and has no box.
 */
export async function boxOf(page: Page, selector: string) {
  for (let i = 0; ; i++) {
    await page.locator(selector).first().waitFor();
    const b = await page.locator(selector).first().boundingBox();
    if (b) return b;
    if (i > 25) throw new Error(`${selector} not visible`);
    await page.waitForTimeout(200);
  }
}

export async function centerOf(page: Page, selector: string) {
  const b = await boxOf(page, selector);
  return { x: b.x + b.width / 2, y: b.y + Math.min(8, b.height / 2) };
}
