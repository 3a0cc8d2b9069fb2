// Calendar rough edges a receptionist meets every day (issue #12), on the desktop (1400×900):
// working time shaded with its reason, weekends hidden unless asked, cancelled appointments out
// of the way of their free slot, doctor tags in combined views, drag feedback and Undo, status
// buttons and restore, booking durations / Next free / an unreachable server, focus, the hover
// card, the patient's contact in the details, and axe on every view.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { axeViolations } from "./axe";
import { baseURL, boxOf, centerOf, chromeAccessibleName, confirmInApp, DESKTOP, eventEl, launch, logIn, newContext, screenshot, slotPoint } from "./browser";
import { ids, users } from "./seed";
import { apiCall as api } from "./staff-api";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const today = () => inject("today");
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();
// Days no other browser test books on (reschedule uses +4, notices +2).
const D = () => today() + 6 * DAY;
const EVERY_DAY = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", "18:00"]]]));

let browser: Browser;
let page: Page;
let admin: Page;
const errors: string[] = [];

async function book(doctorId: string, start: number, minutes = 30, patientId = ids.pBob): Promise<string> {
  const r = await api(admin, "post", "/api/appointments", { doctorId, patientId, start: iso(start), end: iso(start + minutes * 60_000), type: "consultation" });
  expect(r.status).toBe(201);
  return r.body.appointment.id;
}
async function setHours(doctorId: string, workingHours: unknown) {
  expect((await api(admin, "patch", `/api/doctors/${doctorId}`, { workingHours })).status).toBe(200);
}
/** Day view of clinic date `day` (fresh page state: doctors' hours are read at load). */
async function openDay(p: Page, day: string) {
  await p.reload();
  await p.getByTestId("calendar").waitFor();
  await p.getByRole("radio", { name: "Day" }).click();
  await p.locator("#date-picker").fill(day);
  await p.locator(".ec-col-head", { hasText: "Dr House" }).first().waitFor();
  await p.locator("body").click({ position: { x: 5, y: 5 } }); // focus off the date field (shortcuts)
}
const dialog = () => page.getByTestId("booking-dialog");
const panel = () => page.getByTestId("appointment-panel");
const selectedSlotText = () => dialog().getByTestId("slot-select").evaluate((s) => (s as unknown as HTMLSelectElement).selectedOptions[0]?.textContent ?? "");

beforeAll(async () => {
  browser = await launch();
  admin = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(admin, users.admin.email);
  page = await (await newContext(browser, DESKTOP)).newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  await logIn(page);
});
afterAll(async () => {
  // Put the seeded hours back for the other test files.
  if (admin) for (const d of [ids.drHouse, ids.drCuddy]) await setHours(d, EVERY_DAY).catch(() => {});
  await browser?.close();
});

describe("working time you can see", () => {
  it("shades Dr Cuddy's lunch break and refuses a click on it with the reason", async () => {
    const withBreak = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", "12:30"], ["13:30", "18:00"]]]));
    await setHours(ids.drCuddy, withBreak);
    await openDay(page, ymd(D()));
    const shade = page.locator('.ec-bg-event.off-hours[aria-label="Dr Cuddy\'s lunch break (12:30–13:30)"]');
    await shade.first().waitFor();
    // The visible day follows the clinic's hours: it starts at 08:00 (not 07:00).
    expect(await page.evaluate(() => document.querySelector(".ec-sidebar time")?.getAttribute("datetime"))).toMatch(/T08:00/);
    await screenshot(page, "ui-lunch-break");
    const p = await slotPoint(page, "Dr Cuddy", "13:00");
    await page.mouse.click(p.x, p.y);
    await dialog().waitFor();
    const refusal = dialog().getByTestId("slot-refused");
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("13:00 cannot be booked: Dr Cuddy's lunch break (12:30–13:30)");
    expect(await selectedSlotText()).toBe("Choose a free time");
    const offered = await dialog().getByTestId("slot-select").locator("option").allTextContents();
    expect(offered.filter((t) => /^1[23]:/.test(t) && !t.startsWith("13:30"))).toEqual([]);
    // Dr House works through: his 13:00 is free and bookable.
    await dialog().getByRole("button", { name: "Close", exact: true }).click();
    const h = await slotPoint(page, "Dr House", "13:00");
    await page.mouse.click(h.x, h.y);
    await expect.poll(selectedSlotText).toMatch(/^13:00/);
    expect(await dialog().getByTestId("slot-refused").count()).toBe(0);
    await dialog().getByRole("button", { name: "Close", exact: true }).click();
    await setHours(ids.drCuddy, EVERY_DAY);
  });

  it("hides weekends nobody works and shows them with the toggle", async () => {
    const weekdays = Object.fromEntries(["1", "2", "3", "4", "5"].map((d) => [d, [["08:00", "18:00"]]]));
    await setHours(ids.drHouse, weekdays);
    await setHours(ids.drCuddy, weekdays);
    await page.reload();
    await page.getByRole("radio", { name: "Week" }).click();
    await page.locator(".ec-col-head", { hasText: "Mon" }).first().waitFor();
    const heads = () => page.locator(".ec-col-head").allTextContents();
    await expect.poll(async () => (await heads()).some((t) => /Sat|Sun/.test(t))).toBe(false);
    const toggle = page.getByTestId("show-weekends");
    await toggle.check();
    await expect.poll(async () => (await heads()).filter((t) => /Sat|Sun/.test(t)).length).toBe(4); // two days × two doctors
    // Weekend days are shaded as days off.
    await page.locator('.ec-bg-event.off-hours[aria-label="Dr House\'s day off"]').first().waitFor();
    await screenshot(page, "ui-weekends");
    await toggle.uncheck();
    await setHours(ids.drHouse, EVERY_DAY);
    await setHours(ids.drCuddy, EVERY_DAY);
  });

  it("tags every block with its doctor in the combined view", async () => {
    await page.goto("/"); // today (a reload would keep the day the last test showed: issue #17)
    await page.getByRole("radio", { name: "Week" }).click();
    await eventEl(page, "f0".repeat(16)).first().waitFor();
    await page.getByRole("checkbox", { name: "Side by side" }).uncheck();
    const tag = eventEl(page, "f0".repeat(16)).first().locator(".doc-tag");
    await expect.poll(() => tag.isVisible()).toBe(true);
    expect(await tag.textContent()).toBe("HO");
    expect(await eventEl(page, "f2".repeat(16)).first().locator(".doc-tag").textContent()).toBe("CU");
    // The doctor's colour as a stripe (Dr House #7c3aed).
    expect(await eventEl(page, "f0".repeat(16)).first().evaluate((e) => getComputedStyle(e).boxShadow)).toContain("rgb(124, 58, 237)");
    await screenshot(page, "ui-combined");
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("checkbox", { name: "Side by side" }).check();
    // Side by side the column says who it is: no tag.
    await expect.poll(() => eventEl(page, "f0".repeat(16)).first().locator(".doc-tag").isVisible()).toBe(false);
  });
});

describe("cancelled appointments and status", () => {
  it("cancelling leaves a thin struck-through marker; the free slot under it books; staff restore it while free", async () => {
    const id = await book(ids.drCuddy, D() + 16 * HOUR);
    await openDay(page, ymd(D()));
    await eventEl(page, id).first().click();
    await panel().waitFor();
    // Not started yet: no Completed / No-show.
    await panel().getByRole("button", { name: "Mark confirmed" }).waitFor();
    expect(await panel().getByRole("button", { name: /Mark (completed|no-show)/ }).count()).toBe(0);
    await panel().getByRole("button", { name: "Cancel appointment" }).click();
    await confirmInApp(page, "Cancel appointment");
    await expect.poll(() => panel().getByTestId("status-badge").textContent()).toBe("Cancelled");
    await panel().getByRole("button", { name: "Close details" }).click();
    // The block is gone; a marker with the struck-through name remains.
    await expect.poll(() => eventEl(page, id).count()).toBe(0);
    const marker = page.locator(`.cx-tag[data-appointment-id="${id}"]`);
    await marker.waitFor();
    expect(await marker.evaluate((e) => getComputedStyle(e).textDecorationLine)).toBe("line-through");
    await screenshot(page, "ui-cancelled-marker");
    // A click on the free slot (not on the marker) books it.
    await page.getByTestId("toast").getByRole("button", { name: "Dismiss message" }).click();
    const p = await slotPoint(page, "Dr Cuddy", "16:00");
    await page.mouse.click(p.x + 40, p.y + 10);
    await dialog().waitFor();
    await expect.poll(selectedSlotText).toMatch(/^16:00/);
    await dialog().getByRole("button", { name: "Close", exact: true }).click();
    // The marker opens the cancelled appointment; "Restore" brings it back while the slot is free.
    await marker.click();
    await expect.poll(() => panel().getByTestId("status-badge").textContent()).toBe("Cancelled");
    // The server's answer first, then the screen: a failure then says which of the two went wrong
    // (this step failed once in CI with the badge still "Cancelled" and nothing else to go on).
    const restored = page.waitForResponse((r) => r.url().endsWith(`/api/appointments/${id}`) && r.request().method() === "PATCH");
    await panel().getByRole("button", { name: "Restore appointment" }).click();
    const answer = await restored;
    expect(answer.status(), await answer.text()).toBe(200);
    await expect.poll(() => panel().getByTestId("status-badge").textContent()).toBe("Scheduled");
    await eventEl(page, id).first().waitFor();
    expect((await api(admin, "get", `/api/appointments/${id}`)).body.appointment.status).toBe("scheduled");
    await panel().getByRole("button", { name: "Close details" }).click();
  });

  it("offers one-click statuses, Completed and No-show only once started, and the patient's contact", async () => {
    const started = await book(ids.drCuddy, today() - DAY + 10 * HOUR, 30, ids.pAlice);
    await openDay(page, ymd(today() - DAY));
    await eventEl(page, started).first().click();
    await panel().waitFor();
    // Focus moved into the panel (its heading).
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("panel-title");
    // Contact and the patient's page.
    expect(await panel().getByTestId("patient-phone").textContent()).toBe("+44 20 0000 0001");
    expect(await panel().getByRole("link", { name: "Open patient" }).getAttribute("href")).toBe(`/patients/${ids.pAlice}`);
    await panel().getByRole("button", { name: "Mark completed" }).click();
    await expect.poll(() => panel().getByTestId("status-badge").textContent()).toBe("Completed");
    const names = await panel().locator(".status-buttons button").allTextContents();
    expect(names).toEqual(["Mark scheduled", "Mark confirmed", "Mark no-show"]);
    expect((await api(admin, "get", `/api/appointments/${started}`)).body.appointment.status).toBe("completed");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "ui-details");
    await panel().getByRole("button", { name: "Close details" }).click();
  });
});

describe("drag feedback and Undo", () => {
  let a = "";
  let b = "";
  it("shows a taken slot as not allowed during the drag, before the drop", async () => {
    a = await book(ids.drCuddy, D() + 10 * HOUR);
    b = await book(ids.drCuddy, D() + 11 * HOUR);
    await openDay(page, ymd(D()));
    const from = await centerOf(page, `.ec-event[data-appointment-id="${a}"]`);
    const over = await slotPoint(page, "Dr Cuddy", "11:00");
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(from.x, from.y + ((over.y - from.y) * i) / 12);
    const hint = page.getByTestId("drag-hint");
    await hint.waitFor();
    expect(await hint.textContent()).toContain("Dr Cuddy already has Bob Baker at 11:00");
    expect(await page.getByTestId("calendar").getAttribute("class")).toContain("drag-refused");
    await screenshot(page, "ui-drag-refused");
    // Back over a free time: allowed again.
    const free = await slotPoint(page, "Dr Cuddy", "14:00");
    for (let i = 1; i <= 6; i++) await page.mouse.move(from.x, over.y + ((free.y - over.y) * i) / 6);
    await expect.poll(() => hint.count()).toBe(0);
    // Back over the taken slot and dropped: the server refuses and it goes back.
    for (let i = 1; i <= 6; i++) await page.mouse.move(from.x, free.y + ((over.y - free.y) * i) / 6);
    await hint.waitFor();
    const refused = page.waitForResponse((r) => r.url().includes(`/api/appointments/${a}`) && r.request().method() === "PATCH");
    await page.mouse.up();
    expect((await refused).status()).toBe(409);
    await expect.poll(() => eventEl(page, a).first().locator(".ec-event-time").textContent()).toBe("10:00–10:30");
    expect(await hint.count()).toBe(0);
  });

  it("offers Undo after a drag; Undo puts it back through the API with the version check", async () => {
    const from = await centerOf(page, `.ec-event[data-appointment-id="${a}"]`);
    const to = await slotPoint(page, "Dr Cuddy", "14:00");
    const moved = page.waitForResponse((r) => r.url().includes(`/api/appointments/${a}`) && r.request().method() === "PATCH");
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(from.x, from.y + ((to.y - from.y) * i) / 12);
    await page.mouse.up();
    expect((await moved).status()).toBe(200);
    const toast = page.getByTestId("toast").filter({ hasText: "Moved to 14:00" });
    await toast.waitFor();
    await screenshot(page, "ui-undo-toast");
    const undo = page.waitForResponse((r) => r.url().includes(`/api/appointments/${a}`) && r.request().method() === "PATCH");
    await toast.getByRole("button", { name: "Undo" }).click();
    const res = await undo;
    expect(res.status()).toBe(200);
    // Sent with the version the move produced (2), so a change by someone else in between would be refused.
    expect(JSON.parse(res.request().postData() ?? "{}")).toMatchObject({ version: 2, start: iso(D() + 10 * HOUR) });
    await expect.poll(() => eventEl(page, a).first().locator(".ec-event-time").textContent()).toBe("10:00–10:30");
    const stored = (await api(admin, "get", `/api/appointments/${a}`)).body.appointment;
    expect([stored.start, stored.version]).toEqual([iso(D() + 10 * HOUR), 3]);
    void b;
  });

  it("Undo after someone else changed it meanwhile is refused, not forced", async () => {
    const from = await centerOf(page, `.ec-event[data-appointment-id="${a}"]`);
    const to = await slotPoint(page, "Dr Cuddy", "15:00");
    const moved = page.waitForResponse((r) => r.url().includes(`/api/appointments/${a}`) && r.request().method() === "PATCH");
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(from.x, from.y + ((to.y - from.y) * i) / 12);
    await page.mouse.up();
    expect((await moved).status()).toBe(200);
    const toast = page.getByTestId("toast").filter({ hasText: "Moved to 15:00" });
    await toast.waitFor();
    // A colleague edits the notes in between (version 4 → 5): Undo must not overwrite that.
    expect((await api(admin, "patch", `/api/appointments/${a}`, { version: 4, notes: "changed elsewhere" })).status).toBe(200);
    const undo = page.waitForResponse((r) => r.url().includes(`/api/appointments/${a}`) && r.request().method() === "PATCH");
    await toast.getByRole("button", { name: "Undo" }).click();
    const res = await undo;
    expect(res.status()).toBe(409);
    expect(JSON.parse(res.request().postData() ?? "{}")).toMatchObject({ version: 4 });
    await page.getByTestId("toast").filter({ hasText: "Not undone" }).waitFor();
    const stored = (await api(admin, "get", `/api/appointments/${a}`)).body.appointment;
    expect([stored.start, stored.notes]).toEqual([iso(D() + 15 * HOUR), "changed elsewhere"]);
    await expect.poll(() => eventEl(page, a).first().locator(".ec-event-time").textContent()).toBe("15:00–15:30");
  });
});

describe("doctor role", () => {
  it("a doctor cannot book or drag into a colleague's column", async () => {
    const ctx = await newContext(browser, DESKTOP);
    const doc = await ctx.newPage();
    await logIn(doc, "house@e2e.test");
    const own = await book(ids.drHouse, D() + 9 * HOUR);
    await openDay(doc, ymd(D()));
    const p = await slotPoint(doc, "Dr Cuddy", "15:30");
    await doc.mouse.click(p.x, p.y);
    await doc.getByTestId("toast").filter({ hasText: "only book into your own calendar" }).waitFor();
    expect(await doc.getByTestId("booking-dialog").count()).toBe(0);
    // Dragging his own block toward Dr Cuddy's column: refused while dragging, nothing sent.
    let patched = false;
    doc.on("request", (r) => r.method() === "PATCH" && r.url().includes(own) && (patched = true));
    const from = await centerOf(doc, `.ec-event[data-appointment-id="${own}"]`);
    const cuddy = await slotPoint(doc, "Dr Cuddy", "09:00");
    await doc.mouse.move(from.x, from.y);
    await doc.mouse.down();
    for (let i = 1; i <= 12; i++) await doc.mouse.move(from.x + ((cuddy.x - from.x) * i) / 12, from.y);
    await doc.getByTestId("drag-hint").filter({ hasText: "within your own calendar" }).waitFor();
    await doc.mouse.up();
    await doc.waitForTimeout(300);
    expect(patched).toBe(false);
    const box = await boxOf(doc, `.ec-event[data-appointment-id="${own}"]`);
    const head = (await doc.locator(".ec-col-head", { hasText: "Dr House" }).first().boundingBox())!;
    expect(box.x >= head.x - 1 && box.x < head.x + head.width).toBe(true);
    // His own column books as usual, and the dialog offers only himself.
    const mine = await slotPoint(doc, "Dr House", "15:30");
    await doc.mouse.click(mine.x, mine.y);
    await doc.getByTestId("booking-dialog").waitFor();
    expect(await doc.getByTestId("booking-dialog").getByLabel("Doctor").locator("option").allTextContents()).toEqual(["Dr House"]);
    await ctx.close();
  });
});

describe("booking", () => {
  it("sizes the offered times by the appointment type and clears a stale 'Pick a free time.'", async () => {
    await openDay(page, ymd(D() + DAY));
    const p = await slotPoint(page, "Dr House", "09:00");
    await page.mouse.click(p.x, p.y);
    await dialog().waitFor();
    await expect.poll(selectedSlotText).toBe("09:00 – 09:30");
    await dialog().getByTestId("type-select").selectOption("procedure");
    await expect.poll(async () => (await dialog().getByTestId("slot-select").locator("option").allTextContents()).includes("09:00 – 10:00")).toBe(true);
    // Lunch 12:00–13:00 is blocked: an hour-long visit cannot start at 11:30.
    expect(await dialog().getByTestId("slot-select").locator("option").allTextContents()).not.toContain("11:30 – 12:30");
    await dialog().getByTestId("slot-select").selectOption({ label: "Choose a free time" });
    await dialog().getByRole("button", { name: "Book appointment" }).click();
    const err = dialog().locator("#err-start");
    await err.waitFor();
    expect(await err.textContent()).toBe("Pick a free time.");
    await dialog().getByTestId("slot-select").selectOption({ label: "10:00 – 11:00" });
    await err.waitFor({ state: "detached" });
    await dialog().getByTestId("patient-search").fill("Car");
    await dialog().getByRole("button", { name: /Carol Cooper/ }).click();
    await dialog().getByRole("button", { name: "Book appointment" }).click();
    await dialog().waitFor({ state: "detached" });
    await page.locator(".ec-event.appt", { hasText: "Carol Cooper" }).filter({ hasText: "10:00–11:00" }).first().waitFor();
  });

  it("uses the doctor's own appointment types and their durations (admin doctor screen)", async () => {
    const patch = (appointmentTypes: unknown) => api(admin, "patch", `/api/doctors/${ids.drHouse}`, { appointmentTypes });
    expect((await patch([{ name: "long check", minutes: 45 }, { name: "quick jab", minutes: 10 }])).status).toBe(200);
    try {
      await openDay(page, ymd(D() + 2 * DAY));
      const p = await slotPoint(page, "Dr House", "09:00");
      await page.mouse.click(p.x, p.y);
      await dialog().waitFor();
      expect(await dialog().getByTestId("type-select").locator("option").allTextContents()).toEqual(["long check (45 min)", "quick jab (10 min)"]);
      await expect.poll(selectedSlotText).toBe("09:00 – 09:45");
      await dialog().getByTestId("type-select").selectOption("quick jab");
      await expect.poll(async () => (await dialog().getByTestId("slot-select").locator("option").allTextContents()).includes("09:00 – 09:10")).toBe(true);
      await dialog().getByRole("button", { name: "Close", exact: true }).click();
    } finally {
      expect((await patch([])).status).toBe(200);
    }
  });

  it("Next free jumps to the earliest free time, for the doctor or for any doctor", async () => {
    await openDay(page, ymd(today()));
    const fits = (slots: { start: string; end: string }[], ms: number) => {
      const s = [...slots].sort((x, y) => x.start.localeCompare(y.start));
      return s.filter((x, i) => {
        let end = Date.parse(x.end);
        for (let j = i + 1; end < Date.parse(x.start) + ms && j < s.length && Date.parse(s[j].start) === end; j++) end = Date.parse(s[j].end);
        return end >= Date.parse(x.start) + ms;
      });
    };
    const earliest = async (doctorId: string) => {
      const r = await api(admin, "get", `/api/availability?doctorId=${doctorId}&from=${ymd(today())}&to=${ymd(today() + 27 * DAY)}`);
      return fits(r.body.slots, 30 * 60_000).find((s: { start: string }) => Date.parse(s.start) >= Date.now())!.start as string;
    };
    await page.getByRole("button", { name: "New appointment" }).click();
    await dialog().waitFor();
    await dialog().getByLabel("Doctor").selectOption({ label: "Dr Cuddy" });
    await dialog().getByLabel("Date").fill(ymd(today() + 20 * DAY));
    await dialog().getByTestId("next-free").click();
    const want = await earliest(ids.drCuddy);
    const hhmm = (s: string) => s.slice(11, 16);
    await expect.poll(selectedSlotText).toMatch(new RegExp(`^${hhmm(want)}`));
    expect(await dialog().getByLabel("Date").inputValue()).toBe(want.slice(0, 10));
    // Someone books that time for Dr Cuddy: "any doctor" now finds the earliest over both.
    const taken = await book(ids.drCuddy, Date.parse(want), 30, ids.pAlice);
    const [h, c] = [await earliest(ids.drHouse), await earliest(ids.drCuddy)];
    expect(c > want).toBe(true);
    // The earlier of the two (on a tie, either doctor is right).
    const any = { s: h < c ? h : c, names: h === c ? ["Dr Cuddy", "Dr House"] : [h < c ? "Dr House" : "Dr Cuddy"] };
    await dialog().getByTestId("next-free-any").click();
    await expect.poll(async () => any.names.includes((await dialog().getByLabel("Doctor").evaluate((s) => (s as unknown as HTMLSelectElement).selectedOptions[0].textContent)) ?? "")).toBe(true);
    await expect.poll(selectedSlotText).toMatch(new RegExp(`^${hhmm(any.s)}`));
    await dialog().getByRole("button", { name: "Close", exact: true }).click();
    // Its time depends on the clock (today 13:00 when run around noon): left in place, it sat on
    // the slot calendar-ui-phone.test.ts (a later file on the same D1) taps to see a lunch break.
    expect((await api(admin, "delete", `/api/appointments/${taken}`)).status).toBe(200);
  });

  it("says the server cannot be reached instead of loading forever, and recovers", async () => {
    await openDay(page, ymd(today()));
    await page.route("**/api/availability**", (r) => r.abort("connectionrefused"));
    const opener = page.getByRole("button", { name: "New appointment" });
    await opener.click();
    await dialog().waitFor();
    const msg = dialog().getByTestId("slots-error");
    await msg.waitFor();
    expect(await msg.textContent()).toContain("server cannot be reached");
    // Not loading forever: a live refresh of the list (another file's booking reaching this
    // screen) may start one more try, which fails the same way and ends.
    await expect.poll(() => dialog().getByText("loading free times").count()).toBe(0);
    await page.unroute("**/api/availability**");
    const retry = msg.getByRole("button", { name: "Retry" });
    const select = dialog().getByTestId("slot-select");
    // Retry (unless the list already came back by itself on a good answer from the server).
    await Promise.race([retry.click().catch(() => {}), select.waitFor()]);
    await select.waitFor({ timeout: 10_000 });
    expect(await dialog().getByTestId("slots-error").count()).toBe(0);
    await dialog().getByRole("button", { name: "Close", exact: true }).click();
    expect(errors).toEqual([]);
  });

  it("starts on the first field, keeps Tab inside the dialog, and returns focus to what opened it", async () => {
    await openDay(page, ymd(today()));
    const opener = page.getByRole("button", { name: "New appointment" });
    await opener.click();
    await dialog().waitFor();
    const active = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest("label")?.firstChild?.textContent?.trim() ?? document.activeElement?.textContent?.trim());
    await expect.poll(active).toBe("Doctor");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "ui-booking");
    // Shift+Tab from the first control wraps to the last one inside the dialog, Tab wraps back.
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    const inside = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid="booking-dialog"]'));
    expect(await inside()).toBe(true);
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press("Tab");
      expect(await inside()).toBe(true);
    }
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "detached" });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("New appointment");
  });
});

describe("hover card and accessibility", () => {
  it("shows a hover card with time, patient, type, status and sync state", async () => {
    await openDay(page, ymd(today()));
    await eventEl(page, "f1".repeat(16)).first().hover();
    const card = page.getByTestId("hover-card");
    await card.waitFor();
    const text = await card.textContent();
    for (const part of ["10:00–10:30", "Bob Baker", "consultation", "Confirmed"]) expect(text).toContain(part);
    await expect.poll(() => card.getByTestId("hover-sync").textContent()).toBe("Not synced to an external calendar");
    // No browser tooltip on the block.
    expect(await eventEl(page, "f1".repeat(16)).first().getAttribute("title")).toBe(null);
    await screenshot(page, "ui-hover");
    await page.mouse.move(5, 300);
    await card.waitFor({ state: "detached" });
  });

  it("has no serious or critical axe violations in month, week and day", async () => {
    for (const v of ["Month", "Week", "Day"]) {
      await page.getByRole("radio", { name: v }).click();
      await page.waitForTimeout(400);
      expect({ v, found: await axeViolations(page) }).toEqual({ v, found: [] });
    }
    // Each block's accessible name, as Chrome gives it to a screen reader: its time, the visible
    // title, then status and doctor, read as one phrase ("consultation, Confirmed", no stray space).
    const name = await chromeAccessibleName(page, `.ec-event[data-appointment-id="${"f1".repeat(16)}"]`);
    expect(name).toMatch(/^10:00–10:30 \S.* · [a-z ]+, Confirmed, Dr [A-Z]/);
    expect(name).not.toContain(" ,");
  });
});
