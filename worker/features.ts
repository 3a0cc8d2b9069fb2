// The composition root: which features plug into the core. The core modules (appointments/write.ts,
// hub/doctor-hub.ts) depend only on the interfaces in appointments/effects.ts and hub/work.ts
// (and reminders on the SMS interface in sms/provider.ts); this file, beside the Worker entry,
// is the one place that lists the implementations. A new
// feature adds its effect or hub work here (one import, one list entry) and edits no core file.
// index.ts calls registerFeatures() when the Worker loads; the worker tests' setup does too.
import { useChangeEffects, type ChangeEffect } from "./appointments/effects";
import { useHubWork, type HubWork } from "./hub/work";
import { inviteEmailEffect, inviteEmailWork } from "./email/outbox";
import { reminderEffect } from "./reminders/effect";
import { reminderWork } from "./reminders/send";
import { useSmsProvider } from "./sms/provider";
import { twilioFromEnv } from "./sms/twilio";
import { calendarSyncWork } from "./sync/work";
import { videoLinkEffect } from "./video/effect";
import { analyticsEffect } from "./analytics/effect";
import { waitlistEffect } from "./waitlist/effect";
import { waitlistWork } from "./waitlist/offers";
import { selfRescheduleEffect } from "./patient-links/reschedule-effect";

/** Statements committed in the same D1 batch as every appointment change, in this order. */
export const changeEffects: ChangeEffect[] = [inviteEmailEffect, reminderEffect, videoLinkEffect, analyticsEffect, waitlistEffect, selfRescheduleEffect];

/** Background work every DoctorHub runs single-flight after each change and on its alarm, in this order. */
export const hubWork: HubWork[] = [calendarSyncWork, inviteEmailWork, reminderWork, waitlistWork];

export function registerFeatures(): void {
  useChangeEffects(changeEffects);
  useHubWork(hubWork);
  useSmsProvider(twilioFromEnv); // the SMS provider reminders send through (worker/sms/provider.ts)
}
