// events insert/get/patch/update/delete, as Google answers them: etags with If-Match → 412,
// client-chosen base32hex ids with 409 duplicate, start/end validation, deleted events kept
// as "cancelled" (GET returns them, DELETE again → 410, PATCH status can restore), and
// instances of a recurring event addressable by their instance id.
import { err, json } from "./http";
import { instanceOf } from "./recurrence";
import type { CalendarStore } from "./store";
import type { Calendar } from "./types";

export function validTimes(ev: Record<string, any>): string | null {
  const ok = (t: any) => t && (typeof t.dateTime === "string" ? !Number.isNaN(Date.parse(t.dateTime)) : typeof t.date === "string");
  if (ev.status === "cancelled") return null;
  if (!ok(ev.start) || !ok(ev.end)) return "Missing or invalid time";
  const s = Date.parse(ev.start.dateTime ?? ev.start.date);
  const e = Date.parse(ev.end.dateTime ?? ev.end.date);
  if (e < s) return "The specified time range is empty.";
  return null;
}

/** POST …/events. */
export function insert(db: CalendarStore, cal: Calendar, ev: Record<string, any>): Response {
  if (ev.id !== undefined && !/^[a-v0-9]{5,1024}$/.test(ev.id)) return err(400, "invalid", "Invalid resource id value.");
  if (ev.id !== undefined && cal.events.has(ev.id)) return err(409, "duplicate", "The requested identifier already exists.");
  const bad = validTimes(ev);
  if (bad) return err(400, bad.includes("empty") ? "timeRangeEmpty" : "required", bad);
  return json(db.insertEvent(cal, ev));
}

/** GET / PATCH / PUT / DELETE …/events/{eventId}. */
export function eventOp(db: CalendarStore, cal: Calendar, id: string, req: Request, body: string, writable: boolean): Response {
  const cur = cal.events.get(id) ?? instanceOf(cal, id);
  if (req.method !== "GET" && !writable) return err(403, "requiredAccessLevel", "You need to have writer access to this calendar.");
  if (!cur) return err(404, "notFound", "Not Found");
  if (req.method === "GET") return json(cur.data);
  const ifMatch = req.headers.get("if-match");
  if (ifMatch && ifMatch !== "*" && ifMatch !== cur.data.etag) return err(412, "conditionNotMet", "Precondition Failed");
  if (req.method === "DELETE") {
    if (cur.data.status === "cancelled") return err(410, "deleted", "Resource has been deleted");
    db.cancel(cal, cur.data);
    return new Response(null, { status: 204 });
  }
  const incoming = JSON.parse(body || "{}");
  let next: Record<string, any>;
  if (req.method === "PATCH") {
    next = { ...cur.data, ...incoming, id };
    if (incoming.extendedProperties)
      next.extendedProperties = {
        private: { ...cur.data.extendedProperties?.private, ...incoming.extendedProperties.private },
        shared: { ...cur.data.extendedProperties?.shared, ...incoming.extendedProperties.shared },
      };
  } else if (req.method === "PUT") next = { ...incoming, id, created: cur.data.created };
  else return err(405, "methodNotAllowed", "Method not allowed");
  const bad = validTimes(next);
  if (bad) return err(400, "required", bad);
  return json(db.store(cal, next));
}
