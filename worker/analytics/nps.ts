// NPS (Net Promoter Score): "How likely are you to recommend … to a friend or family member?"
// 0–10 with an optional comment.
//  - Patients: on their page /r/<token> once the visit is completed, once per appointment
//    (unique index on nps_responses.appointment_id), plain HTML form, no script.
//  - Staff: in the app at most once a quarter (unique index on user + quarter).
// Comments are for the clinic's admins only (GET /api/analytics/nps) and never leave the clinic.
import { z } from "zod";
import { textProblem } from "../validate";
import { utcToLocal } from "../scheduling/zone";

export const COMMENT_MAX = 1000;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The quarter ('2026-Q4') of an instant in the clinic zone: staff are asked once per quarter. */
export function quarterOf(zone: string, ms: number): string {
  const d = utcToLocal(zone, ms).date;
  return `${d.slice(0, 4)}-Q${Math.floor((Number(d.slice(5, 7)) - 1) / 3) + 1}`;
}

export const NpsAnswer = z.strictObject({
  score: z.number().int().min(0).max(10),
  comment: z.string().max(COMMENT_MAX).optional(),
});

/** A score from a form field: exactly one of "0".."10". */
export function parseScore(v: unknown): number | null {
  return typeof v === "string" && /^(?:[0-9]|10)$/.test(v) ? Number(v) : null;
}

/** A form comment: trimmed, bounded, and free of characters that could disguise it. */
export function parseComment(v: unknown): { ok: true; value: string } | { ok: false; message: string } {
  if (v === undefined || v === null || v === "") return { ok: true, value: "" };
  if (typeof v !== "string") return { ok: false, message: "The comment could not be read." };
  const s = v.replace(/\r\n/g, "\n").trim();
  if (s.length > COMMENT_MAX) return { ok: false, message: `Please keep the comment under ${COMMENT_MAX} characters.` };
  const p = textProblem(s, true);
  return p ? { ok: false, message: "The comment contains characters we cannot accept." } : { ok: true, value: s };
}

export type PatientNpsState = "not_yet" | "ask" | "answered";

export async function patientNpsState(d1: D1Database, appointmentId: string, status: string): Promise<PatientNpsState> {
  if (status !== "completed") return "not_yet";
  const r = await d1.prepare("SELECT 1 AS x FROM nps_responses WHERE appointment_id = ?").bind(appointmentId).first();
  return r ? "answered" : "ask";
}

/** Records a patient's answer; false when the appointment has one already (or is not completed). */
export async function recordPatientNps(d1: D1Database, clinicId: string, appointmentId: string, score: number, comment: string, now = Date.now()): Promise<boolean> {
  const r = await d1
    .prepare(
      `INSERT INTO nps_responses (clinic_id, source, appointment_id, score, comment, at)
       SELECT ?, 'patient', a.id, ?, ?, ? FROM appointments a WHERE a.id = ? AND a.clinic_id = ? AND a.status = 'completed'
       ON CONFLICT DO NOTHING`,
    )
    .bind(clinicId, score, comment, now, appointmentId, clinicId)
    .run();
  return (r.meta.changes ?? 0) > 0;
}

/** The question on the patient's page: radio buttons 0–10 (big enough for a thumb), an optional comment, one button. */
export function patientNpsHtml(state: PatientNpsState, clinic: string): string {
  if (state === "not_yet") return "";
  if (state === "answered") return `<div class="card nps"><p>Thank you for telling us how we did.</p></div>`;
  const options = Array.from(
    { length: 11 },
    (_, i) => `<label class="nps-opt"><input type="radio" name="score" value="${i}" required><span>${i}</span></label>`,
  ).join("");
  return `<style>.nps{margin-top:1rem;display:block}.nps fieldset{border:0;padding:0;margin:0}.nps legend{font-weight:600;margin-bottom:.6rem}
.nps-scale{display:grid;grid-template-columns:repeat(6,1fr);gap:.4rem}.nps-opt{position:relative}.nps-opt input{position:absolute;opacity:0;inset:0}
.nps-opt span{display:block;text-align:center;padding:.7rem 0;border:2px solid #c5ccd6;border-radius:8px;background:#fff}
.nps-opt input:checked+span{background:#1d4ed8;color:#fff;border-color:#1d4ed8}.nps-opt input:focus-visible+span{outline:3px solid #f59e0b}
.nps-ends{display:flex;justify-content:space-between;font-size:.85rem;color:#5a6675;margin:.3rem 0 .8rem}
.nps textarea{width:100%;box-sizing:border-box;font:inherit;min-height:5rem;border-radius:8px;border:1px solid #c5ccd6;padding:.5rem}
.nps button{margin-top:.8rem;width:100%;background:#1d4ed8;color:#fff}</style>
<form method="post" class="card nps"><input type="hidden" name="action" value="nps">
<fieldset><legend>How likely are you to recommend ${esc(clinic)} to a friend or family member?</legend>
<div class="nps-scale" role="radiogroup">${options}</div><div class="nps-ends" aria-hidden="true"><span>0 = not at all likely</span><span>10 = extremely likely</span></div></fieldset>
<label for="nps-comment">Anything you would like to tell us? (optional)</label>
<textarea id="nps-comment" name="comment" maxlength="${COMMENT_MAX}"></textarea>
<button type="submit">Send</button></form>`;
}
