// What is wrong with the place a block is being dragged (or resized) to, judged from what the
// calendar already holds — so the user sees "not allowed" before letting go. The server stays
// the judge on drop (it refuses with 409/403 and the block goes back); this only warns early.
// Only a doctor dragging into a colleague's column is refused outright (the role rules would
// refuse it anyway, and there is nothing to learn from trying).
import type { Appointment, BlockedTime, Doctor, SessionUser } from "../api-client/types";
import { offSpans } from "./working-time";

export interface Candidate {
  id: string;
  doctorId: string;
  /** Wall-clock calendar dates (local fields = clinic time). */
  start: Date;
  end: Date;
  /** The same instants as ISO strings (for comparing with stored appointments). */
  startIso: string;
  endIso: string;
}

export type Problem = { kind: "forbidden" | "taken" | "blocked" | "off"; text: string } | null;

const ymdOf = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
const minOf = (d: Date) => d.getHours() * 60 + d.getMinutes();
const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;

/** Whether `user` may put appointments into `doctorId`'s calendar (doctors: only their own). */
export const mayBookFor = (user: SessionUser | null, doctorId: string) => !!user && (user.role !== "doctor" || user.doctorId === doctorId);

export function dropProblem(
  c: Candidate,
  ctx: { user: SessionUser | null; doctors: Doctor[]; appointments: Iterable<Appointment>; blocked: Iterable<BlockedTime>; fmt: (iso: string) => string },
): Problem {
  const doctor = ctx.doctors.find((d) => d.id === c.doctorId);
  if (!mayBookFor(ctx.user, c.doctorId)) return { kind: "forbidden", text: `Not allowed: you can only move appointments within your own calendar.` };
  const s = Date.parse(c.startIso);
  const e = Date.parse(c.endIso);
  for (const a of ctx.appointments) {
    if (a.id === c.id || a.doctorId !== c.doctorId || a.status === "cancelled") continue;
    if (Date.parse(a.start) < e && Date.parse(a.end) > s) return { kind: "taken", text: `Not allowed: ${doctor?.name ?? "the doctor"} already has ${a.patientName} at ${ctx.fmt(a.start)}.` };
  }
  for (const b of ctx.blocked) {
    if (b.doctorId !== c.doctorId) continue;
    if (Date.parse(b.start) < e && Date.parse(b.end) > s) return { kind: "blocked", text: `Not allowed: blocked (${b.label || "busy"}).` };
  }
  if (doctor && ymdOf(c.start) === ymdOf(new Date(c.end.getTime() - 1))) {
    const from = minOf(c.start);
    const to = minOf(c.end) || 24 * 60;
    const off = offSpans(doctor, ymdOf(c.start)).find((x) => x.start < to && x.end > from);
    if (off) return { kind: "off", text: `Not allowed at ${hhmm(c.start)}: ${off.reason}.` };
  }
  return null;
}
