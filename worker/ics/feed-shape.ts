// What a subscribable feed is: its window, format version and the doctor/clinic fields it is
// rendered from. Shared by the request path (feed.ts) and the stored bodies (feed-store.ts).
import type { Env } from "../env";
import type { IcsClinic, Privacy } from "./render";

/** Bump when the rendered output changes for the same data (every stored feed is rebuilt on its next poll). */
export const FEED_FORMAT = 3; // 3: ambiguous DST-overlap times in UTC, final CRLF
export const FEED_DAYS_BACK = 30;
export const FEED_DAYS_AHEAD = 365;
/** REFRESH-INTERVAL / X-PUBLISHED-TTL: a hint to clients; our 304s make polling cheap anyway. */
export const FEED_TTL_SECONDS = 15 * 60;

export interface FeedRow {
  doctorId: string;
  doctorName: string;
  privacy: Privacy;
  clinic: IcsClinic;
}

/** Days back/ahead from env (FEED_DAYS_BACK / FEED_DAYS_AHEAD), clamped to 0–3650, else the defaults. */
export function feedDays(env: Pick<Env, "FEED_DAYS_BACK" | "FEED_DAYS_AHEAD">): { back: number; ahead: number } {
  const num = (v: string | undefined, d: number) => {
    const n = Number(v);
    return v != null && v !== "" && Number.isInteger(n) && n >= 0 && n <= 3650 ? n : d;
  };
  return { back: num(env.FEED_DAYS_BACK, FEED_DAYS_BACK), ahead: num(env.FEED_DAYS_AHEAD, FEED_DAYS_AHEAD) };
}

export function feedWindow(nowMs: number, days = { back: FEED_DAYS_BACK, ahead: FEED_DAYS_AHEAD }): { fromMs: number; toMs: number } {
  const day = 86400_000;
  const today = Math.floor(nowMs / day) * day;
  return { fromMs: today - days.back * day, toMs: today + (days.ahead + 1) * day };
}
