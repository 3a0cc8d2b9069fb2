// Dates for the waitlist tests, relative to now so every rule about "the next N days" and the
// cut-off holds whenever the tests run: London clinic, weekday working hours.
import { addDays, isoWeekday, utcToLocal } from "../../../worker/scheduling/zone";

export const ZONE = "Europe/London";

/** The clinic-local date of the n-th weekday (Mon–Fri, from 0) at least 2 days from today. */
export function weekdayAhead(n: number): string {
  let d = addDays(utcToLocal(ZONE, Date.now()).date, 2);
  let seen = 0;
  for (;;) {
    if (isoWeekday(d) <= 5 && seen++ === n) return d;
    d = addDays(d, 1);
  }
}
