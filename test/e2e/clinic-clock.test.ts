// Screens that depend on the clinic's clock, seen from a browser in another zone. The browser's
// zone and clock are Chromium's (timezoneId, page.clock); the clinic's zone is what /api/clinic
// answers, rewritten per page here so the shared app's clinic (UTC) stays as the other files expect.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseURL, DESKTOP, launch, logIn, newContext } from "./browser";
import { ids, users } from "./seed";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => browser?.close());

/** Logged in, with the browser in `browserTz` at `now` and the clinic (as the screens see it) in `clinicTz`. */
async function clinicPage(o: { browserTz: string; clinicTz: string; now: string; email?: string }): Promise<Page> {
  const page = await (await newContext(browser, { ...DESKTOP, timezoneId: o.browserTz })).newPage();
  await page.clock.setFixedTime(new Date(o.now));
  await page.route("**/api/clinic", async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    body.clinic.timeZone = o.clinicTz;
    await route.fulfill({ response: res, json: body });
  });
  await logIn(page, o.email ?? users.reception.email);
  return page;
}

const api = async (page: Page, method: string, path: string, data?: unknown) => {
  const r = await page.request.fetch(path, { method, headers: { origin: baseURL() }, data });
  return { status: r.status(), body: r.status() === 204 ? null : await r.json() };
};

/** Where each now line is: the calendar's own date and time under it (dateFromPoint), as "YYYY-MM-DD HH:MM". */
async function nowLines(page: Page): Promise<string[]> {
  await page.getByTestId("now-line").first().waitFor();
  return page.evaluate(() => {
    const host = document.querySelector(".ec-host") as HTMLElement & { __ec: { dateFromPoint(x: number, y: number): { date: Date } | null } };
    const p = (n: number) => String(n).padStart(2, "0");
    return [...document.querySelectorAll<HTMLElement>('[data-testid="now-line"]')].map((l) => {
      l.scrollIntoView({ block: "center" });
      const r = l.getBoundingClientRect();
      const d = host.__ec.dateFromPoint(r.left + r.width / 2, r.top + 1)?.date;
      return d ? `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}` : "off the grid";
    });
  });
}

const todayHeads = (page: Page) => page.locator(".ec-col-head[data-clinic-today] > time").evaluateAll((ts) => ts.map((t) => t.getAttribute("datetime")));

describe("the calendar's now line and today follow the clinic's clock, not the browser's", () => {
  it("a London clinic seen from New York at 14:00 BST: the line is at 14:00 on today's columns", async () => {
    // 13:00 UTC = 14:00 in London (BST) = 09:00 in New York (EDT), Tuesday 14 July 2026.
    const page = await clinicPage({ browserTz: "America/New_York", clinicTz: "Europe/London", now: "2026-07-14T13:00:00Z" });
    try {
      expect(new URL(page.url()).searchParams.get("date") ?? "2026-07-14").toBe("2026-07-14");
      await page.keyboard.press("w");
      await expect.poll(() => todayHeads(page)).not.toEqual([]);
      expect(new Set(await todayHeads(page))).toEqual(new Set(["2026-07-14"]));
      const lines = await nowLines(page);
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l).toBe("2026-07-14 14:00");
      // The library's own (browser-clock) line and today are off.
      expect(await page.locator(".ec-now-indicator:not(.cx-now)").count()).toBe(0);
      expect(await page.locator(".ec-today").count()).toBe(0);
    } finally {
      await page.context().close();
    }
  });

  it("a Sydney clinic seen from London on Tuesday 08:30 AEST (Monday 23:30 BST): Tuesday is today", async () => {
    const page = await clinicPage({ browserTz: "Europe/London", clinicTz: "Australia/Sydney", now: "2026-07-13T22:30:00Z" });
    try {
      expect(new URL(page.url()).searchParams.get("date") ?? "2026-07-14").toBe("2026-07-14");
      await page.keyboard.press("w");
      await expect.poll(() => todayHeads(page)).not.toEqual([]);
      expect(new Set(await todayHeads(page))).toEqual(new Set(["2026-07-14"]));
      for (const l of await nowLines(page)) expect(l).toBe("2026-07-14 08:30");
      // Day view, doctors side by side (no dated column heads): one line across every column, all of them today.
      await page.keyboard.press("d");
      await expect.poll(() => page.locator(".ec-body .ec-day").count()).toBeGreaterThan(1);
      await expect.poll(() => page.locator(".ec-body .ec-day:not([data-clinic-today])").count()).toBe(0);
      expect(await nowLines(page)).toEqual(["2026-07-14 08:30"]);
      // Month: Tuesday's cell is today's, Monday's is not.
      await page.keyboard.press("m");
      await expect.poll(() => page.locator(".ec-day[data-clinic-today] time").first().getAttribute("datetime")).toBe("2026-07-14");
      expect(await page.locator(".ec-day[data-clinic-today]").count()).toBe(1);
    } finally {
      await page.context().close();
    }
  });
});

describe("working hours until midnight", () => {
  it("an admin sets a block to end at 24:00, which is stored as 24:00 and shown again after a reload", async () => {
    const page = await clinicPage({ browserTz: "UTC", clinicTz: "UTC", now: new Date().toISOString(), email: users.admin.email });
    const before = (await api(page, "GET", `/api/doctors/${ids.drHouse}`)).body.doctor.workingHours;
    try {
      await page.goto(`/settings/doctors/${ids.drHouse}`);
      const tue = page.locator('fieldset[data-day="2"]');
      const midnight = tue.getByRole("checkbox", { name: "until midnight on Tuesday block 1" });
      expect(await midnight.isChecked()).toBe(false);
      await midnight.check();
      await tue.getByText("24:00", { exact: true }).waitFor();
      expect(await tue.getByLabel("Tuesday block 1 until").count()).toBe(0);
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByTestId("toast").filter({ hasText: "Saved Dr House." }).waitFor();
      expect((await api(page, "GET", `/api/doctors/${ids.drHouse}`)).body.doctor.workingHours["2"]).toEqual([[before["2"][0][0], "24:00"]]);

      // Stored "24:00" shows as midnight (a time input would show it blank), and unticking gives a time back.
      await page.reload();
      await tue.getByText("24:00", { exact: true }).waitFor();
      expect(await midnight.isChecked()).toBe(true);
      await midnight.uncheck();
      expect(await tue.getByLabel("Tuesday block 1 until").inputValue()).toBe("23:00");
    } finally {
      expect((await api(page, "PATCH", `/api/doctors/${ids.drHouse}`, { workingHours: before })).status).toBe(200);
      await page.context().close();
    }
  });
});

describe("time off on the clinic's autumn change day", () => {
  it("a one-day block on a 25-hour day is listed as one day", async () => {
    // Sunday 31 October 2027, London: BST ends, the day lasts 25 hours (23:00Z Saturday to 00:00Z Monday).
    const page = await clinicPage({ browserTz: "America/New_York", clinicTz: "Europe/London", now: "2027-10-20T12:00:00Z", email: users.admin.email });
    const made = await api(page, "POST", "/api/blocked-times", { doctorId: ids.drHouse, start: "2027-10-30T23:00:00.000Z", end: "2027-11-01T00:00:00.000Z", label: "Clocks back", allDay: true });
    expect(made.status).toBe(201);
    try {
      await page.goto(`/settings/doctors/${ids.drHouse}`);
      const item = page.getByTestId("time-off").locator("li", { hasText: "Clocks back" });
      await item.waitFor();
      expect((await item.locator("span").first().textContent())?.trim()).toBe("Clocks back · Sun 31 Oct");
    } finally {
      await api(page, "DELETE", `/api/blocked-times/${made.body.blockedTime.id}`);
      await page.context().close();
    }
  });
});

describe("date of birth: not after the clinic's today", () => {
  it("a Sydney clinic at 08:30 (22:30 UTC the day before) may enter a baby born today", async () => {
    const page = await clinicPage({ browserTz: "UTC", clinicTz: "Australia/Sydney", now: "2026-07-13T22:30:00Z" });
    try {
      await page.goto("/patients");
      await page.getByRole("button", { name: "New patient" }).click();
      const dob = page.getByTestId("new-patient").getByLabel("Date of birth");
      expect(await dob.getAttribute("max")).toBe("2026-07-14");
      await dob.fill("2026-07-14");
      expect(await dob.evaluate((el: HTMLInputElement) => el.checkValidity())).toBe(true);
      await dob.fill("2026-07-15");
      expect(await dob.evaluate((el: HTMLInputElement) => el.checkValidity())).toBe(false);
    } finally {
      await page.context().close();
    }
  });
});
