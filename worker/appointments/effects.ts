// Extra statements that must commit atomically with an appointment change.
// Each registered function returns statements to append to the change's D1 batch
// (e.g. the iCalendar engineer queues invite/cancel e-mails in email_outbox here).
// They run for every origin; check change.origin to skip echoes if needed.
// Keep them cheap and pure: no reads, no fetches — just build statements.
import type { BatchItem } from "drizzle-orm/batch";
import type { Actor } from "../db/audit";
import type { Db } from "../db/client";
import type { Appointment } from "./model";
import { inviteEmailEffect } from "../email/outbox";
import { reminderEffect } from "../reminders/effect";
import { videoLinkEffect } from "../video/effect";
import { analyticsEffect } from "../analytics/effect";

export type ChangeOrigin = "acms" | "google" | "microsoft" | "caldav" | "ics";

/**
 * What the write path read anyway (clinic settings and the patient's contact/consent, in the
 * same D1 batch as its other checks), handed to effects so they need no reads of their own.
 * Absent on hard deletes.
 */
export interface ChangeContext {
  clinic: {
    timeZone: string;
    reminderRules: string;
    quietStartMin: number;
    quietEndMin: number;
    noReminderTypes: string;
    videoTypes: string;
    jitsiBaseUrl: string;
  };
  patient: { hasEmail: boolean; smsOk: boolean };
}

export interface AppointmentChange {
  /** null on create */
  before: Appointment | null;
  /** null on delete */
  after: Appointment | null;
  actor: Actor;
  origin: ChangeOrigin;
  context?: ChangeContext;
}

export type ChangeEffect = (db: Db, change: AppointmentChange) => BatchItem<"sqlite">[];

export const changeEffects: ChangeEffect[] = [inviteEmailEffect, reminderEffect, videoLinkEffect, analyticsEffect];
