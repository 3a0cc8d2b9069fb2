// Invite e-mail templates, editable per clinic (clinics.email_templates JSON):
//   { request?: {subject,text,html}, cancel?: {subject,text,html}, reschedule?: string }
// Placeholders are {{name}} with the names in TEMPLATE_VARIABLES. Values are
// HTML-escaped in the html body. A clinic's partial template falls back to the
// defaults field by field, so an admin can change only the subject.
import { z } from "zod";

export const TEMPLATE_VARIABLES = ["clinic", "doctor", "patient", "type", "date", "time", "timeZone", "address", "reschedule", "link"] as const;
export type TemplateVars = Record<(typeof TEMPLATE_VARIABLES)[number], string>;

export interface MessageTemplate {
  subject: string;
  text: string;
  html: string;
}
export interface ClinicTemplates {
  request: MessageTemplate;
  cancel: MessageTemplate;
  /** Replaces {{reschedule}}: how a patient reschedules (phone, portal, …). */
  reschedule: string;
}

export const DEFAULT_TEMPLATES: ClinicTemplates = {
  request: {
    subject: "Your appointment at {{clinic}}: {{date}}, {{time}}",
    text:
      "Hello {{patient}},\n\n" +
      "your {{type}} appointment with {{doctor}} at {{clinic}} is on {{date}} at {{time}} ({{timeZone}}).\n" +
      "Address: {{address}}\n\n" +
      "Need another time? {{reschedule}}\n" +
      "Confirm or cancel online: {{link}}\n\n" +
      "The attached invitation adds it to your calendar; if anything changes we send an update to the same event.\n",
    html:
      "<p>Hello {{patient}},</p>" +
      "<p>your <b>{{type}}</b> appointment with <b>{{doctor}}</b> at <b>{{clinic}}</b> is on <b>{{date}} at {{time}}</b> ({{timeZone}}).</p>" +
      "<p>Address: {{address}}</p>" +
      "<p>Need another time? {{reschedule}}</p>" +
      "<p><a href=\"{{link}}\">Confirm or cancel online</a></p>" +
      "<p>The attached invitation adds it to your calendar; if anything changes we send an update to the same event.</p>",
  },
  cancel: {
    subject: "Cancelled: your appointment at {{clinic}} on {{date}}",
    text:
      "Hello {{patient}},\n\n" +
      "your {{type}} appointment with {{doctor}} at {{clinic}} on {{date}} at {{time}} ({{timeZone}}) has been cancelled.\n\n" +
      "To book a new time: {{reschedule}}\n",
    html:
      "<p>Hello {{patient}},</p>" +
      "<p>your {{type}} appointment with {{doctor}} at {{clinic}} on <b>{{date}} at {{time}}</b> ({{timeZone}}) has been <b>cancelled</b>.</p>" +
      "<p>To book a new time: {{reschedule}}</p>",
  },
  reschedule: "please contact {{clinic}}.",
};

const placeholder = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

const MessageSchema = z.strictObject({
  subject: z.string().trim().min(1).max(300).optional(),
  text: z.string().min(1).max(20_000).optional(),
  html: z.string().min(1).max(50_000).optional(),
});
export const TemplatesSchema = z.strictObject({
  request: MessageSchema.optional(),
  cancel: MessageSchema.optional(),
  reschedule: z.string().trim().min(1).max(1000).optional(),
});
export type StoredTemplates = z.infer<typeof TemplatesSchema>;

/** Placeholders that are not variables, as [{path, message}] for a 422. */
export function unknownPlaceholders(t: StoredTemplates): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const check = (path: string, s: string | undefined) => {
    if (!s) return;
    for (const m of s.matchAll(placeholder)) {
      if (!(TEMPLATE_VARIABLES as readonly string[]).includes(m[1]))
        out.push({ path, message: `unknown placeholder {{${m[1]}}}; use one of ${TEMPLATE_VARIABLES.join(", ")}` });
    }
  };
  for (const kind of ["request", "cancel"] as const) for (const f of ["subject", "text", "html"] as const) check(`${kind}.${f}`, t[kind]?.[f]);
  check("reschedule", t.reschedule);
  return out;
}

/** The stored JSON (tolerating anything malformed) merged over the defaults. */
export function effectiveTemplates(json: string | null | undefined): ClinicTemplates {
  let stored: StoredTemplates = {};
  try {
    const r = TemplatesSchema.safeParse(JSON.parse(json ?? "{}"));
    if (r.success) stored = r.data;
  } catch {
    // a broken value falls back to the defaults rather than stopping e-mails
  }
  return {
    request: { ...DEFAULT_TEMPLATES.request, ...stored.request },
    cancel: { ...DEFAULT_TEMPLATES.cancel, ...stored.cancel },
    reschedule: stored.reschedule ?? DEFAULT_TEMPLATES.reschedule,
  };
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

export function fill(template: string, vars: TemplateVars, html = false): string {
  return template.replace(placeholder, (m, name: string) => {
    const v = (vars as Record<string, string>)[name];
    if (v === undefined) return m;
    return html ? escapeHtml(v) : v;
  });
}

/** Subject, text and html of one message. {{reschedule}} may itself use variables. */
export function renderMessage(t: ClinicTemplates, kind: "request" | "cancel", vars: Omit<TemplateVars, "reschedule">) {
  const full: TemplateVars = { ...vars, reschedule: "" };
  full.reschedule = fill(t.reschedule, full);
  const m = t[kind];
  // Header injection: a subject is one line.
  const subject = fill(m.subject, full).replace(/[\r\n]+/g, " ").trim();
  // An empty value (a CANCEL to a replaced patient names no type: worker/email/outbox.ts) leaves
  // "your  appointment": two spaces between words become one; indentation is kept.
  const text = fill(m.text, full).replace(/(\S) {2,}(?=\S)/g, "$1 ");
  return { subject, text, html: fill(m.html, full, true) };
}

/** "Monday, 6 July 2026" and "09:00" in the clinic's zone. */
// Building an Intl.DateTimeFormat is the costly part of formatting (it loads the zone's and the
// locale's ICU data): made once per zone, not twice per invite or reminder (issue #18 profile).
const dateTimeFormats = new Map<string, { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

export function clinicDateTime(ms: number, timeZone: string): { date: string; time: string } {
  let f = dateTimeFormats.get(timeZone);
  if (!f) {
    f = {
      date: new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "long", day: "numeric", month: "long", year: "numeric" }),
      time: new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
    };
    // Bounded: zones come from clinic settings, a few hundred at most exist.
    if (dateTimeFormats.size >= 500) dateTimeFormats.clear();
    dateTimeFormats.set(timeZone, f);
  }
  const d = new Date(ms);
  return { date: f.date.format(d), time: f.time.format(d) };
}
