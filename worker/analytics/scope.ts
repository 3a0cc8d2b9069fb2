// Who may see which analytics section, and the filter a request is answered for.
// Aggregates only (the repeat no-show list is the one staff list); an admin sees every
// doctor, a doctor only themself (their filter is forced to their own id), a receptionist
// busiest times and utilization.
import { z } from "zod";
import type { Role } from "../db/schema";
import type { SessionUser } from "../env";
import { forbidden, validationError } from "../errors";
import { addMonths, isMonth, monthsIn, type Period } from "./period";

export type Section = "busiest" | "no-shows" | "repeat-no-shows" | "reduction" | "utilization" | "kpis" | "nps" | "waitlist";

export const SECTION_ROLES: Record<Section, Role[]> = {
  busiest: ["admin", "doctor", "receptionist"],
  utilization: ["admin", "doctor", "receptionist"],
  "no-shows": ["admin", "doctor"],
  "repeat-no-shows": ["admin", "doctor"],
  reduction: ["admin", "doctor"],
  kpis: ["admin"],
  nps: ["admin"],
  // Refill of freed slots: clinic-wide for admin and reception (who run the waitlist), a doctor their own.
  waitlist: ["admin", "doctor", "receptionist"],
};

export interface Filter {
  /** A doctor id or '*' (all doctors). */
  doctor: string;
  /** An appointment type or '*'. */
  type: string;
  /** 1 video, 0 in person, -1 both. */
  video: -1 | 0 | 1;
}

export interface Scope {
  clinicId: string;
  period: Period;
  filter: Filter;
}

const month = z.string().refine(isMonth, "must be a month like 2026-03");
export const ScopeQuery = z.strictObject({
  from: month.optional(),
  to: month.optional(),
  doctor: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "must be a doctor id").optional(),
  type: z.string().min(1).max(60).optional(),
  video: z.enum(["0", "1"]).optional(),
});

/** Longest period one request may ask for (and its comparison): 5 years. */
const MAX_MONTHS = 60;

export function scopeOf(user: SessionUser, section: Section, q: z.infer<typeof ScopeQuery>, nowMonth: string): Scope {
  if (!SECTION_ROLES[section].includes(user.role)) throw forbidden(`This part of Analytics needs the ${SECTION_ROLES[section].join(" or ")} role.`);
  const to = q.to ?? nowMonth;
  const from = q.from ?? addMonths(to, -2);
  if (from > to) throw validationError("from must not be after to.", { from, to });
  if (monthsIn({ from, to }) > MAX_MONTHS) throw validationError(`A period is at most ${MAX_MONTHS} months.`, { from, to });
  let doctor = q.doctor ?? "*";
  if (user.role === "doctor") {
    if (!user.doctorId) throw forbidden("Your account is not linked to a doctor.");
    if (q.doctor && q.doctor !== user.doctorId) throw forbidden("A doctor sees their own analytics only.");
    doctor = user.doctorId;
  }
  return {
    clinicId: user.clinicId,
    period: { from, to },
    filter: { doctor, type: q.type ?? "*", video: q.video === undefined ? -1 : (Number(q.video) as 0 | 1) },
  };
}
