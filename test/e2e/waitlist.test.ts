// Issue #20 in a real browser: a patient moves their appointment from the link on a phone and
// the receptionist's open calendar shows the new time without a reload; the Waitlist screen adds a
// patient and shows the offer a cancellation sends, live.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "./axe";
import { DESKTOP, eventEl, launch, logIn, newContext, PHONE, screenshot } from "./browser";
import { dayStart, ids, rescheduleLink, standbyOffer, users } from "./seed";

let browser: Browser;
beforeAll(async () => (browser = await launch()));
afterAll(async () => browser?.close());

const HOUR = 3_600_000;

/** fetch from inside the logged-in page (same origin: session cookie and Origin header as the SPA sends them). */
async function api(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p as string, { method: m as string, headers: { "content-type": "application/json" }, body: b === undefined ? undefined : JSON.stringify(b) });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    [method, path, body] as const,
  );
}

describe("self-reschedule from the patient's link (phone) with the staff calendar open", () => {
  it("the patient picks another time; the receptionist's calendar moves the appointment live", async () => {
    const staff = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(staff, users.reception.email);
    // The calendar's Day view, 12 days ahead ("j" = next day).
    await staff.getByRole("radio", { name: "Day" }).click();
    for (let i = 0; i < 12; i++) await staff.keyboard.press("j");
    const block = eventEl(staff, rescheduleLink.appointmentId).first();
    await block.waitFor({ timeout: 15_000 });
    await expect.poll(() => block.locator(".ec-event-time").textContent()).toBe("16:00–16:30");
    await staff.getByTestId("live-state").filter({ hasText: /^Live$/ }).waitFor({ timeout: 10_000 });

    // bypassCSP only so the test can inject axe-core: the page's own CSP forbids every script.
    const phone = await (await newContext(browser, { ...PHONE, bypassCSP: true })).newPage();
    await phone.goto(`/r/${rescheduleLink.token}`);
    await phone.getByRole("link", { name: "Choose another time" }).click();
    await phone.getByRole("heading", { name: "Choose another time" }).waitFor();
    expect(await phone.locator("script").count()).toBe(0);
    const day = dayStart(Date.now()) + 12 * 24 * HOUR;
    const label = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "long", day: "numeric", month: "long" }).format(new Date(day));
    const details = phone.locator("details", { hasText: label });
    await details.locator("summary").click();
    const time = details.getByRole("button", { name: "17:00", exact: true });
    // Big enough to tap and inside the 390 px screen.
    const box = await time.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(40);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(await axeViolations(phone)).toEqual([]);
    await screenshot(phone, "self-reschedule-phone");
    await time.click();
    await phone.getByRole("status").waitFor();
    expect(await phone.getByRole("status").innerText()).toMatch(/Your appointment is moved to .+ at 17:00/);
    expect(await phone.locator("body").innerText()).toContain("17:00");

    // The receptionist's screen follows without a reload, and she gets a notice.
    await expect.poll(() => block.locator(".ec-event-time").textContent(), { timeout: 10_000 }).toBe("17:00–17:30");
    await phone.context().close();
    await staff.context().close();
  });
});

describe("Waitlist screen", () => {
  it("adds a patient, and a cancellation's offer to them shows up live", async () => {
    const page = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(page, users.reception.email);
    // A patient with an e-mail address (offers go by e-mail here: no SMS provider in the browser tests).
    const made = await api(page, "POST", "/api/patients", { name: "Wendy Waiting", email: "wendy@e2e.test", phone: "" });
    expect(made.status).toBe(201);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Waitlist" }).click();
    await page.getByRole("heading", { name: "Waitlist", exact: true }).waitFor();
    await page.getByRole("button", { name: "Add to waitlist" }).click();
    const form = page.getByTestId("waitlist-form");
    await form.getByTestId("waitlist-patient-search").fill("Wendy");
    await form.getByRole("button", { name: /Wendy Waiting/ }).click();
    await form.getByTestId("waitlist-doctor").selectOption({ label: "Dr House" });
    await form.getByTestId("waitlist-times").selectOption("afternoons");
    await form.getByLabel("E-mail").check();
    await form.getByRole("button", { name: "Add to waitlist" }).click();
    const row = page.getByTestId("waitlist-entries").locator("tr", { hasText: "Wendy Waiting" });
    await row.waitFor();
    expect(await row.innerText()).toContain("afternoons");
    expect(await axeViolations(page, "main")).toEqual([]);

    // Someone else's afternoon appointment with Dr House five days ahead is cancelled.
    const start = dayStart(Date.now()) + 5 * 24 * HOUR + 15 * HOUR;
    const booked = await api(page, "POST", "/api/appointments", { doctorId: ids.drHouse, patientId: ids.pCarol, start: new Date(start).toISOString(), end: new Date(start + HOUR / 2).toISOString() });
    expect(booked.status).toBe(201);
    const cancelled = await api(page, "POST", `/api/appointments/${booked.body.appointment.id}/cancel`, { version: booked.body.appointment.version });
    expect(cancelled.status).toBe(200);
    const offer = page.getByTestId("waitlist-offers").locator("tr", { hasText: "Wendy Waiting" });
    await offer.waitFor({ timeout: 10_000 });
    await expect.poll(() => offer.getAttribute("data-offer-state"), { timeout: 10_000 }).toBe("sent");
    expect(await offer.innerText()).toContain("15:00");
    await screenshot(page, "waitlist-screen");
    await page.context().close();
  });

  it("a standby offer says plainly that the time is booked and when it would become theirs; standing by books nothing", async () => {
    // bypassCSP only so the test can inject axe-core: the page's own CSP forbids every script.
    const phone = await (await newContext(browser, { ...PHONE, bypassCSP: true })).newPage();
    await phone.goto(`/w/${standbyOffer.token}`);
    await phone.getByRole("heading", { name: "Standby offer: this time may come free" }).waitFor();
    const text = await phone.locator("main").innerText();
    expect(text).toContain("This time is booked by another patient who has not confirmed it.");
    expect(text).toMatch(/It becomes yours only if the patient booked at that time cancels by .+ at 07:00\./);
    expect(text).not.toContain("Alice");
    expect(await phone.getByRole("button", { name: "Book this time" }).count()).toBe(0);
    expect(await axeViolations(phone, "main")).toEqual([]);
    await phone.getByRole("button", { name: "Stand by for this time" }).click();
    await phone.getByRole("status").filter({ hasText: "You are standing by for this time." }).waitFor();
    expect(await phone.locator("main").innerText()).toContain("If that happens it is booked for you and we will tell you; if not, you stay on the waitlist.");
    await screenshot(phone, "waitlist-standby-offer");
    // Nothing booked: the held appointment is still the only one at that time.
    const staff = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(staff, users.reception.email);
    const held = await api(staff, "GET", `/api/appointments/${standbyOffer.heldId}`);
    expect(held.body.appointment.status).toBe("scheduled");
    const start = held.body.appointment.start as string;
    const around = await api(staff, "GET", `/api/appointments?from=${encodeURIComponent(start)}&to=${encodeURIComponent(new Date(Date.parse(start) + HOUR / 2).toISOString())}`);
    expect(around.body.appointments.filter((a: any) => a.status !== "cancelled").map((a: any) => a.id)).toEqual([standbyOffer.heldId]);
    await phone.context().close();
    await staff.context().close();
  });
});
