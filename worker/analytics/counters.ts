// The rollups' counters, each as a SQL expression over one analytics_facts row `f`: the ONE
// place that says what a counter counts. The incremental path (./rollup-sql.ts, every
// appointment change) and the rebuild (./rebuild.ts) both sum these expressions, so they cannot
// disagree about a definition; the property test checks they agree about the arithmetic.
//
// "booked": every appointment that is not cancelled (it took the slot).
// "d_*": appointments with an outcome (completed or no-show) — the denominator of no-show rates.
// "ns_*": no-shows among them.

const DONE = "f.status IN ('completed','no_show')";
const NS = "f.status = 'no_show'";
const done = (cond: string) => `(${DONE} AND ${cond})`;
const ns = (cond: string) => `(${NS} AND ${cond})`;

export const CUBE_COUNTERS: Record<string, string> = {
  booked: "f.status != 'cancelled'",
  completed: "f.status = 'completed'",
  no_show: NS,
  cancelled: "f.status = 'cancelled'",
  cancel_late: "(f.status = 'cancelled' AND f.cancel_late)",
  cancel_staff: "(f.status = 'cancelled' AND f.cancel_by = 'staff')",
  cancel_link: "(f.status = 'cancelled' AND f.cancel_by = 'link')",
  cancel_sms: "(f.status = 'cancelled' AND f.cancel_by = 'sms')",
  cancel_provider: "(f.status = 'cancelled' AND f.cancel_by = 'provider')",
  minutes: "CASE WHEN f.status != 'cancelled' THEN f.minutes ELSE 0 END",
  lead_min_sum: "CASE WHEN f.status != 'cancelled' THEN f.lead_min ELSE 0 END",
  ...Object.fromEntries(
    [0, 1, 2, 3, 4].flatMap((b) => [
      [`d_lead${b}`, done(`f.lead_bucket = ${b}`)],
      [`ns_lead${b}`, ns(`f.lead_bucket = ${b}`)],
    ]),
  ),
  d_first: done("f.first_visit"),
  ns_first: ns("f.first_visit"),
  ...Object.fromEntries(
    [0, 1, 2].flatMap((h) => [
      [`d_hist${h}`, done(`f.prior_no_shows = ${h}`)],
      [`ns_hist${h}`, ns(`f.prior_no_shows = ${h}`)],
    ]),
  ),
  d_rem: done("f.reminded"),
  ns_rem: ns("f.reminded"),
  d_conf: done("f.confirmed"),
  ns_conf: ns("f.confirmed"),
};

export const HEAT_COUNTERS: Record<string, string> = {
  booked: "f.status != 'cancelled'",
  minutes: "CASE WHEN f.status != 'cancelled' THEN f.minutes ELSE 0 END",
  d_all: DONE,
  ns_all: NS,
};

export interface RollupSpec {
  table: string;
  /** Key columns taken from the fact as they are. */
  keys: string[];
  counters: Record<string, string>;
}

// doctor_id, type and video are keyed too: a fact's own, its doctor's total (doctor, '*', -1) and
// the clinic's ('*', '*', -1).
export const CUBE: RollupSpec = { table: "analytics_cube", keys: ["month"], counters: CUBE_COUNTERS };
export const HEAT: RollupSpec = { table: "analytics_heat", keys: ["month", "weekday", "hour"], counters: HEAT_COUNTERS };
export const ROLLUPS = [CUBE, HEAT];
