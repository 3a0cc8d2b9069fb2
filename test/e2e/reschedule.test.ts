// Reschedule from the details panel on a phone (no dragging): only free times that fit the
// visit are offered, a time taken meanwhile is refused with a clear message, the move is
// persisted; and the panel's "Add to calendar" links point at the moved times.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { baseURL, eventEl, launch, logIn, newContext, PHONE, screenshot } from "./browser";
import { ids } from "./seed";

const HOUR = 3_600_000;
let browser: Browser;
let page: Page;
const today = () => inject("today");
const target = () => today() + 4 * 24 * HOUR; // a day no other test books for Dr House
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();

async function book(doctorId: string, patientId: string, start: number, end: number): Promise<string> {
  const res = await page.request.post("/api/appointments", {
    headers: { origin: baseURL() },
    data: { doctorId, patientId, start: iso(start), end: iso(end), type: "consultation" },
  });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { appointment: { id: string } }).appointment.id;
}

const offeredTimes = (p: Page) => p.getByTestId("reschedule-slot").locator("option").allTextContents();

beforeAll(async () => {
  browser = await launch();
  page = await (await newContext(browser, PHONE)).newPage();
  await logIn(page);
});
afterAll(async () => browser?.close());

describe("reschedule from the details sheet (phone)", () => {
  let moving = "";

  it("offers only free times that fit the visit, refuses a time taken meanwhile, and moves it", async () => {
    // A one-hour visit today at 17:00, and a booking on the target day at 10:00.
    moving = await book(ids.drHouse, ids.pCarol, today() + 17 * HOUR, today() + 18 * HOUR);
    await book(ids.drHouse, ids.pBob, target() + 10 * HOUR, target() + 10.5 * HOUR);
    await page.reload();
    await page.getByTestId("calendar").waitFor();

    await eventEl(page, moving).first().tap();
    const sheet = page.getByTestId("appointment-panel");
    await sheet.waitFor();
    await sheet.getByRole("button", { name: "Reschedule" }).tap();
    await sheet.getByLabel("New date").fill(ymd(target()));
    await expect.poll(() => offeredTimes(page)).toContain("15:00 – 16:00");
    const offered = (await offeredTimes(page)).slice(1).map((t) => t.slice(0, 5));
    // Hour-long starts only: not into the 10:00 booking, not into lunch, not past 18:00.
    expect(offered).toContain("09:00");
    for (const taken of ["09:30", "10:00", "11:30", "12:00", "17:30"]) expect(offered).not.toContain(taken);
    await screenshot(page, "phone-reschedule");

    // Someone books 14:00 while the form is open: the server's 409 is shown, the list refreshed.
    await sheet.getByTestId("reschedule-slot").selectOption({ label: "14:00 – 15:00" });
    await book(ids.drHouse, ids.pAlice, target() + 14 * HOUR, target() + 14.5 * HOUR);
    await sheet.getByRole("button", { name: "Move appointment" }).tap();
    await sheet.getByRole("alert").filter({ hasText: "Someone just booked this time" }).waitFor();
    await expect.poll(async () => (await offeredTimes(page)).some((t) => t.startsWith("14:00"))).toBe(false);

    await sheet.getByTestId("reschedule-slot").selectOption({ label: "15:00 – 16:00" });
    await sheet.getByRole("button", { name: "Move appointment" }).tap();
    await page.getByTestId("toast").filter({ hasText: "Appointment rescheduled." }).waitFor();
    await expect.poll(() => sheet.getByTestId("reschedule-form").count()).toBe(0);
    // The calendar went to the new day, and the block is there at 15:00.
    await eventEl(page, moving).first().waitFor();
    await expect.poll(() => sheet.getByTestId("panel-when").textContent()).toMatch(/15:00.*16:00/);
  });

  it("keeps the move after a reload", async () => {
    await page.reload();
    await page.getByTestId("calendar").waitFor();
    const res = await page.request.get(`/api/appointments/${moving}`);
    const a = ((await res.json()) as { appointment: { start: string; end: string; doctorId: string; version: number } }).appointment;
    expect(a.start).toBe(iso(target() + 15 * HOUR));
    expect(a.end).toBe(iso(target() + 16 * HOUR)); // the hour's length kept
    expect(a.doctorId).toBe(ids.drHouse);
    // The reload kept the day it moved to (the address holds it, issue #17): the block is there;
    // today's day view no longer has it.
    await eventEl(page, moving).first().waitFor();
    await page.getByRole("button", { name: "Today" }).tap();
    await expect.poll(() => eventEl(page, moving).count()).toBe(0);
  });

  it("opens by link on its own day, with Add to calendar links at the new time", async () => {
    await page.goto(`/appointments/${moving}`);
    const sheet = page.getByTestId("appointment-panel");
    await expect.poll(() => sheet.getByTestId("panel-when").textContent()).toMatch(/15:00.*16:00/);
    await eventEl(page, moving).first().waitFor(); // the calendar went to its day

    const links = sheet.getByTestId("add-to-calendar");
    const google = new URL((await links.getByRole("link", { name: "Google Calendar" }).getAttribute("href"))!);
    expect(google.origin + google.pathname).toBe("https://calendar.google.com/calendar/render");
    expect(google.searchParams.get("action")).toBe("TEMPLATE");
    const day = ymd(target()).replace(/-/g, "");
    expect(google.searchParams.get("dates")).toBe(`${day}T150000Z/${day}T160000Z`);
    // Leaves ACMS: no patient name unless staff ask for it (default privacy "busy").
    expect(google.searchParams.get("text")).not.toContain("Carol");
    expect(await links.getByRole("link", { name: "Google Calendar" }).getAttribute("target")).toBe("_blank");

    const outlook = new URL((await links.getByRole("link", { name: "Outlook" }).getAttribute("href"))!);
    expect(outlook.origin + outlook.pathname).toBe("https://outlook.office.com/calendar/0/deeplink/compose");
    expect(outlook.searchParams.get("startdt")).toBe(iso(target() + 15 * HOUR));
    expect(outlook.searchParams.get("enddt")).toBe(iso(target() + 16 * HOUR));
    expect(await links.getByRole("link", { name: "Outlook" }).getAttribute("target")).toBe("_blank");

    const ics = links.getByRole("link", { name: "Download .ics" });
    expect(await ics.getAttribute("href")).toBe(`/api/appointments/${moving}/ical`);
    const [download] = await Promise.all([page.waitForEvent("download"), ics.click()]);
    expect(download.suggestedFilename()).toMatch(/\.ics$/);
    const body = await (await page.request.get(`/api/appointments/${moving}/ical`)).text();
    expect(body).toMatch(new RegExp(`DTSTART[^:\\r\\n]*:${day}T150000`));
    await screenshot(page, "phone-add-to-calendar");
  });
});
