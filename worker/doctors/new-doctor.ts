// What a new doctor starts with, in a module without zod or the database so the admin screens
// can show exactly these values (web/admin/StaffPage.tsx pre-fills its hours from here) and the
// routes can save them: the dialog and the saved row cannot disagree.
import type { WorkingHours } from "../scheduling/working-hours";

/** Mon–Fri 09:00–17:00 with a lunch hour: what a new doctor gets until someone edits it. */
export const DEFAULT_WORKING_HOURS: WorkingHours = Object.fromEntries(
  ["1", "2", "3", "4", "5"].map((d) => [
    d,
    [
      ["09:00", "12:00"],
      ["13:00", "17:00"],
    ],
  ]),
) as WorkingHours;

/**
 * Doctor colours: hues far enough apart to tell side-by-side columns and month-line dots apart,
 * each dark enough for white text on it (contrast ≥ 4.5:1, WCAG AA).
 */
export const DOCTOR_PALETTE = [
  "#2563eb", // blue
  "#b91c1c", // red
  "#047857", // green
  "#7c3aed", // violet
  "#b45309", // amber
  "#be185d", // pink
  "#0e7490", // cyan
  "#4d7c0f", // olive
  "#c2410c", // orange
  "#4338ca", // indigo
  "#0f766e", // teal
  "#6b21a8", // purple
] as const;

/** The first palette colour no active doctor has; with all taken, the one fewest doctors have. */
export function pickDoctorColour(used: readonly string[]): string {
  const count = new Map<string, number>();
  for (const c of used) count.set(c.toLowerCase(), (count.get(c.toLowerCase()) ?? 0) + 1);
  let best: string = DOCTOR_PALETTE[0];
  for (const c of DOCTOR_PALETTE) {
    const n = count.get(c) ?? 0;
    if (n === 0) return c;
    if (n < (count.get(best) ?? 0)) best = c;
  }
  return best;
}

/** The colour for the clinic's next doctor (one indexed read of the clinic's active doctors). */
export async function nextDoctorColour(db: D1Database, clinicId: string): Promise<string> {
  const rows = await db.prepare("SELECT color FROM doctors WHERE clinic_id = ? AND active = 1").bind(clinicId).all<{ color: string }>();
  return pickDoctorColour(rows.results.map((r) => r.color));
}
