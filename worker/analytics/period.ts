// The dashboard's period: whole months in the clinic zone (the rollups' grain), and the
// previous period of the same length right before it.

export interface Period {
  from: string; // YYYY-MM, first month included
  to: string; // YYYY-MM, last month included
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const isMonth = (s: string) => MONTH.test(s);

const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
const monthAt = (i: number) => `${String(Math.floor(i / 12)).padStart(4, "0")}-${String((i % 12) + 1).padStart(2, "0")}`;

export const addMonths = (m: string, n: number) => monthAt(index(m) + n);
export const monthsIn = (p: Period) => index(p.to) - index(p.from) + 1;

/** The months of a period, in order. */
export function monthList(p: Period): string[] {
  const out: string[] = [];
  for (let i = index(p.from); i <= index(p.to); i++) out.push(monthAt(i));
  return out;
}

export function previousOf(p: Period): Period {
  const n = monthsIn(p);
  return { from: addMonths(p.from, -n), to: addMonths(p.from, -1) };
}

/** First and last calendar date (YYYY-MM-DD) of a period. */
export function datesOf(p: Period): { first: string; last: string } {
  const next = addMonths(p.to, 1);
  const last = new Date(Date.UTC(Number(next.slice(0, 4)), Number(next.slice(5, 7)) - 1, 0)).toISOString().slice(0, 10);
  return { first: `${p.from}-01`, last };
}
