// A video appointment gets its meeting link in the same batch as the change that makes it one
// (booked with a video type, or re-typed to one). The link is kept for the appointment's life:
// a reschedule keeps it (the patient may already have it in an invite or reminder), and
// INSERT OR IGNORE never replaces an existing one (also not a Teams link set by the Outlook
// integration, or one staff turned on by hand with PUT /api/appointments/:id/video).
// Except when staff replace the patient: the old patient has the link (invites, reminders) and
// must not be able to join the new patient's visit, so the appointment gets a new Jitsi room in
// the same batch, whatever its link was. A Teams link cannot be re-made here (it is Outlook's
// meeting): it is dropped for the new room too.
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { ChangeEffect } from "../appointments/effects";
import { parseStringList } from "../reminders/plan";
import { newJitsiUrl } from "./jitsi";

export const videoLinkEffect: ChangeEffect = (db, change) => {
  const { before, after, context } = change;
  if (!after || !context) return [];
  const out: BatchItem<"sqlite">[] = [];
  const now = Date.now();
  // Only an appointment that has a link gets a new one (a non-video one stays without).
  if (before && before.patientId !== after.patientId)
    out.push(db.run(sql`UPDATE appointment_video SET provider = 'jitsi', url = ${newJitsiUrl(context.clinic.jitsiBaseUrl)}, created_at = ${now}
      WHERE appointment_id = ${after.id}`));
  if ((!before || before.type !== after.type) && parseStringList(context.clinic.videoTypes).includes(after.type))
    out.push(db.run(sql`INSERT OR IGNORE INTO appointment_video (appointment_id, clinic_id, provider, url, created_at)
      VALUES (${after.id}, ${after.clinicId}, 'jitsi', ${newJitsiUrl(context.clinic.jitsiBaseUrl)}, ${now})`));
  return out;
};
