// The NPS question on the patient's page /r/<token> (worker/routes/patient-page.ts calls these
// two): the block to show under the appointment, and the answer posted by its form.
import type { Appointment } from "../appointments/model";
import { parseComment, parseScore, patientNpsHtml, patientNpsState, recordPatientNps } from "./nps";

export async function patientNpsBlock(d1: D1Database, a: Appointment, clinicName: string): Promise<string> {
  return patientNpsHtml(await patientNpsState(d1, a.id, a.status), clinicName);
}

export async function npsFormPost(
  d1: D1Database,
  link: { clinicId: string; appointmentId: string },
  form: Record<string, unknown>,
): Promise<{ kind: "good" | "bad"; text: string }> {
  const score = parseScore(form.score);
  if (score === null) return { kind: "bad", text: "Please choose a number from 0 to 10." };
  const comment = parseComment(form.comment);
  if (!comment.ok) return { kind: "bad", text: comment.message };
  const saved = await recordPatientNps(d1, link.clinicId, link.appointmentId, score, comment.value);
  return saved ? { kind: "good", text: "Thank you for your answer." } : { kind: "bad", text: "This visit has an answer already, or it is not finished yet." };
}
