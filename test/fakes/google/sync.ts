// events.list as Google pages and syncs it: timeMin/timeMax/singleEvents/showDeleted, small
// pages (nextPageToken on every page but the last, nextSyncToken on the last), syncToken
// incremental listing including cancelled items, 410 fullSyncRequired on an invalid token;
// syncToken combined with timeMin/timeMax → 400; privateExtendedProperty=name=value filters
// (repeatable, ANDed).
import { err, json } from "./http";
import { expand } from "./recurrence";
import type { Calendar } from "./types";

export interface ListContext {
  /** The store's current change sequence (the snapshot a first page pins). */
  seq: number;
  /** Page size cap. */
  pageSize: number;
  now(): number;
}

export function list(cal: Calendar, q: URLSearchParams, at: ListContext): Response {
  const syncToken = q.get("syncToken");
  if (syncToken && (q.has("timeMin") || q.has("timeMax") || q.has("q") || q.has("orderBy") || q.has("updatedMin")))
    return err(400, "invalid", "Sync token cannot be used with other request parameters.");
  let since = -1;
  if (syncToken) {
    const n = /^s(\d+)$/.test(syncToken) ? Number(syncToken.slice(1)) : NaN;
    if (Number.isNaN(n) || n < cal.tokensValidFrom) return err(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.");
    since = n;
  }
  // The page token pins the snapshot, so later pages are consistent with the first.
  let offset = 0;
  let snapshot = at.seq;
  const pt = q.get("pageToken");
  if (pt) {
    try {
      const p = JSON.parse(atob(pt));
      offset = p.o;
      snapshot = p.s;
    } catch {
      return err(400, "invalid", "Invalid page token.");
    }
  }
  const showDeleted = syncToken != null || q.get("showDeleted") === "true";
  const single = q.get("singleEvents") === "true";
  const from = q.has("timeMin") ? Date.parse(q.get("timeMin")!) : -Infinity;
  const to = q.has("timeMax") ? Date.parse(q.get("timeMax")!) : Infinity;
  const span = (e: any) => [Date.parse(e.start?.dateTime ?? e.start?.date), Date.parse(e.end?.dateTime ?? e.end?.date)];
  const items: Record<string, any>[] = [];
  const props = q.getAll("privateExtendedProperty").map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]);
  for (const ev of [...cal.events.values()].sort((a, b) => a.data.id.localeCompare(b.data.id))) {
    if (ev.seq <= since || ev.seq > snapshot) continue;
    const d = ev.data;
    if (props.some(([k, v]) => d.extendedProperties?.private?.[k] !== v)) continue;
    if (d.status === "cancelled") {
      if (showDeleted) items.push(d.recurrence && single ? { id: d.id, status: "cancelled", kind: d.kind, etag: d.etag, updated: d.updated } : { id: d.id, status: "cancelled", kind: d.kind, etag: d.etag, updated: d.updated, ...(d.recurringEventId ? { recurringEventId: d.recurringEventId } : {}) });
      continue;
    }
    if (d.recurrence && single) {
      for (const inst of expand(d, from, to)) {
        const override = cal.events.get(inst.id);
        if (override) continue; // the exception itself is listed
        items.push(inst);
      }
      continue;
    }
    const [s, e] = span(d);
    if (syncToken == null && (e <= from || s >= to)) continue;
    items.push(d);
  }
  const size = Math.min(at.pageSize, Number(q.get("maxResults") ?? 250));
  const page = items.slice(offset, offset + size);
  const more = offset + size < items.length;
  return json({
    kind: "calendar#events",
    summary: cal.summary,
    timeZone: cal.timeZone,
    updated: new Date(at.now()).toISOString(),
    items: page,
    ...(more ? { nextPageToken: btoa(JSON.stringify({ o: offset + size, s: snapshot })) } : { nextSyncToken: `s${snapshot}` }),
  });
}
