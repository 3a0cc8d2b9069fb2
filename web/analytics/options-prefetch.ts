// Opened at /analytics (a bookmark, a reload): the page's first question (which sections this
// role sees, the default period) is asked while the session is restored and the page's chunk
// loads, instead of after the chunk arrives; one round trip less before the first chart
// (issue #19: first chart < 500 ms from navigation). In the main bundle on purpose: it is a
// few lines, and the chunk is what it races.
import { request } from "../api-client/client";
import type { Options } from "./analytics-api";

let early: Promise<Options> | null = null;

export function prefetchAnalyticsOptions(): void {
  early ??= request<Options>("GET", "/api/analytics/options");
  early.catch(() => {}); // a refused early ask (logged out) is asked again by the page
}

/** The options: the early answer if it came back good (used once), else a fresh ask. */
export function analyticsOptions(): Promise<Options> {
  const p = early;
  early = null;
  const ask = () => request<Options>("GET", "/api/analytics/options");
  return p ? p.catch(ask) : ask();
}
