// vitest globalSetup (runs in Node, once per `vitest run`): starts a throw-away
// Radicale for test/worker/caldav/** and hands its URLs to the tests through
// `provide` (read with `inject("radicale")` inside workerd). When Radicale is not
// installed, nothing fails here (other suites still run) but the CalDAV tests
// fail with `error`, which says how to install it: never a silent skip.
import type { TestProject } from "vitest/node";
import { startRadicale, type RunningRadicale } from "./radicale-server";

export interface RadicaleInfo {
  url: string;
  adminUrl: string;
  error: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    radicale: RadicaleInfo;
  }
}

let running: RunningRadicale | null = null;

export async function setup(project: TestProject) {
  try {
    running = await startRadicale();
    project.provide("radicale", { url: running.url, adminUrl: running.adminUrl, error: "" });
  } catch (err) {
    project.provide("radicale", { url: "", adminUrl: "", error: (err as Error).message });
  }
}

export async function teardown() {
  await running?.stop();
  running = null;
}
