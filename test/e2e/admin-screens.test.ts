// The admin screens (issue 12): staff create/disable/reset, a doctor's settings edited by an admin
// reaching another open calendar live, a doctor editing their own hours, slot length and time off,
// appointment types, clinic settings, and the Google-not-configured sentence on the settings page.
// Every change to the shared seeded clinic is put back afterwards (other files use it).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "./axe";
import { baseURL, confirmInApp, DESKTOP, launch, logIn, newContext, screenshot } from "./browser";
import { E2E_PASSWORD, ids, users } from "./seed";

let browser: Browser;
let admin: Page;
let adminToken = "";

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${baseURL()}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const SEEDED_HOURS = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", "18:00"]]]));

beforeAll(async () => {
  browser = await launch();
  admin = await (await newContext(browser, DESKTOP)).newPage();
  admin.on("dialog", (d) => void d.accept());
  await logIn(admin, users.admin.email);
  const r = await fetch(`${baseURL()}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseURL() },
    body: JSON.stringify({ email: users.admin.email, password: E2E_PASSWORD }),
  });
  adminToken = ((await r.json()) as any).token;
});

afterAll(async () => {
  // Put the seeded clinic back as the other browser tests expect it.
  for (const [id, color] of [
    [ids.drHouse, "#7c3aed"],
    [ids.drCuddy, "#0d9488"],
  ])
    await api("PATCH", `/api/doctors/${id}`, { color, slotMinutes: 30, workingHours: SEEDED_HOURS, appointmentTypes: [] });
  await api("PATCH", "/api/clinic", { address: "1 River Rd", reminderMinutes: [1440, 60] });
  await browser?.close();
});

describe("staff", () => {
  it("an admin adds a receptionist who can log in; disabling cuts their session and log-in; a reset password works", async () => {
    await admin.goto("/settings/staff");
    await admin.getByRole("button", { name: "Add staff member" }).click();
    const dlg = admin.getByTestId("create-staff");
    expect(await axeViolations(admin)).toEqual([]);
    await dlg.getByLabel("Name").fill("Sam Staff");
    await dlg.getByLabel("E-mail").fill("sam@e2e.test");
    await dlg.getByLabel("Role").selectOption("receptionist");
    await dlg.getByLabel(/First password/).fill("sam first password");
    await dlg.getByRole("button", { name: "Add", exact: true }).click();
    const row = admin.locator("tr", { hasText: "sam@e2e.test" });
    await row.waitFor();
    expect(await row.textContent()).toContain("Receptionist");

    const sam = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(sam, "sam@e2e.test", "sam first password");

    await row.getByRole("button", { name: "Disable Sam Staff" }).click();
    await confirmInApp(admin, "Disable");
    await expect.poll(() => row.getAttribute("data-disabled")).toBe("true");
    expect(await row.textContent()).toContain("Disabled");
    // Sam's open session is over: the next load shows the log-in, and logging in again is refused.
    await sam.reload();
    await sam.getByRole("button", { name: "Log in" }).waitFor();
    await sam.getByLabel("E-mail").fill("sam@e2e.test");
    await sam.getByLabel("Password").fill("sam first password");
    await sam.getByRole("button", { name: "Log in" }).click();
    await sam.getByText(/disabled/i).waitFor();

    await row.getByRole("button", { name: "Enable Sam Staff" }).click();
    await expect.poll(() => row.getAttribute("data-disabled")).toBe("false");
    await row.getByRole("button", { name: "Reset password for Sam Staff" }).click();
    await admin.getByTestId("reset-password").getByLabel(/New password/).fill("sam second password");
    await admin.getByTestId("reset-password").getByRole("button", { name: "Set password" }).click();
    await admin.getByTestId("toast").filter({ hasText: "New password set for Sam Staff." }).waitFor();
    await sam.close();
    const again = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(again, "sam@e2e.test", "sam second password");
    await again.close();
  });
});

describe("doctors", () => {
  it("an admin's edit of a doctor's colour and hours shows up in another open calendar without a reload", async () => {
    const rita = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(rita, users.reception.email);
    const chip = rita.locator(".chip", { hasText: "Dr Cuddy" });
    await chip.waitFor();

    await admin.goto("/settings/doctors");
    await admin.getByRole("link", { name: "Dr Cuddy" }).click();
    await admin.getByTestId("working-hours").waitFor();
    expect(new URL(admin.url()).pathname).toBe(`/settings/doctors/${ids.drCuddy}`);
    await admin.getByLabel("Colour in the calendar").fill("#b91c1c");
    // Saturday: a break 12:00–13:00 (two blocks); Sunday: a day off.
    const sat = admin.locator('fieldset[data-day="6"]');
    await sat.locator('input[type="time"]').nth(1).fill("12:00");
    await sat.getByRole("button", { name: "+ hours after a break on Saturday" }).click();
    await sat.locator('input[type="time"]').nth(2).fill("13:00");
    await sat.locator('input[type="time"]').nth(3).fill("18:00");
    await admin.locator('fieldset[data-day="7"]').getByRole("button", { name: /Remove Sunday/ }).click();
    await admin.getByRole("button", { name: "Save changes" }).click();
    await admin.getByTestId("toast").filter({ hasText: "Saved Dr Cuddy." }).waitFor();

    const saved = (await api("GET", `/api/doctors/${ids.drCuddy}`)).body.doctor;
    expect(saved.workingHours["6"]).toEqual([
      ["08:00", "12:00"],
      ["13:00", "18:00"],
    ]);
    expect(saved.workingHours["7"]).toBeUndefined();
    // Live: Rita's calendar took the new colour from the pushed doctor record.
    await expect.poll(() => chip.evaluate((el) => (el as HTMLElement).style.getPropertyValue("--chip")), { timeout: 5000 }).toBe("#b91c1c");
    await rita.close();
  });

  it("refuses overlapping hours with the day named, and saves nothing", async () => {
    await admin.goto(`/settings/doctors/${ids.drHouse}`);
    const mon = admin.locator('fieldset[data-day="1"]');
    await mon.getByRole("button", { name: "+ hours after a break on Monday" }).click();
    await mon.locator('input[type="time"]').nth(2).fill("17:00");
    await mon.locator('input[type="time"]').nth(3).fill("19:00");
    await admin.getByRole("button", { name: "Save changes" }).click();
    await mon.getByText(/Monday: ranges overlap/).waitFor();
    expect((await api("GET", `/api/doctors/${ids.drHouse}`)).body.doctor.workingHours["1"]).toEqual([["08:00", "18:00"]]);
  });

  it("an admin sets a doctor's appointment types and their lengths", async () => {
    await admin.goto(`/settings/doctors/${ids.drHouse}`);
    const types = admin.getByTestId("appointment-types");
    await types.getByRole("button", { name: "+ Add a type" }).click();
    await types.getByLabel("Type 6 name").fill("Long consult");
    await types.getByLabel("Long consult length in minutes").fill("60");
    await types.getByRole("button", { name: "Remove vaccination" }).click();
    await admin.getByRole("button", { name: "Save changes" }).click();
    await admin.getByTestId("toast").filter({ hasText: "Saved Dr House." }).waitFor();
    const saved = (await api("GET", `/api/doctors/${ids.drHouse}`)).body.doctor.appointmentTypes;
    expect(saved.map((t: any) => t.name)).toEqual(["consultation", "follow-up", "check-up", "procedure", "Long consult"]);
    expect(saved.at(-1)).toEqual({ name: "Long consult", minutes: 60 });
  });

  it("a doctor edits their own hours and slot length (not their name), and books a day off", async () => {
    const house = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(house, "house@e2e.test");
    await house.getByRole("link", { name: "Settings" }).click();
    await house.getByRole("link", { name: "My hours" }).click();
    await house.getByRole("heading", { name: "My hours" }).waitFor();
    expect(await house.getByLabel("Name").isDisabled()).toBe(true);
    expect(await house.getByTestId("appointment-types").count()).toBe(0);
    await house.getByLabel("Slot length").selectOption("15");
    await house.locator('fieldset[data-day="3"]').locator('input[type="time"]').nth(0).fill("10:00");
    await house.getByRole("button", { name: "Save changes" }).click();
    await house.getByTestId("toast").filter({ hasText: "Saved Dr House." }).waitFor();
    const saved = (await api("GET", `/api/doctors/${ids.drHouse}`)).body.doctor;
    expect(saved.slotMinutes).toBe(15);
    expect(saved.workingHours["3"]).toEqual([["10:00", "18:00"]]);

    // A day off 50 days ahead (clear of the other tests' dates), then removed again.
    const day = new Date(Date.now() + 50 * 86_400_000).toISOString().slice(0, 10);
    const off = house.getByTestId("time-off");
    await off.getByLabel("First day").fill(day);
    await off.getByLabel("Last day").fill(day);
    await off.getByLabel("Reason shown in the calendar").fill("Conference");
    await off.getByRole("button", { name: "Block these days" }).click();
    await off.locator("li", { hasText: "Conference" }).waitFor();
    const blocks = await api("GET", `/api/blocked-times?doctorId=${ids.drHouse}&from=${day}T00:00:00Z&to=${day}T23:59:59Z`);
    expect(blocks.body.blockedTimes.filter((b: any) => b.label === "Conference")).toMatchObject([{ allDay: true, start: `${day}T00:00:00.000Z` }]);
    expect(await axeViolations(house)).toEqual([]);
    await off.getByRole("button", { name: /Remove Conference/ }).click();
    await expect.poll(() => off.locator("li", { hasText: "Conference" }).count()).toBe(0);
    await screenshot(house, "my-hours");
    await house.close();
  });
});

describe("clinic and errors", () => {
  it("an admin edits the clinic's address and reminders; they persist", async () => {
    await admin.goto("/settings/clinic");
    const form = admin.getByTestId("clinic-form");
    await form.getByLabel("Address").fill("9 Harbour Way");
    await form.getByLabel("1 hour before").uncheck();
    await form.getByLabel("2 days before").check();
    await form.getByRole("button", { name: "Save" }).click();
    await admin.getByTestId("toast").filter({ hasText: "Clinic settings saved" }).waitFor();
    await admin.reload();
    await expect.poll(() => admin.getByLabel("Address").inputValue()).toBe("9 Harbour Way");
    expect(await admin.getByLabel("2 days before").isChecked()).toBe(true);
    expect(await admin.getByLabel("1 hour before").isChecked()).toBe(false);
    expect((await api("GET", "/api/clinic")).body.clinic.reminderMinutes).toEqual([2880, 1440]);
  });

  it("Google not configured: the settings page says exactly that, and no 'server cannot be reached' banner", async () => {
    // The server's answer as the Worker gives it when GOOGLE_CLIENT_ID is empty (routes/integrations.ts).
    const house = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(house, "house@e2e.test");
    await house.route("**/api/integrations/google/connect", (r) =>
      r.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "provider_not_configured", message: "Google Calendar isn't set up on this server." } }) }),
    );
    await house.goto("/settings/integrations");
    await house.getByRole("button", { name: "Connect Google Calendar" }).click();
    await house.getByTestId("toast").filter({ hasText: "Google Calendar isn't set up on this server." }).waitFor();
    expect(await house.getByTestId("error-banner").count()).toBe(0);
    expect(await axeViolations(house)).toEqual([]);
    await house.close();
  });
});
