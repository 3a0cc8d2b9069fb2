// The receptionist's day (issue #17): Next free for any doctor picks its time, the booking
// dialog's warning and free list stay true while things change, the calendar's view/date/doctors
// live in the address, the phone can step days without swiping, Cancel asks in the app's own
// dialog, and notices arrive live on every page.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { axeViolations } from "./axe";
import { DESKTOP, launch, logIn, newContext, PHONE, screenshot, slotPoint } from "./browser";
import { apiCall, bookAs } from "./staff-api";
import { ids, patientLinks, users } from "./seed";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const today = () => inject("today");
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// Days no other browser test books on (calendar-ui uses +6 and +20, reschedule +4, notices +2).
const D = () => today() + 9 * DAY;

let browser: Browser;
let admin: Page;

const api = apiCall;
const book = (doctorId: string, start: number, minutes = 30, patientId = ids.pBob) => bookAs(admin, doctorId, start, patientId, minutes);
const selectedText = (p: Page, testId = "slot-select") =>
  p.getByTestId("booking-dialog").getByTestId(testId).evaluate((s) => (s as unknown as HTMLSelectElement).selectedOptions[0]?.textContent ?? "");
const selectedDoctor = (p: Page) =>
  p.getByTestId("booking-dialog").getByLabel("Doctor").evaluate((s) => (s as unknown as HTMLSelectElement).selectedOptions[0]?.textContent ?? "");

/** A receptionist's new page on Day view of `day`, having clicked `doctor`'s `hhmm`. */
async function clickSlot(day: number, doctor: string, hhmm: string): Promise<Page> {
  const page = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(page);
  await page.goto(`/?view=day&date=${ymd(day)}`);
  await page.locator(".ec-col-head", { hasText: doctor }).first().waitFor();
  const p = await slotPoint(page, doctor, hhmm);
  await page.mouse.click(p.x, p.y);
  return page;
}

beforeAll(async () => {
  browser = await launch();
  admin = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(admin, users.admin.email);
});
afterAll(async () => browser?.close());

describe("booking dialog", () => {
  for (const [name, ctx] of [["desktop", DESKTOP], ["phone", PHONE]] as const)
    it(`Next free, any doctor, switches the doctor AND picks the time (${name}, 3 tries)`, async () => {
      // Make Dr Cuddy strictly earlier than Dr House (the dialog starts on House), so "any doctor"
      // has to switch doctor: House's next free half hour is blocked for the test and freed after
      // (a block, not bookings, so today's calendar stays as the other test files expect).
      const next = async (doctorId: string) => {
        const r = await api(admin, "get", `/api/availability?doctorId=${doctorId}&from=${ymd(today())}&to=${ymd(today() + 27 * DAY)}`);
        return (r.body.slots as { start: string }[]).map((s) => s.start).sort().find((s) => Date.parse(s) >= Date.now() + 5 * 60_000)!;
      };
      const blocks: string[] = [];
      const page = await (await newContext(browser, ctx)).newPage();
      try {
        for (let guard = 0; (await next(ids.drHouse)) <= (await next(ids.drCuddy)) && guard < 20; guard++) {
          const h = Date.parse(await next(ids.drHouse));
          const b = await api(admin, "post", "/api/blocked-times", { doctorId: ids.drHouse, start: new Date(h).toISOString(), end: new Date(h + 30 * 60_000).toISOString(), label: "Test" });
          expect(b.status).toBe(201);
          blocks.push(b.body.blockedTime.id);
        }
        expect(await next(ids.drHouse) > (await next(ids.drCuddy))).toBe(true);
        await logIn(page);
        for (let i = 0; i < 3; i++) {
          await page.getByRole("button", { name: "New appointment" }).click();
          const dialog = page.getByTestId("booking-dialog");
          await dialog.waitFor();
          await dialog.getByLabel("Doctor").selectOption({ label: "Dr House" });
          await dialog.getByLabel("Date").fill(ymd(today() + 15 * DAY));
          await dialog.getByTestId("next-free-any").click();
          await expect.poll(() => selectedDoctor(page), { timeout: 10_000 }).toBe("Dr Cuddy");
          await expect.poll(() => selectedText(page), { timeout: 10_000 }).toMatch(/^\d\d:\d\d – \d\d:\d\d$/);
          await dialog.getByRole("button", { name: "Close", exact: true }).click();
          await dialog.waitFor({ state: "detached" });
        }
      } finally {
        for (const id of blocks) await api(admin, "delete", `/api/blocked-times/${id}`);
        await page.context().close();
      }
    });

  it("the 'cannot be booked' warning goes once another time is picked", async () => {
    const page = await clickSlot(D(), "Dr House", "12:15"); // the seeded lunch block
    const dialog = page.getByTestId("booking-dialog");
    await dialog.getByTestId("slot-refused").waitFor();
    const times = dialog.getByTestId("slot-select");
    await expect.poll(async () => (await times.locator("option").count()) > 1).toBe(true);
    await times.selectOption({ index: 1 });
    await expect.poll(() => dialog.getByTestId("slot-refused").count()).toBe(0);
    await page.context().close();
  });

  it("the free list follows a booking made on another screen, live", async () => {
    const page = await clickSlot(D(), "Dr Cuddy", "15:00");
    const dialog = page.getByTestId("booking-dialog");
    await expect.poll(() => selectedText(page)).toBe("15:00 – 15:30");
    const has = (t: string) => dialog.getByTestId("slot-select").locator("option").allTextContents().then((l) => l.includes(t));
    expect(await has("16:00 – 16:30")).toBe(true);
    // Another receptionist books 16:00 and then the chosen 15:00.
    await book(ids.drCuddy, D() + 16 * HOUR);
    await expect.poll(() => has("16:00 – 16:30"), { timeout: 5_000 }).toBe(false);
    expect(await selectedText(page)).toBe("15:00 – 15:30"); // still there: kept
    await book(ids.drCuddy, D() + 15 * HOUR, 30, ids.pCarol);
    await expect.poll(() => has("15:00 – 15:30"), { timeout: 5_000 }).toBe(false);
    await expect.poll(() => dialog.getByText("15:00 was just taken. Pick another time.").count()).toBe(1);
    await page.context().close();
  });
});

describe("the calendar's place is in the address", () => {
  it("reload, Back and a shared link keep view, date and doctor filter", async () => {
    const page = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(page);
    await page.getByRole("radio", { name: "Day" }).click();
    await page.locator("#date-picker").fill(ymd(D()));
    await page.getByRole("button", { name: "Dr Cuddy", exact: true }).click(); // hide Dr Cuddy
    await expect.poll(() => page.url()).toContain(`date=${ymd(D())}`);
    const url = new URL(page.url());
    expect(url.searchParams.get("view")).toBe("day");
    expect(url.searchParams.get("doctors")).toBe(ids.drHouse);
    const shown = async (p: Page) => ({
      title: await p.getByTestId("range-title").textContent(),
      heads: await p.locator(".ec-col-head").allTextContents(),
      day: await p.getByRole("radio", { name: "Day" }).getAttribute("aria-checked"),
    });
    await page.locator(".ec-col-head", { hasText: "Dr House" }).first().waitFor();
    const before = await shown(page);
    expect(before.heads.join(" ")).not.toContain("Dr Cuddy");
    await page.reload();
    await page.locator(".ec-col-head", { hasText: "Dr House" }).first().waitFor();
    expect(await shown(page)).toEqual(before);
    // A colleague opens the link.
    const other = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(other, users.admin.email);
    await other.goto(url.pathname + url.search);
    await other.locator(".ec-col-head", { hasText: "Dr House" }).first().waitFor();
    expect(await shown(other)).toEqual(before);
    await other.context().close();
    // Next day, then Back returns to the day before.
    await page.getByRole("button", { name: "Next day" }).click();
    await expect.poll(() => page.url()).toContain(`date=${ymd(D() + DAY)}`);
    await page.goBack();
    await expect.poll(() => page.url()).toContain(`date=${ymd(D())}`);
    await expect.poll(async () => (await shown(page)).title).toBe(before.title);
    await page.context().close();
  });

  it("phone: Today, ‹ › and a date picker, without swiping", async () => {
    const page = await (await newContext(browser, PHONE)).newPage();
    await logIn(page);
    const title = page.getByTestId("range-title");
    const start = await title.textContent();
    await page.getByRole("button", { name: "Next day" }).tap();
    await expect.poll(() => title.textContent()).not.toBe(start);
    await page.getByRole("button", { name: "Previous day" }).tap();
    await expect.poll(() => title.textContent()).toBe(start);
    await page.getByLabel("Go to date").fill(ymd(D()));
    await expect.poll(() => page.url()).toContain(`date=${ymd(D())}`);
    await page.getByRole("button", { name: "Today" }).tap();
    await expect.poll(() => title.textContent()).toBe(start);
    for (const name of ["Today", "Previous day", "Next day", "New appointment"]) {
      const b = (await page.getByRole("button", { name }).boundingBox())!;
      expect(b.x + b.width).toBeLessThanOrEqual(390);
    }
    const cal = (await page.getByTestId("calendar").boundingBox())!;
    expect(cal.height / 844).toBeGreaterThanOrEqual(0.7);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "ui-phone-toolbar");
    await page.context().close();
  });
});

describe("cancel and notices", () => {
  it("Cancel asks in the app's own dialog (no window.confirm), and 'Keep' keeps it", async () => {
    const page = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(page);
    const native: string[] = [];
    page.on("dialog", (d) => (native.push(d.message()), void d.dismiss()));
    const id = await book(ids.drHouse, D() + 14 * HOUR, 30, ids.pAlice);
    await page.goto(`/appointments/${id}`);
    const panel = page.getByTestId("appointment-panel");
    await panel.getByRole("button", { name: "Cancel appointment" }).click();
    const ask = page.getByTestId("confirm-dialog");
    await ask.waitFor();
    expect(await ask.textContent()).toContain("Alice Archer");
    expect(await axeViolations(page)).toEqual([]);
    await ask.getByRole("button", { name: "Keep appointment" }).click();
    await ask.waitFor({ state: "detached" });
    expect((await api(admin, "get", `/api/appointments/${id}`)).body.appointment.status).toBe("scheduled");
    await panel.getByRole("button", { name: "Cancel appointment" }).click();
    await ask.getByRole("button", { name: "Cancel appointment" }).click();
    await expect.poll(async () => (await api(admin, "get", `/api/appointments/${id}`)).body.appointment.status).toBe("cancelled");
    expect(native).toEqual([]);
    await page.context().close();
  });

  it("a notice arrives live while the user is on Settings (one socket for the whole app)", async () => {
    const page = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(page, "cuddy@e2e.test");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Calendar integrations" }).waitFor();
    // The socket is opened at sign-in, not by the calendar: wait until it has said hello.
    await page.waitForTimeout(1500);
    const patient = await (await newContext(browser, PHONE)).newPage();
    await patient.goto(`/r/${patientLinks.notice.token}`);
    await patient.getByRole("button", { name: "Confirm" }).click();
    await patient.getByRole("status").waitFor();
    await page.getByTestId("toast").filter({ hasText: "A patient confirmed the appointment" }).waitFor({ timeout: 10_000 });
    // Leave Dr Cuddy's notices unread count as it was (the notices test counts from there).
    const mine = (await apiCall(page, "get", "/api/notices")).body.notices as { id: string; kind: string; readAt: string | null }[];
    for (const n of mine.filter((x) => x.kind === "patient_confirmed" && !x.readAt)) expect((await apiCall(page, "post", `/api/notices/${n.id}/read`)).status).toBe(200);
    await patient.context().close();
    await page.context().close();
  });
});
