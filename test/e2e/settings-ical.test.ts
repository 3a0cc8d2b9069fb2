// Settings → E-mail templates (admin) and Settings → Import .ics (doctor), in real Chromium
// against the built Worker: edits persist on the server, bad placeholders are shown at the
// field, and an imported file becomes blocked time the calendar shows.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmInApp, DESKTOP, launch, logIn, newContext, screenshot } from "./browser";
import { E2E_PASSWORD, ids, users } from "./seed";

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => browser?.close());

async function pageAs(email: string): Promise<Page> {
  const page = await (await newContext(browser, DESKTOP)).newPage();
  page.on("dialog", (d) => void d.accept());
  await logIn(page, email, E2E_PASSWORD);
  return page;
}

describe("e-mail templates", () => {
  it("admin edits the invite subject; a bad placeholder is flagged at the field; the change persists after reload; reset restores the default", async () => {
    const page = await pageAs(users.admin.email);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("link", { name: "E-mail templates" }).click();
    await page.getByRole("heading", { name: "E-mail templates" }).waitFor();
    expect(await page.getByTestId("tpl-variables").textContent()).toContain("{{patient}}");

    const subject = page.locator('input[name="request.subject"]');
    const original = await subject.inputValue();
    expect(original).toContain("{{clinic}}");

    await subject.fill("Your visit {{nope}}");
    await page.getByRole("button", { name: "Save templates" }).click();
    await expect.poll(() => subject.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#tpl-err-request-subject").textContent()).toContain("unknown placeholder {{nope}}");

    await subject.fill("Your visit at {{clinic}} with {{doctor}} on {{date}}");
    await page.getByRole("button", { name: "Save templates" }).click();
    await expect.poll(() => subject.getAttribute("aria-invalid")).toBe("false");
    await page.reload();
    await page.getByRole("heading", { name: "E-mail templates" }).waitFor();
    await expect.poll(() => page.locator('input[name="request.subject"]').inputValue()).toBe("Your visit at {{clinic}} with {{doctor}} on {{date}}");
    // The server stored only the changed field, not a copy of the defaults.
    const stored = (await (await page.request.get("/api/clinic/email-templates")).json()).stored;
    expect(stored).toEqual({ request: { subject: "Your visit at {{clinic}} with {{doctor}} on {{date}}" } });
    await screenshot(page, "settings-email-templates");

    await page.locator("fieldset", { hasText: "Invitation" }).getByRole("button", { name: "Reset to default" }).click();
    await confirmInApp(page, "Reset");
    await expect.poll(() => page.locator('input[name="request.subject"]').inputValue()).toBe(original);
    await page.context().close();
  });

  it("a doctor does not see the e-mail templates entry", async () => {
    const page = await pageAs("house@e2e.test");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("link", { name: "Import .ics" }).waitFor();
    expect(await page.getByRole("link", { name: "E-mail templates" }).count()).toBe(0);
    await page.context().close();
  });
});

describe("import .ics", () => {
  const day = 86400_000;
  // 40 days ahead at 08:00 UTC (the view shows 07:00–20:00): inside the default window and clear of seeded appointments.
  const base = Math.floor(Date.now() / day) * day + 40 * day;
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const event = (uid: string, startMs: number, summary: string) =>
    ["BEGIN:VEVENT", `UID:${uid}`, `DTSTAMP:${stamp(Date.now())}`, `DTSTART:${stamp(startMs)}`, `DTEND:${stamp(startMs + 3600_000)}`, `SUMMARY:${summary}`, "END:VEVENT"];
  const ics = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//e2e//import//EN", ...event("e2e-a@test", base + 8 * 3600_000, "Conference"), ...event("e2e-b@test", base + day + 8 * 3600_000, "Dentist"), "END:VCALENDAR", ""].join("\r\n");

  it("a doctor previews 2 events to create, imports them as blocked time, and the calendar shows it; a re-import creates nothing; an updated file moves and frees", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "acms-ics-")), "two-events.ics");
    writeFileSync(file, ics);
    const page = await pageAs("cuddy@e2e.test");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("link", { name: "Import .ics" }).click();
    await page.getByRole("heading", { name: "Import .ics" }).waitFor();
    expect(await page.getByRole("radio", { name: "Blocked time" }).isChecked()).toBe(true);

    await page.getByLabel(/Calendar file/).setInputFiles(file);
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByTestId("import-preview").waitFor();
    expect(await page.getByTestId("import-counts").textContent()).toMatch(/^2 to create, 0 skipped/);
    expect(await page.locator('tr[data-action="create"]').count()).toBe(2);
    // Preview writes nothing.
    const blocked = async () =>
      (
        (await (await page.request.get(`/api/blocked-times?from=${new Date(base).toISOString()}&to=${new Date(base + 2 * day).toISOString()}&doctorId=${ids.drCuddy}`)).json()) as {
          blockedTimes: { source: string; start: string }[];
        }
      ).blockedTimes.filter((b) => b.source === "ics");
    expect(await blocked()).toHaveLength(0);

    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByTestId("import-result").waitFor();
    expect(await page.getByTestId("import-result").textContent()).toContain("2 blocked time(s) created");
    expect((await blocked()).map((b) => b.start).sort()).toEqual([new Date(base + 8 * 3600_000).toISOString(), new Date(base + day + 8 * 3600_000).toISOString()]);

    // Same file again: both are skipped as already imported.
    await page.getByRole("button", { name: "Preview" }).click();
    await expect.poll(() => page.getByTestId("import-counts").textContent()).toMatch(/^0 to create, 2 skipped/);
    expect(await page.locator('tr[data-action="skip"]', { hasText: "already imported" }).count()).toBe(2);
    expect(await page.getByRole("button", { name: "Import", exact: true }).isDisabled()).toBe(true);
    await screenshot(page, "settings-import-ics");

    // The calendar changed at the source: the dentist moved two hours later, the conference was cancelled.
    // The preview shows an update and a removal; Import moves the one block and frees the other.
    const changed = path.join(mkdtempSync(path.join(tmpdir(), "acms-ics-")), "two-events-v2.ics");
    const moved = event("e2e-b@test", base + day + 10 * 3600_000, "Dentist");
    const cancelled = event("e2e-a@test", base + 8 * 3600_000, "Conference");
    cancelled.splice(cancelled.length - 1, 0, "STATUS:CANCELLED");
    writeFileSync(changed, ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//e2e//import//EN", ...cancelled, ...moved, "END:VCALENDAR", ""].join("\r\n"));
    await page.getByLabel(/Calendar file/).setInputFiles(changed);
    await page.getByRole("button", { name: "Preview" }).click();
    await expect.poll(() => page.getByTestId("import-counts").textContent()).toMatch(/^0 to create, 0 skipped, 1 to update, 1 to remove/);
    expect(await page.locator('tr[data-action="update"]').textContent()).toContain("will be moved");
    expect(await page.locator('tr[data-action="remove"]').textContent()).toContain("will be removed");
    await screenshot(page, "settings-import-ics-update");
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await expect.poll(() => page.getByTestId("import-result").textContent()).toContain("1 moved, 1 removed");
    expect((await blocked()).map((b) => b.start)).toEqual([new Date(base + day + 10 * 3600_000).toISOString()]);

    // The calendar shows the imported (moved) block on its day.
    await page.getByRole("link", { name: "Calendar" }).click();
    await page.getByTestId("calendar").waitFor();
    await page.locator("#date-picker").fill(ymd(base + day));
    await page.getByRole("radio", { name: "Day" }).click();
    await expect.poll(() => page.locator(".ec-bg-event.blocked.src-ics").count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.context().close();
  });

  it("a file that is not a calendar is refused with a clear message", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "acms-ics-")), "broken.ics");
    writeFileSync(file, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:nonsense\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    const page = await pageAs("house@e2e.test");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("link", { name: "Import .ics" }).click();
    await page.getByLabel(/Calendar file/).setInputFiles(file);
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByTestId("import-error").waitFor();
    expect(await page.getByTestId("import-error").textContent()).toContain("The file cannot be imported.");
    expect(await page.getByTestId("import-error").locator("li").count()).toBeGreaterThan(0);
    await page.context().close();
  });
});
