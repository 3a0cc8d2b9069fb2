// API calls for reminders, SMS consent and video visits (worker/routes/engagement.ts).
import { request } from "../api-client/client";
import type { SmsLength } from "../../worker/sms/segments";

export type Channel = "email" | "sms";
export interface ReminderRule {
  offsetMinutes: number;
  channel: Channel;
}
export interface ReminderTemplates {
  sms: string;
  email: { subject: string; text: string; html: string };
}
export interface ReminderSettings {
  rules: ReminderRule[];
  quietHours: { start: string; end: string };
  cancelCutoffMinutes: number;
  phone: string;
  /** ISO 3166 alpha-2: the region national phone numbers are read in ("" = the server default). */
  country?: string;
  noReminderTypes: string[];
  videoTypes: string[];
  jitsiBaseUrl: string;
  templates: { stored: { sms?: string; email?: Partial<ReminderTemplates["email"]> }; effective: ReminderTemplates };
  smsLength: SmsLength;
}
export type ReminderSettingsPatch = Partial<Omit<ReminderSettings, "templates" | "smsLength">> & {
  templates?: { sms?: string; email?: Partial<ReminderTemplates["email"]> };
};

export interface Engagement {
  reminders: {
    id: string;
    channel: Channel;
    offsetMinutes: number;
    dueAt: string;
    state: "pending" | "sending" | "sent" | "delivered" | "failed" | "skipped" | "unknown";
    attempts: number;
    lastError: string | null;
    sentAt: string | null;
    deliveredAt: string | null;
  }[];
  responses: { action: "confirm" | "cancel"; via: "link" | "sms"; at: string }[];
  video: { provider: string; joinUrl: string } | null;
}

export const engagementApi = {
  settings: () => request<{ reminders: ReminderSettings }>("GET", "/api/clinic/reminders"),
  saveSettings: (body: ReminderSettingsPatch) => request<{ reminders: ReminderSettings }>("PUT", "/api/clinic/reminders", body),
  smsConsent: (patientId: string, consent: boolean) => request<{ smsConsent: { consent: boolean; at: string; source: string } }>("PUT", `/api/patients/${patientId}/sms-consent`, { consent }),
  engagement: (appointmentId: string) => request<Engagement>("GET", `/api/appointments/${appointmentId}/engagement`),
  setVideo: (appointmentId: string, enabled: boolean) => request<{ video: Engagement["video"] }>("PUT", `/api/appointments/${appointmentId}/video`, { enabled }),
};
