// The receptionist's day, the admin side (issue #17): a day off on booked days lists the
// appointments and moves or cancels them (patients told), the reason shows in Day view; new
// doctors' dialog hours are what is saved and their colours differ; an admin books outside hours
// only on purpose; Connect buttons say when a provider is not set up; a receptionist's Settings
// has no 403s; axe finds nothing serious on the states that failed before.
import type { Browser, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { axeViolations } from "./axe";
import { DESKTOP, launch, logIn, newContext, PHONE, screenshot, slotPoint } from "./browser";
import { apiCall, bookAs } from "./staff-api";
import { ids, users } from "./seed";

/** axe's serious/critical findings as readable lines (rule: selectors), [] when clean. */
const axeLines = async (p: Page) => (await axeViolations(p)).map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.join(" | ")}`);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const today = () => inject("today");
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// Days no other browser test uses (receptionist-day uses +9, +15).
const OFF = () => today() + 11 * DAY;

let browser: Browser;
let admin: Page;

const api = apiCall;
const book = (doctorId: string, start: number, patientId: string, minutes = 30) => bookAs(admin, doctorId, start, patientId, minutes);
const statusOf = async (id: string) => (await api(admin, "get", `/api/appointments/${id}`)).body.appointment as { status: string; doctorId: string; start: string };

beforeAll(async () => {
  browser = await launch();
  admin = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(admin, users.admin.email);
});
afterAll(async () => browser?.close());

describe("a day off on booked days", () => {
  it("warns, then lists the appointments and moves one to a colleague and cancels the other; Day view shows the reason", async () => {
    const moveMe = await book(ids.drHouse, OFF() + 9 * HOUR, ids.pAlice);
    const cancelMe = await book(ids.drHouse, OFF() + 14 * HOUR, ids.pBob);
    await admin.goto(`/settings/doctors/${ids.drHouse}`);
    const timeOff = admin.getByTestId("time-off");
    await timeOff.waitFor();
    await timeOff.getByLabel("First day").fill(ymd(OFF()));
    await timeOff.getByLabel("Last day").fill(ymd(OFF()));
    await timeOff.getByLabel("Reason shown in the calendar").fill("Medical congress");
    // Before blocking: a warning with the count.
    await expect.poll(() => timeOff.getByTestId("time-off-warning").textContent(), { timeout: 10_000 }).toContain("2 appointments are booked on this day");
    await timeOff.getByRole("button", { name: "Block these days" }).click();
    const clashes = admin.getByTestId("time-off-clashes");
    await clashes.waitFor();
    expect(await clashes.getByRole("heading").textContent()).toContain("2 appointments are booked");
    expect(await clashes.textContent()).toContain("Alice Archer");
    expect(await clashes.textContent()).toContain("Bob Baker");
    expect(await axeLines(admin)).toEqual([]);
    await screenshot(admin, "ui-time-off-clashes");
    // Move Alice to Dr Cuddy at the same day's 09:00.
    await clashes.getByRole("button", { name: /^Move Alice Archer/ }).click();
    const form = clashes.getByTestId("reschedule-form");
    await form.getByLabel("Doctor").selectOption({ label: "Dr Cuddy" });
    const slot = form.getByTestId("reschedule-slot");
    await expect.poll(async () => (await slot.locator("option").allTextContents()).includes("09:00 – 09:30")).toBe(true);
    await slot.selectOption({ label: "09:00 – 09:30" });
    await form.getByRole("button", { name: "Move appointment" }).click();
    await expect.poll(async () => (await statusOf(moveMe)).doctorId).toBe(ids.drCuddy);
    await expect.poll(() => clashes.locator("li").count()).toBe(1);
    // Cancel Bob (the patient is told through the usual cancellation).
    await clashes.getByRole("button", { name: /^Cancel Bob Baker/ }).click();
    await expect.poll(async () => (await statusOf(cancelMe)).status).toBe("cancelled");
    await clashes.getByText("Nothing is booked on").waitFor();

    // Day view of that day: the reason is on screen, not only in an aria-label.
    const rec = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(rec);
    await rec.goto(`/?view=day&date=${ymd(OFF())}`);
    await rec.locator(".ec-col-head", { hasText: "Dr House" }).first().waitFor();
    await rec.getByTestId("day-notes").getByText("Dr House: Medical congress").waitFor();
    await rec.locator(".ec-bg-event.blocked", { hasText: "Medical congress" }).first().waitFor();
    expect(await axeLines(rec)).toEqual([]);
    await screenshot(rec, "ui-day-off-day-view");
    await rec.context().close();
  });
});

describe("new doctors", () => {
  it("the add-staff dialog shows the hours that are saved, and two new doctors get different colours", async () => {
    const made: { id: string; color: string; workingHours: unknown }[] = [];
    for (const n of [1, 2]) {
      await admin.goto("/settings/staff");
      await admin.getByRole("button", { name: "Add staff member" }).click();
      const dlg = admin.getByTestId("create-staff");
      await dlg.getByLabel("Name").fill(`Dr Newcomer ${n}`);
      await dlg.getByLabel("E-mail").fill(`newcomer${n}.${Date.now()}@e2e.test`);
      await dlg.getByLabel("Role").selectOption("doctor");
      // What the dialog shows for Monday…
      const monday = await dlg.locator("fieldset.hours-fieldset").locator("input[type=time]").evaluateAll((els) => els.slice(0, 4).map((e) => (e as HTMLInputElement).value));
      expect(monday).toEqual(["09:00", "12:00", "13:00", "17:00"]);
      if (n === 1) expect(await axeLines(admin)).toEqual([]);
      await dlg.getByLabel(/First password/).fill("newcomer password 1");
      await dlg.getByRole("button", { name: "Add", exact: true }).click();
      await dlg.waitFor({ state: "detached" });
      const d = ((await api(admin, "get", "/api/doctors")).body.doctors as { id: string; name: string; color: string; workingHours: Record<string, string[][]> }[]).find((x) => x.name === `Dr Newcomer ${n}`)!;
      made.push(d);
      // …is what was saved.
      expect(d.workingHours["1"]).toEqual([["09:00", "12:00"], ["13:00", "17:00"]]);
      expect(d.workingHours["6"] ?? []).toEqual([]);
    }
    const seeded = ["#7c3aed", "#0d9488"];
    expect(made[0].color).not.toBe(made[1].color);
    for (const m of made) expect(seeded).not.toContain(m.color);
    // Take them out of the calendar again for the other tests (deactivate).
    for (const m of made) await api(admin, "patch", `/api/doctors/${m.id}`, { active: false });
  });
});

describe("admin override of working hours", () => {
  it("an admin books a time outside hours only after ticking the override; a receptionist is not offered it", async () => {
    const day = today() + 13 * DAY;
    // Make 17:45 outside hours for Dr House for this test: hours end at 17:30 on that weekday.
    const wd = String(((new Date(day).getUTCDay() + 6) % 7) + 1);
    const hours = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", d === wd ? "17:30" : "18:00"]]]));
    expect((await api(admin, "patch", `/api/doctors/${ids.drHouse}`, { workingHours: hours })).status).toBe(200);
    try {
      await admin.goto(`/?view=day&date=${ymd(day)}`);
      await admin.locator(".ec-col-head", { hasText: "Dr House" }).first().waitFor();
      // The grid's last hour may be below the fold: scroll it into view first.
      await admin.locator(".ec-main").first().evaluate((el) => (el.scrollTop = el.scrollHeight));
      const q = await slotPoint(admin, "Dr House", "17:45");
      await admin.mouse.click(q.x, q.y);
      const dialog = admin.getByTestId("booking-dialog");
      await dialog.getByTestId("slot-refused").waitFor();
      const override = dialog.getByLabel(/Book at 17:45 anyway/);
      await override.check();
      await dialog.getByTestId("patient-search").fill("Carol");
      await dialog.getByRole("button", { name: /Carol Cooper/ }).click();
      const saved = admin.waitForResponse((r: Response) => r.url().endsWith("/api/appointments") && r.request().method() === "POST");
      await dialog.getByRole("button", { name: "Book appointment" }).click();
      const res = await saved;
      expect(res.status()).toBe(201);
      expect(res.request().postDataJSON().allowOutsideHours).toBe(true);
      const id = (await res.json()).appointment.id;
      const audit = await api(admin, "get", `/api/audit?entityType=appointment&entityId=${id}`);
      expect(audit.body.entries[0].summary.overrideHours).toBe(true);

      // A receptionist clicking the same kind of time gets the refusal, and no override.
      const rec = await (await newContext(browser, DESKTOP)).newPage();
      await logIn(rec);
      await rec.goto(`/?view=day&date=${ymd(day)}`);
      await rec.locator(".ec-col-head", { hasText: "Dr House" }).first().waitFor();
      await rec.locator(".ec-main").first().evaluate((el) => (el.scrollTop = el.scrollHeight));
      const r = await slotPoint(rec, "Dr House", "17:30");
      await rec.mouse.click(r.x, r.y);
      await rec.getByTestId("booking-dialog").getByTestId("slot-refused").waitFor();
      expect(await rec.getByTestId("booking-dialog").getByLabel(/anyway/).count()).toBe(0);
      await rec.context().close();
    } finally {
      const every = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", "18:00"]]]));
      await api(admin, "patch", `/api/doctors/${ids.drHouse}`, { workingHours: every });
    }
  });
});

describe("Settings", () => {
  it("a receptionist opening every Settings page gets no 403 and axe finds nothing serious", async () => {
    const rec = await (await newContext(browser, DESKTOP)).newPage();
    const refused: string[] = [];
    rec.on("response", (r) => r.status() === 403 && refused.push(`${r.request().method()} ${new URL(r.url()).pathname}`));
    await logIn(rec);
    await rec.getByRole("link", { name: "Settings" }).click();
    const nav = rec.getByRole("navigation", { name: "Settings" });
    await nav.waitFor();
    for (const link of await nav.getByRole("link").all()) {
      await link.click();
      await rec.waitForLoadState("networkidle");
      await rec.waitForTimeout(300);
      expect([await link.textContent(), await axeLines(rec)]).toEqual([await link.textContent(), []]);
    }
    expect(refused).toEqual([]);
    await rec.context().close();
  });

  it("Connect buttons of a provider the server has not set up are disabled with the reason", async () => {
    const doc = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(doc, "house@e2e.test");
    // The real answer, with Microsoft reported as not set up (this test server has both set up).
    await doc.route("**/api/integrations/providers", async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      expect(body.providers.google.configured).toBe(true);
      body.providers.microsoft = { configured: false, reason: "Outlook isn't set up on this server." };
      await route.fulfill({ response: res, json: body });
    });
    await doc.goto("/settings/integrations");
    const ms = doc.getByRole("button", { name: "Connect Microsoft Outlook / 365" });
    await ms.waitFor();
    await expect.poll(() => ms.isDisabled()).toBe(true);
    expect(await doc.getByText("Outlook isn't set up on this server.").count()).toBe(1);
    expect(await doc.getByRole("button", { name: "Connect Google Calendar" }).isDisabled()).toBe(false);
    expect(await axeLines(doc)).toEqual([]);
    await doc.context().close();
  });
});

describe("axe on the states that failed before", () => {
  it("an empty week (the grid's scroll area)", async () => {
    const rec = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(rec);
    await rec.goto(`/?view=week&date=${ymd(today() + 50 * DAY)}`);
    await rec.locator(".ec-col-head").first().waitFor();
    await rec.getByText("No appointments in this period").waitFor();
    expect(await axeLines(rec)).toEqual([]);
    await rec.context().close();
  });

  it("an unticked doctor chip", async () => {
    const rec = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(rec);
    await rec.getByRole("button", { name: "Dr Cuddy", exact: true }).click();
    await expect.poll(() => rec.getByRole("button", { name: "Dr Cuddy", exact: true }).getAttribute("aria-pressed")).toBe("false");
    expect(await axeLines(rec)).toEqual([]);
    await rec.context().close();
  });

  it("the phone month with a cancelled appointment listed", async () => {
    const phone = await (await newContext(browser, PHONE)).newPage();
    await logIn(phone);
    // Yesterday holds the seeded cancelled appointment.
    await phone.goto(`/?view=month&date=${ymd(today() - DAY)}`);
    await phone.locator(".pd-item.st-cancelled").first().waitFor({ timeout: 10_000 });
    expect(await axeLines(phone)).toEqual([]);
    await phone.context().close();
  });
});
