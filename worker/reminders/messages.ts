// What reminders say. Only what a patient needs and what is safe on a lock screen: clinic,
// doctor, date and time in the clinic zone, the address or the video link, and the personal
// confirm/cancel link. Never the appointment type, reason, notes or the patient's own name in
// an SMS. Templates are editable per clinic (clinics.reminder_templates JSON) with the same
// {{placeholder}} rules as the invite templates (worker/email/templates.ts `fill`).
import { z } from "zod";
import { fill } from "../email/templates";

export const REMINDER_VARIABLES = ["clinic", "doctor", "date", "time", "timeZone", "where", "link", "phone"] as const;
export type ReminderVars = Record<(typeof REMINDER_VARIABLES)[number], string>;

export interface ReminderTemplates {
  sms: string;
  email: { subject: string; text: string; html: string };
}

export const DEFAULT_REMINDER_TEMPLATES: ReminderTemplates = {
  sms: "{{clinic}}: reminder of your appointment with {{doctor}} on {{date}} at {{time}}. {{where}} Confirm or cancel: {{link}}",
  email: {
    subject: "Reminder: your appointment at {{clinic}} on {{date}} at {{time}}",
    text:
      "Hello,\n\nthis is a reminder of your appointment with {{doctor}} at {{clinic}} on {{date}} at {{time}} ({{timeZone}}).\n" +
      "{{where}}\n\nConfirm or cancel: {{link}}\nTo reschedule, call {{phone}}.\n",
    html:
      "<p>Hello,</p><p>this is a reminder of your appointment with <b>{{doctor}}</b> at <b>{{clinic}}</b> on <b>{{date}} at {{time}}</b> ({{timeZone}}).</p>" +
      "<p>{{where}}</p><p><a href=\"{{link}}\">Confirm or cancel</a></p><p>To reschedule, call {{phone}}.</p>",
  },
};

const text = (max: number) => z.string().max(max);
export const ReminderTemplatesSchema = z.strictObject({
  sms: text(640).optional(),
  email: z.strictObject({ subject: text(200).optional(), text: text(10_000).optional(), html: text(20_000).optional() }).optional(),
});
export type StoredReminderTemplates = z.infer<typeof ReminderTemplatesSchema>;

const placeholder = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

export function unknownReminderPlaceholders(t: StoredReminderTemplates): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const check = (path: string, s: string | undefined) => {
    for (const m of (s ?? "").matchAll(placeholder))
      if (!(REMINDER_VARIABLES as readonly string[]).includes(m[1])) out.push({ path, message: `unknown placeholder {{${m[1]}}}` });
  };
  check("sms", t.sms);
  check("email.subject", t.email?.subject);
  check("email.text", t.email?.text);
  check("email.html", t.email?.html);
  return out;
}

export function effectiveReminderTemplates(json: string | null | undefined): ReminderTemplates {
  let t: StoredReminderTemplates = {};
  try {
    const parsed = ReminderTemplatesSchema.safeParse(JSON.parse(json ?? "{}"));
    if (parsed.success) t = parsed.data;
  } catch {
    /* defaults */
  }
  const d = DEFAULT_REMINDER_TEMPLATES;
  return { sms: t.sms || d.sms, email: { subject: t.email?.subject || d.email.subject, text: t.email?.text || d.email.text, html: t.email?.html || d.email.html } };
}

// fill() knows the invite variables; reminder variables are a different set, so cast through it.
const fillR = (tpl: string, vars: ReminderVars, html = false) => fill(tpl, vars as never, html);

export function renderSms(t: ReminderTemplates, vars: ReminderVars): string {
  return fillR(t.sms, vars).replace(/\s+/g, " ").trim();
}

export function renderReminderEmail(t: ReminderTemplates, vars: ReminderVars) {
  return {
    subject: fillR(t.email.subject, vars).replace(/[\r\n]+/g, " ").trim(),
    text: fillR(t.email.text, vars),
    html: fillR(t.email.html, vars, true),
  };
}
