// calendarView (window, paged) and /me/calendarView/delta on the default calendar, as Graph
// pages them: small pages (Prefer: odata.maxpagesize honoured up to the emulator's
// pageSize, applied by the caller as maxPage), nextLink on every page but the last,
// deltaLink last; incremental rounds return changed events and `@removed` for deleted ones;
// invalidated tokens → 410 SyncStateNotFound.
import { gerr } from "./http";
import { json } from "./identity";
import type { GraphStore } from "./store";
import type { Account, Calendar, StoredEvent } from "./types";

function inWindow(e: StoredEvent, from: number, to: number) {
  const s = e.allDay ? Date.parse(`${e.allDay.start}T00:00:00Z`) : e.startMs;
  const en = e.allDay ? Date.parse(`${e.allDay.end}T00:00:00Z`) : e.endMs;
  return s < to && en > from;
}

export function calendarView(db: GraphStore, acct: Account, cal: Calendar, url: URL, maxPage: number, view: (e: StoredEvent, exp?: string) => unknown, GRAPH: string) {
  const skip = url.searchParams.get("$skiptoken");
  const st = skip ? JSON.parse(atob(skip)) : { from: Date.parse(url.searchParams.get("startDateTime") ?? ""), to: Date.parse(url.searchParams.get("endDateTime") ?? ""), off: 0, expand: url.searchParams.get("$expand") ?? "" };
  if (Number.isNaN(st.from) || Number.isNaN(st.to)) return gerr(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required.");
  const all = db.eventsOf(acct.email, cal.id).filter((e) => inWindow(e, st.from, st.to)).sort((a, b) => a.startMs - b.startMs);
  const page = all.slice(st.off, st.off + maxPage);
  const out: Record<string, unknown> = { value: page.map((e) => view(e, st.expand)) };
  if (st.off + maxPage < all.length) out["@odata.nextLink"] = `${GRAPH}/me/calendars/${encodeURIComponent(cal.id)}/calendarView?$skiptoken=${btoa(JSON.stringify({ ...st, off: st.off + maxPage }))}`;
  return json(out);
}

/** calendarView/delta of the default calendar. Tokens carry the window and the sequence number the round started at. */
export function delta(db: GraphStore, acct: Account, url: URL, maxPage: number, view: (e: StoredEvent) => unknown, GRAPH: string) {
  const cal = db.defaultCalendar(acct.email);
  const token = url.searchParams.get("$deltatoken") ?? url.searchParams.get("$skiptoken");
  let st: { from: number; to: number; since: number; upTo: number; off: number };
  if (token) {
    try {
      st = JSON.parse(atob(token));
    } catch {
      return gerr(410, "SyncStateNotFound", "The sync state generation is invalid or not found.");
    }
    if (st.since < (db.deltaValidFrom.get(acct.email) ?? 0)) return gerr(410, "SyncStateNotFound", "The sync state generation is invalid or not found.");
    if (url.searchParams.get("$deltatoken")) st = { ...st, since: st.upTo, upTo: db.seq, off: 0 };
  } else {
    const from = Date.parse(url.searchParams.get("startDateTime") ?? "");
    const to = Date.parse(url.searchParams.get("endDateTime") ?? "");
    if (Number.isNaN(from) || Number.isNaN(to)) return gerr(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required on the first delta call.");
    st = { from, to, since: 0, upTo: db.seq, off: 0 };
  }
  const changed = [...db.events.values()]
    .filter((e) => e.account === acct.email && e.calendarId === cal.id && e.seq > st.since && e.seq <= st.upTo && inWindow(e, st.from, st.to))
    .filter((e) => !(st.since === 0 && e.deleted))
    .sort((a, b) => a.seq - b.seq);
  const page = changed.slice(st.off, st.off + maxPage);
  const value = page.map((e) => (e.deleted ? { "@odata.type": "#microsoft.graph.event", id: e.id, "@removed": { reason: "deleted" } } : view(e)));
  const enc = (o: object) => encodeURIComponent(btoa(JSON.stringify(o)));
  const out: Record<string, unknown> = { value };
  if (st.off + maxPage < changed.length) out["@odata.nextLink"] = `${GRAPH}/me/calendarView/delta?$skiptoken=${enc({ ...st, off: st.off + maxPage })}`;
  else out["@odata.deltaLink"] = `${GRAPH}/me/calendarView/delta?$deltatoken=${enc({ ...st, off: 0 })}`;
  return json(out);
}
