// Patients (issue 12): the list with search, a new patient, editing, and the appointment history on
// /patients/:id, as a receptionist, on desktop and phone.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "./axe";
import { baseURL, DESKTOP, launch, logIn, newContext, PHONE, screenshot } from "./browser";
import { ids, users } from "./seed";

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  page = await (await newContext(browser, DESKTOP)).newPage();
  await logIn(page, users.reception.email);
});
afterAll(async () => browser?.close());

const rows = (p: Page) => p.getByTestId("patient-list").locator("tbody tr");

describe("patients", () => {
  it("lists patients and finds them by name and by phone digits; the search is in the address", async () => {
    await page.getByRole("link", { name: "Patients" }).click();
    await page.getByRole("heading", { name: "Patients" }).waitFor();
    await expect.poll(() => rows(page).count()).toBeGreaterThanOrEqual(3);
    const search = page.getByLabel("Search by name, phone or e-mail");
    // (The seeded rows have no patient_terms, so only name prefixes here; "zea" below finds a later word.)
    await search.fill("bob");
    await expect.poll(() => rows(page).allTextContents()).toEqual([expect.stringContaining("Bob Baker")]);
    await search.fill("4420 0000 0003");
    await expect.poll(() => rows(page).allTextContents()).toEqual([expect.stringContaining("Carol Cooper")]);
    // The search is in the address: a reload shows the same list.
    await page.reload();
    await expect.poll(() => rows(page).allTextContents()).toEqual([expect.stringContaining("Carol Cooper")]);
    await search.fill("nobody-like-this");
    await page.getByText("No patient matches").waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it("creates a patient with every field, finds them, edits them; the change survives a reload", async () => {
    await page.goto("/patients");
    await page.getByRole("button", { name: "New patient" }).click();
    const dlg = page.getByTestId("new-patient");
    await dlg.getByLabel("Name").fill("Zoe Zeal");
    await dlg.getByLabel("Phone").fill("+44 7700 900123");
    await dlg.getByLabel("E-mail").fill("zoe@example.test");
    await dlg.getByLabel("Date of birth").fill("1990-04-05");
    await dlg.getByLabel("Notes").fill("Prefers mornings");
    expect(await axeViolations(page)).toEqual([]);
    await dlg.getByRole("button", { name: "Add patient" }).click();
    await page.getByRole("heading", { name: "Zoe Zeal" }).waitFor();
    const id = /\/patients\/([0-9a-f]{32})$/.exec(page.url())?.[1];
    expect(id).toBeTruthy();
    await page.getByText("No appointments yet.").waitFor();
    expect(await page.getByLabel("Notes").inputValue()).toBe("Prefers mornings");

    await page.getByLabel("Phone").fill("+44 7700 900999");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByTestId("toast").filter({ hasText: "Patient saved." }).waitFor();
    await page.reload();
    await expect.poll(() => page.getByLabel("Phone").inputValue()).toBe("+44 7700 900999");
    expect(await page.getByLabel("Date of birth").inputValue()).toBe("1990-04-05");

    await page.goto("/patients");
    await page.getByLabel("Search by name, phone or e-mail").fill("zea");
    await expect.poll(() => rows(page).allTextContents()).toEqual([expect.stringContaining("Zoe Zeal")]);
    await page.getByRole("link", { name: "Zoe Zeal" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/patients/${id}`);

    // A booking for her appears in her history, with its doctor and status.
    const start = new Date(Date.now() + 3 * 86_400_000);
    start.setUTCHours(14, 0, 0, 0);
    const res = await page.request.post("/api/appointments", {
      headers: { origin: baseURL() },
      data: { doctorId: ids.drCuddy, patientId: id, start: start.toISOString(), end: new Date(start.getTime() + 30 * 60_000).toISOString() },
    });
    expect(res.status()).toBe(201);
    const appt = (await res.json()).appointment;
    await page.reload();
    const line = page.getByTestId("patient-history").locator(`li[data-appointment-id="${appt.id}"]`);
    await line.waitFor();
    expect(await line.textContent()).toMatch(/Dr Cuddy.*consultation.*Scheduled/);
    // Cancel it so the slot is free again for the other tests.
    await page.request.post(`/api/appointments/${appt.id}/cancel`, { headers: { origin: baseURL() }, data: { version: appt.version } });
  });

  it("a patient's history lists every status, newest first, and opens an appointment in the calendar", async () => {
    await page.goto(`/patients/${ids.pAlice}`);
    const lines = page.getByTestId("patient-history").locator("li");
    await expect.poll(() => lines.count()).toBeGreaterThanOrEqual(2);
    const seen = await lines.evaluateAll((els) => els.map((e) => e.getAttribute("data-appointment-id")));
    // Seed: f3 (tomorrow, no-show) after f0 (today, scheduled).
    expect(seen.indexOf("f3".repeat(16))).toBeLessThan(seen.indexOf("f0".repeat(16)));
    expect(await page.locator(`li[data-appointment-id="${"f3".repeat(16)}"]`).textContent()).toContain("No-show");
    expect(await axeViolations(page)).toEqual([]);
    await page.locator(`li[data-appointment-id="${"f0".repeat(16)}"] a`).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/appointments/${"f0".repeat(16)}`);
    await page.getByTestId("appointment-panel").waitFor();
  });

  it("on a phone, the list and a patient page fit and pass axe", async () => {
    const phone = await (await newContext(browser, PHONE)).newPage();
    await logIn(phone, users.reception.email);
    await phone.goto("/patients");
    await expect.poll(() => rows(phone).count()).toBeGreaterThanOrEqual(3);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    expect(await axeViolations(phone)).toEqual([]);
    await phone.goto(`/patients/${ids.pBob}`);
    await phone.getByRole("heading", { name: "Bob Baker" }).waitFor();
    expect(await axeViolations(phone)).toEqual([]);
    await screenshot(phone, "patient-phone");
    await phone.close();
  });
});
