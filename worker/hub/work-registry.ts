// The list of background work every DoctorHub runs (see work.ts).
// Each feature adds its HubWork here.
import type { HubWork } from "./work";
import { calendarSyncWork } from "../sync/work";
import { inviteEmailWork } from "../email/outbox";
import { reminderWork } from "../reminders/send";
import { waitlistWork } from "../waitlist/offers";

export const hubWork: HubWork[] = [calendarSyncWork, inviteEmailWork, reminderWork, waitlistWork];
