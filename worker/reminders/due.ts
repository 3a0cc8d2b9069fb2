// What one hub run works with (shared by ./send.ts and ./outcome.ts): a due reminder as the
// covering index gives it, and the clinic/doctor context read once per batch.
import type { QuietHours } from "./plan";

export interface DueRow {
  rid: number;
  id: string;
  clinic_id: string;
  appointment_id: string;
  channel: "email" | "sms";
  start_ms: number;
  end_ms: number;
  attempts: number;
  to_address: string | null;
  video: string | null;
  /** 'reminder' or 'nps' (the follow-up after a completed visit, ./nps-follow-up.ts). */
  kind: "reminder" | "nps";
}

export interface BatchContext {
  doctor: string;
  clinic: string;
  zone: string;
  address: string;
  phone: string;
  domain: string;
  templates: string;
  country: string;
  quiet: QuietHours;
}
