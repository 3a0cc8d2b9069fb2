// Staff see the clinic's calendar: log in, this week's seeded appointments in their status
// colours, month/week/day views, and blocked lunch shown as not bookable.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP, eventEl, launch, logIn, monthLine, newContext, screenshot } from "./browser";
import { ids, users } from "./seed";
import { apiCall } from "./staff-api";

let browser: Browser;
let page: Page;

/** The seeded appointments of yesterday, today and tomorrow (test/e2e/seed.ts). */
const SEEDED = new Set(["f0", "f1", "f2", "f3", "f4"].map((p) => p.repeat(16)));

beforeAll(async () => {
  browser = await launch();
  page = await (await newContext(browser, DESKTOP)).newPage();
  // This file checks the seeded days exactly (today's first lines in its month cell, its blocks),
  // but shares one D1 with the other files, which run first in any order and book "next free"
  // and suggested times — mostly today, before the seeded 09:00. Remove those bookings first.
  const admin = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(admin, users.admin.email);
  const day = 86_400_000;
  const q = new URLSearchParams({ from: new Date(Date.now() - 2 * day).toISOString(), to: new Date(Date.now() + 2 * day).toISOString() });
  const { body } = await apiCall(admin, "get", `/api/appointments?${q}`);
  for (const a of (body.appointments ?? []) as { id: string }[]) {
    if (!SEEDED.has(a.id)) expect((await apiCall(admin, "delete", `/api/appointments/${a.id}`)).status).toBe(200);
  }
  await admin.context().close();
});
afterAll(async () => browser?.close());

describe("calendar", () => {
  it("refuses a wrong password and logs in with the right one", async () => {
    await page.goto("/");
    await page.getByLabel("E-mail").fill("reception@e2e.test");
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("wrong");
    await logIn(page);
    // Desktop opens on the month view of today.
    await expect.poll(() => page.getByRole("radio", { name: "Month" }).getAttribute("aria-checked")).toBe("true");
    const month = new Date().toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
    await expect.poll(() => page.getByTestId("range-title").textContent()).toBe(month);
  });

  it("shows this week's seeded appointments coloured by status", async () => {
    await page.keyboard.press("w");
    await expect.poll(() => page.getByRole("radio", { name: "Week" }).getAttribute("aria-checked")).toBe("true");
    const alice = eventEl(page, "f0".repeat(16)).first();
    await alice.waitFor();
    expect(await alice.textContent()).toContain("Alice Archer");
    // Scheduled yellow, confirmed blue, completed green. Polled: a block caught while the
    // calendar redraws it (live connect, range load) is detached and has no computed style.
    const bg = (id: string) => eventEl(page, id).first().evaluate((el) => getComputedStyle(el).backgroundColor);
    await expect.poll(() => bg("f0".repeat(16))).toBe("rgb(246, 212, 74)");
    await expect.poll(() => bg("f1".repeat(16))).toBe("rgb(29, 95, 191)");
    await expect.poll(() => bg("f2".repeat(16))).toBe("rgb(95, 191, 114)");
    // Lunch is drawn as a hatched background block.
    expect(await page.locator(".ec-bg-event.blocked").count()).toBeGreaterThan(0);
    await screenshot(page, "week");
  });

  it("switches between day and month with the toggle and keyboard", async () => {
    await page.getByRole("radio", { name: "Day" }).click();
    // Day view: one column per doctor, side by side.
    await page.locator(".ec-col-head", { hasText: "Dr House" }).first().waitFor();
    await page.locator(".ec-col-head", { hasText: "Dr Cuddy" }).first().waitFor();
    await eventEl(page, "f2".repeat(16)).first().waitFor();
    await screenshot(page, "day");
    await page.keyboard.press("m");
    // Month cells: coloured counts per status and the day's first appointments as lines.
    await monthLine(page, "f3".repeat(16)).waitFor(); // tomorrow's only appointment
    await monthLine(page, "f2".repeat(16)).waitFor(); // today's 09:00
    expect(await page.locator(".mc-dot.st-completed").count()).toBeGreaterThan(0);
    await screenshot(page, "month");
    // Doctor filter: hiding Dr Cuddy removes Carol's appointment.
    await page.getByRole("button", { name: "Dr Cuddy" }).click();
    await expect.poll(() => monthLine(page, "f2".repeat(16)).count()).toBe(0);
    await page.getByRole("button", { name: "Dr Cuddy" }).click();
    await expect.poll(() => monthLine(page, "f2".repeat(16)).count()).toBe(1);
    // A click on a day opens that day.
    await page.locator(".mc-more, .mc-num").first().click();
    await expect.poll(() => page.getByRole("radio", { name: "Day" }).getAttribute("aria-checked")).toBe("true");
  });

  it("opens the details panel of an appointment with its actions", async () => {
    await page.keyboard.press("t");
    // Today's day view, loaded, before the click: a click that lands while the new day's answer
    // re-renders the blocks was once taken for the start of a drag (CI showed the drag preview
    // "10:15 Bob Baker" and no panel).
    await page.waitForURL(new RegExp(`date=${new Date().toISOString().slice(0, 10)}`));
    await expect.poll(() => page.getByTestId("calendar").getAttribute("aria-busy")).toBe("false");
    await eventEl(page, "f1".repeat(16)).first().click();
    const panel = page.getByTestId("appointment-panel");
    await panel.waitFor();
    expect(await panel.getByRole("heading").textContent()).toBe("Bob Baker");
    expect(await panel.getByTestId("status-badge").textContent()).toBe("Confirmed");
    expect(await panel.getByRole("link", { name: "Download .ics" }).getAttribute("href")).toBe(`/api/appointments/${"f1".repeat(16)}/ical`);
    await panel.getByRole("button", { name: "Edit" }).waitFor();
    await panel.getByRole("button", { name: "Close details" }).click();
    void ids;
  });

  it("shows keyboard help on ?", async () => {
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    expect(await help.textContent()).toContain("New appointment");
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "detached" });
  });

  it("shows an error banner while the API is unreachable and clears it when it is back", async () => {
    // Each step goes to a date no earlier step has shown, so its range is not cached and the
    // calendar must ask the API (pressing "j" could land on an already loaded range, which
    // makes no request, so the banner never came: flaky on a busy machine).
    const goTo = (ymd: string) => page.locator("#date-picker").fill(ymd);
    // Any good answer clears the banner, so an answer still on its way from before the network
    // drops (the day view's load, on a loaded machine) must land before it drops.
    const inflight = new Set<unknown>();
    page.on("request", (r) => r.url().includes("/api/") && inflight.add(r));
    page.on("requestfinished", (r) => inflight.delete(r));
    page.on("requestfailed", (r) => inflight.delete(r));
    await page.keyboard.press("d");
    await expect.poll(() => inflight.size, { timeout: 15_000 }).toBe(0);
    // The network drops: every API call is refused.
    await page.route("**/api/**", (r) => r.abort("connectionrefused"));
    const refused = page.waitForRequest((r) => r.url().includes("/api/appointments?"));
    await goTo("2031-03-12");
    await refused;
    const banner = page.getByTestId("error-banner");
    await banner.waitFor();
    expect(await banner.textContent()).toContain("cannot be reached");
    // Back online: the next range load answers and the banner goes away.
    await page.unroute("**/api/**");
    const answered = page.waitForResponse((r) => r.url().includes("/api/appointments?") && r.ok());
    await goTo("2031-04-16");
    await answered;
    await banner.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Today" }).click();
    await eventEl(page, "f1".repeat(16)).first().waitFor();
  });
});
