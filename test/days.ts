// "A Monday in the future, in winter (London = UTC)" for the tests that book and sync on fixed
// days. They used the literal 2026-12-07, written when it was weeks ahead; on the day itself the
// morning's appointments were past (the daily reconciliation rightly skipped them) and three
// tests failed in CI, and from the next day on every one of those tests would have.
//
// DAY is the first Monday at least 14 days from now for which DAY − 7 … DAY + 28 lies in London's
// winter time (GMT from the last Sunday of October to the last Sunday of March): the tests write
// wall times in Europe/London and expect them as UTC, and reach up to three weeks ahead.
// Well inside the sync window (worker/sync/window.ts: 400 days ahead).
const MS_DAY = 86_400_000;

function inLondonWinter(ms: number): boolean {
  const d = new Date(ms);
  const m = d.getUTCMonth(); // 0 = January
  const date = d.getUTCDate();
  return m === 11 || m === 0 || (m === 10 && date >= 8) || (m === 1 && date <= 20);
}

function winterMondayAhead(now: number): number {
  let t = Math.floor(now / MS_DAY) * MS_DAY + 14 * MS_DAY;
  while (new Date(t).getUTCDay() !== 1 || !inLondonWinter(t)) t += MS_DAY;
  return t;
}

const DAY_MS = winterMondayAhead(Date.now());
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The Monday, as YYYY-MM-DD. */
export const DAY = iso(DAY_MS);
/** `n` days after DAY (negative: before), as YYYY-MM-DD; DAY is a Monday, so dayPlus(5) is its Saturday. */
export const dayPlus = (n: number) => iso(DAY_MS + n * MS_DAY);
/** The same, as iCalendar's basic form YYYYMMDD (DTSTART:${icsDay(1)}T120000Z). */
export const icsDay = (n: number) => dayPlus(n).replace(/-/g, "");
