// The one place the SPA talks HTTP. Every failure becomes an ApiFailure carrying the
// server's { error: { code, message, details } } so screens can show it at the right field.
import type {
  Appointment,
  AppointmentPatch,
  Availability,
  BlockedTime,
  Clinic,
  Doctor,
  ErrorBody,
  Integration,
  NewAppointment,
  Notice,
  Patient,
  SessionUser,
} from "./types";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  /** Per-field messages from a 422 validation_failed: { "start": "must be ..." }. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details as { path?: unknown; message?: string }[]) {
        const key = Array.isArray(d.path) ? d.path.join(".") : String(d.path ?? "");
        if (!out[key]) out[key] = d.message ?? "is not valid";
      }
    }
    return out;
  }
}

/** Called on every network-level failure / recovery; the error banner listens. */
export const netListeners = new Set<(ok: boolean) => void>();
/** Called when the server says the session is gone. */
export const authListeners = new Set<() => void>();

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      // FormData (file uploads) goes as multipart: the browser sets the boundary header itself.
      headers:
        body === undefined || body instanceof FormData ? { accept: "application/json" } : { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
  } catch (e) {
    netListeners.forEach((l) => l(false));
    throw new ApiFailure(0, "network", "The server cannot be reached. Check the connection; we keep retrying.");
  }
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* non-JSON answer (e.g. proxy error page) */
  }
  const err = (json as ErrorBody | undefined)?.error;
  // A 5xx that carries our JSON error with a message (e.g. 503 provider_not_configured) is the
  // server answering on purpose: the screen shows that message, not "the server cannot be reached".
  netListeners.forEach((l) => l(res.status < 500 || typeof err?.message === "string"));
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith("/api/auth/login")) authListeners.forEach((l) => l());
    throw new ApiFailure(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `Request failed (${res.status}).`, err?.details);
  }
  return json as T;
}

const q = (params: Record<string, string | undefined>) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") u.set(k, v);
  return u.toString();
};

export const api = {
  login: (email: string, password: string) => request<{ user: SessionUser; token: string }>("POST", "/api/auth/login", { email, password }),
  logout: () => request<{ ok: true }>("POST", "/api/auth/logout", {}),
  me: () => request<{ user: SessionUser }>("GET", "/api/auth/me"),
  clinic: () => request<{ clinic: Clinic }>("GET", "/api/clinic"),
  doctors: () => request<{ doctors: Doctor[] }>("GET", "/api/doctors"),
  appointments: (from: string, to: string, doctorId?: string) =>
    request<{ appointments: Appointment[] }>("GET", `/api/appointments?${q({ from, to, doctorId })}`),
  appointment: (id: string) => request<{ appointment: Appointment }>("GET", `/api/appointments/${id}`),
  createAppointment: (body: NewAppointment) => request<{ appointment: Appointment }>("POST", "/api/appointments", body),
  updateAppointment: (id: string, patch: AppointmentPatch) =>
    request<{ appointment: Appointment }>("PATCH", `/api/appointments/${id}`, patch),
  cancelAppointment: (id: string, version: number) =>
    request<{ appointment: Appointment }>("POST", `/api/appointments/${id}/cancel`, { version }),
  availability: (doctorId: string, from: string, to: string) =>
    request<Availability>("GET", `/api/availability?${q({ doctorId, from, to })}`),
  blockedTimes: (from: string, to: string, doctorId?: string) =>
    request<{ blockedTimes: BlockedTime[] }>("GET", `/api/blocked-times?${q({ from, to, doctorId })}`),
  patients: (prefix: string) => request<{ patients: Patient[] }>("GET", `/api/patients?${q({ q: prefix })}`),
  createPatient: (body: { name: string; phone?: string; email?: string; dateOfBirth?: string }) =>
    request<{ patient: Patient }>("POST", "/api/patients", body),
  integrations: () => request<{ integrations: Integration[] }>("GET", "/api/integrations"),
  integrationProviders: () =>
    request<{ providers: Record<string, { configured: boolean; reason?: string }> }>("GET", "/api/integrations/providers"),
  connectGoogle: () => request<{ authorizeUrl: string }>("POST", "/api/integrations/google/connect", {}),
  connectMicrosoft: () => request<{ authorizeUrl: string }>("POST", "/api/integrations/microsoft/connect", {}),
  disconnectIntegration: (id: string) => request<{ disconnected: boolean }>("DELETE", `/api/integrations/${id}`),
  notices: (unreadOnly = false) => request<{ notices: Notice[] }>("GET", `/api/notices${unreadOnly ? "?unread=true" : ""}`),
  readNotice: (id: string) => request<{ notice: Notice }>("POST", `/api/notices/${id}/read`, {}),
  icalUrl: (id: string) => `/api/appointments/${id}/ical`,
  /** "Add to calendar" links (worker/routes/ical.ts → worker/ics/links.ts); privacy "busy" unless asked. */
  addLinks: (id: string) => request<{ links: { ics: string; google: string; outlook: string } }>("GET", `/api/appointments/${id}/add-links`),
};
