// A video appointment gets its meeting link in the same batch as the change that makes it one
// (booked with a video type, or re-typed to one). The link is kept for the appointment's life:
// a reschedule keeps it (the patient may already have it in an invite or reminder), and
// INSERT OR IGNORE never replaces an existing one (also not a Teams link set by the Outlook
// integration, or one staff turned on by hand with PUT /api/appointments/:id/video).
import { sql } from "drizzle-orm";
import type { ChangeEffect } from "../appointments/effects";
import { parseStringList } from "../reminders/plan";
import { newJitsiUrl } from "./jitsi";

export const videoLinkEffect: ChangeEffect = (db, change) => {
  const { before, after, context } = change;
  if (!after || !context) return [];
  if (before && before.type === after.type) return [];
  if (!parseStringList(context.clinic.videoTypes).includes(after.type)) return [];
  return [
    db.run(sql`INSERT OR IGNORE INTO appointment_video (appointment_id, clinic_id, provider, url, created_at)
      VALUES (${after.id}, ${after.clinicId}, 'jitsi', ${newJitsiUrl(context.clinic.jitsiBaseUrl)}, ${Date.now()})`),
  ];
};
