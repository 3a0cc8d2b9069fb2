// The answer to an SMS reply "R": a fresh personal link to the patient's page, opened on the
// "Choose another time" list — or, when the patient may not move this appointment online (clinic
// switch, type, limit, cut-off), why not and the clinic's phone. No patient data in the text.
import { getAppointment } from "../appointments/queries";
import type { Env } from "../env";
import { clinicContact } from "./actions";
import { issuePatientLink, sameVisitHolder } from "./links";
import { rescheduleRefusal, rescheduleRules } from "./reschedule";

export async function rescheduleLinkReply(env: Env, next: { id: string; clinic_id: string; patient_id: string; name: string }, now = Date.now()): Promise<string> {
  const [read, clinic, rules] = await Promise.all([getAppointment(env.DB, next.clinic_id, next.id), clinicContact(env.DB, next.clinic_id), rescheduleRules(env.DB, next.clinic_id)]);
  // Still the visit of the patient whose number texted: a swap since the match must not send
  // them a link to the new patient's visit.
  const a = sameVisitHolder(read, next.patient_id);
  if (!a || !clinic) return `${next.name}: this appointment no longer exists.`;
  const refusal = await rescheduleRefusal(env.DB, a, clinic, rules, now);
  if (refusal) return `${next.name}: ${refusal}`;
  // Bound to the patient who texted: a later patient swap retires it.
  const link = await issuePatientLink(env.DB, env.APP_URL, { clinicId: a.clinicId, appointmentId: a.id, endMs: Date.parse(a.end), patientId: a.patientId }, now);
  await link.statement.run();
  return `${next.name}: choose another time here: ${link.url}?choose=1`;
}
