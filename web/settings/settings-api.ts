// API calls of the settings pages that only they use (e-mail templates, .ics import).
// Shapes follow worker/routes/ical.ts (clinicEmailRoutes) and worker/routes/imports.ts.
import { request } from "../api-client/client";

export interface MessageTemplate {
  subject: string;
  text: string;
  html: string;
}
export type TemplateKind = "request" | "cancel";
export interface StoredTemplates {
  request?: Partial<MessageTemplate>;
  cancel?: Partial<MessageTemplate>;
  reschedule?: string;
}
export interface TemplatesAnswer {
  templates: { request: MessageTemplate; cancel: MessageTemplate; reschedule: string };
  stored: StoredTemplates;
  defaults: { request: MessageTemplate; cancel: MessageTemplate; reschedule: string };
  variables: string[];
}

export type ImportMode = "blocked" | "appointments";
export interface ImportItem {
  uid: string;
  recurrenceId: string | null;
  summary: string;
  start: string;
  end: string;
  allDay: boolean;
  action: "create" | "update" | "remove" | "skip";
  reason?: string;
  /** update: where the block or appointment is now. */
  previous?: { start: string; end: string };
}
/** A write that failed at commit (e.g. the slot was taken meanwhile), with why. */
export interface ImportFailure {
  uid: string;
  recurrenceId?: string | null;
  code: string;
  message: string;
}
/** An event that cannot be imported as it is (invalid date, unknown time zone, impossible recurrence). */
export interface RefusedEvent {
  uid: string;
  summary: string;
  message: string;
}
export interface ImportAnswer {
  preview: boolean;
  mode: ImportMode;
  window: { from: string; to: string };
  limits: { maxBytes: number; maxEvents: number; maxOccurrences: number };
  counts: { events: number; create: number; update?: number; remove?: number; skip: number; byReason: Record<string, number> };
  items: ImportItem[];
  warnings: unknown[];
  created?: number;
  updated?: number;
  removed?: number;
  failed?: ImportFailure[];
  /** Events that cannot be imported as they are (bad dates, unknown zones, unexpandable rules): the commit refuses while any are listed. */
  refused?: RefusedEvent[];
}

export const settingsApi = {
  emailTemplates: () => request<TemplatesAnswer>("GET", "/api/clinic/email-templates"),
  /** Stores a partial override; fields left out fall back to the defaults, {} resets everything. */
  saveEmailTemplates: (body: StoredTemplates) => request<TemplatesAnswer>("PUT", "/api/clinic/email-templates", body),
  /** Multipart upload: the route accepts a "file" field whose type is empty or the name ends in .ics. */
  importIcs: (doctorId: string, file: File, opts: { preview: boolean; mode: ImportMode; patientId?: string }) => {
    const form = new FormData();
    form.set("file", file);
    const qs = new URLSearchParams({ mode: opts.mode });
    if (opts.preview) qs.set("preview", "1");
    if (opts.mode === "appointments" && opts.patientId) qs.set("patientId", opts.patientId);
    return request<ImportAnswer>("POST", `/api/doctors/${doctorId}/import/ics?${qs}`, form);
  },
};
