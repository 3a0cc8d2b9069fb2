// Every address the app shows survives a reload and can be opened directly (a bookmark, a link in
// an e-mail or a notice), in the production build (Workers assets, SPA fallback) and under
// `vite dev` (index.html must load /main.tsx, not ./main.tsx, or every deep link is a blank page).
// Each page is also checked with axe: no serious or critical accessibility violations.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "./axe";
import { DESKTOP, launch, logIn, newContext } from "./browser";
import { freePort } from "../../scripts/free-port";
import { ids, users } from "./seed";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => browser?.close());

/** What must be on screen at each address once it has loaded (as the admin). */
const ROUTES: { path: string; ready: (p: Page) => Promise<unknown> }[] = [
  { path: "/", ready: (p) => p.getByTestId("calendar").waitFor() },
  { path: `/appointments/${"f0".repeat(16)}`, ready: (p) => p.getByText("Alice Archer").first().waitFor() },
  { path: "/settings/integrations", ready: (p) => p.getByRole("heading", { name: "Calendar integrations" }).waitFor() },
  { path: "/settings/import", ready: (p) => p.getByRole("heading", { level: 1 }).waitFor() },
  { path: "/settings/email-templates", ready: (p) => p.getByRole("heading", { level: 1 }).waitFor() },
  { path: "/settings/staff", ready: (p) => p.getByTestId("staff-table").waitFor() },
  { path: "/settings/doctors", ready: (p) => p.getByTestId("doctor-list").waitFor() },
  { path: `/settings/doctors/${ids.drCuddy}`, ready: (p) => p.getByTestId("working-hours").waitFor() },
  { path: "/settings/clinic", ready: (p) => p.getByTestId("clinic-form").waitFor() },
  { path: "/patients", ready: (p) => p.getByTestId("patient-list").waitFor() },
  { path: `/patients/${ids.pAlice}`, ready: (p) => p.getByTestId("patient-history").waitFor() },
];

/** Pages built for issue 12 plus log-in and settings: axe must find nothing serious or critical. */
const AXE = new Set(["/settings/integrations", "/settings/staff", "/settings/doctors", `/settings/doctors/${ids.drCuddy}`, "/settings/clinic", "/patients", `/patients/${ids.pAlice}`]);

describe("reload every route (production build)", () => {
  it("log-in: any deep link opened while logged out shows the log-in form (and /setup too, once set up), accessibly", async () => {
    const page = await (await newContext(browser, DESKTOP)).newPage();
    for (const p of ["/", "/settings/staff", `/patients/${ids.pAlice}`, `/appointments/${"f0".repeat(16)}`, "/setup"]) {
      await page.goto(p);
      await page.getByRole("button", { name: "Log in" }).waitFor();
    }
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it("every page the admin sees loads when opened directly and again after a reload, at the same address", async () => {
    const page = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(page, users.admin.email);
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
    for (const r of ROUTES) {
      await page.goto(r.path);
      await r.ready(page);
      await page.reload();
      await r.ready(page);
      expect(new URL(page.url()).pathname).toBe(r.path);
      if (AXE.has(r.path)) expect({ path: r.path, violations: await axeViolations(page) }).toEqual({ path: r.path, violations: [] });
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a doctor reloads their own hours page and a patient page", async () => {
    const page = await (await newContext(browser, DESKTOP)).newPage();
    await logIn(page, "house@e2e.test");
    for (const p of ["/settings/doctors", `/patients/${ids.pBob}`]) {
      await page.goto(p);
      await page.reload();
      await (p === "/settings/doctors" ? page.getByRole("heading", { name: "My hours" }) : page.getByTestId("patient-history")).waitFor();
      expect(await axeViolations(page)).toEqual([]);
    }
    await page.close();
  });
});

describe("reload deep links under vite dev (npm run dev)", () => {
  let vite: ChildProcess;
  let url = "";
  let log = "";
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const root = path.resolve(import.meta.dirname, "../..");
    vite = spawn(path.join(root, "node_modules/.bin/vite"), ["dev", "--port", String(port), "--strictPort", "--host", "127.0.0.1"], {
      cwd: root,
      // What scripts/dev.mjs passes: the address it prints (localhost), while we browse 127.0.0.1.
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", ACMS_APP_URL: `http://localhost:${port}` },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    vite.stdout!.on("data", (d) => (log += d));
    vite.stderr!.on("data", (d) => (log += d));
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`vite dev did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }, 120_000);
  afterAll(() => {
    try {
      if (vite?.pid) process.kill(-vite.pid, "SIGTERM");
    } catch {
      /* gone */
    }
  });

  it("every deep link renders the app after a reload, with no module 404", async () => {
    const page = await (await browser.newContext(DESKTOP)).newPage();
    const missing: string[] = [];
    page.on("response", (r) => {
      if (r.status() === 404 && /\.(tsx?|css)(\?|$)/.test(r.url())) missing.push(r.url());
    });
    for (const p of [...ROUTES.map((r) => r.path), "/setup", "/settings/doctors/"]) {
      await page.goto(`${url}${p}`);
      await page.reload();
      // Logged out (the dev database may be empty or seeded): the log-in or the setup page, never blank.
      await page.locator("main form").first().waitFor({ timeout: 30_000 });
      expect(await page.locator("#root").innerText()).toMatch(/Log in|Set up ACMS Calendar/);
    }
    expect(missing).toEqual([]);
    await page.close();
  });

  it("the Worker's APP_URL is the address npm run dev prints (not wrangler.toml's :8787)", async () => {
    // The CSRF rule accepts the request's own origin or APP_URL: from 127.0.0.1, an Origin of
    // http://localhost:<port> passes only if the Worker's APP_URL is exactly that address.
    const post = (origin: string) =>
      fetch(`${url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json", origin }, body: JSON.stringify({ email: "nobody@x.test", password: "x" }) });
    const port = new URL(url).port;
    expect((await post(`http://localhost:${port}`)).status).not.toBe(403);
    expect((await post("http://localhost:8787")).status).toBe(403);
  });
});
