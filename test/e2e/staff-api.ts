// Calls to the app's API as a signed-in page (the browser tests' way to arrange data: same
// session cookie and origin as the screen), shared by the receptionist's-day test files.
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { baseURL } from "./browser";

export async function apiCall(p: Page, method: "post" | "patch" | "get" | "delete", url: string, data?: unknown) {
  const res = await p.request[method](url, { headers: { origin: baseURL() }, ...(data ? { data } : {}) });
  return { status: res.status(), body: (await res.json().catch(() => ({}))) as Record<string, any> };
}

/** Books a consultation through the API and returns its id (fails the test unless 201). */
export async function bookAs(p: Page, doctorId: string, startMs: number, patientId: string, minutes = 30): Promise<string> {
  const r = await apiCall(p, "post", "/api/appointments", {
    doctorId,
    patientId,
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + minutes * 60_000).toISOString(),
    type: "consultation",
  });
  expect(r.status).toBe(201);
  return r.body.appointment.id;
}
