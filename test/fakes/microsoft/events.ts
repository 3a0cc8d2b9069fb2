// Outlook events as Graph writes and shows them: @odata.etag from the changeKey (If-Match
// → 412 is checked by the caller); transactionId dedupe (a repeated POST returns the event
// made by the first); immutable ids only when asked for (`Prefer: IdType="ImmutableId"`;
// without it, moving an event changes its id); start/end in the zone asked for
// (`Prefer: outlook.timezone`); singleValueExtendedProperties returned only when
// $expand-ed; online meetings (Teams) only for work accounts.
import { gerr } from "./http";
import { json, rand } from "./identity";
import type { GraphStore } from "./store";
import { msOf, wallIn, zoneOf } from "./timezones";
import type { Account, Calendar, StoredEvent } from "./types";

export const etag = (e: StoredEvent) => `W/"${e.changeKey}"`;

/** The writable fields of a POST / PATCH body onto the event. */
export function apply(e: StoredEvent, b: any, acct: Account) {
  if (!b || typeof b !== "object") return;
  for (const k of ["subject", "body", "showAs", "sensitivity", "isReminderOn", "categories", "location"]) if (k in b) e.data[k] = b[k];
  if (Array.isArray(b.attendees)) e.data.attendees = b.attendees;
  if (b.start) e.startMs = msOf(b.start) ?? e.startMs;
  if (b.end) e.endMs = msOf(b.end) ?? e.endMs;
  if (b.start?.timeZone) e.data.originalStartTimeZone = b.start.timeZone;
  for (const p of b.singleValueExtendedProperties ?? []) e.props.set(String(p.id).toLowerCase(), String(p.value));
  if (b.isOnlineMeeting === true) {
    // Teams meetings only exist for work/school accounts; personal accounts get nothing.
    e.data.isOnlineMeeting = acct.work;
    if (acct.work) {
      e.data.onlineMeetingProvider = "teamsForBusiness";
      e.data.onlineMeeting ??= { joinUrl: `https://teams.microsoft.test/l/meetup-join/${rand(12)}` };
    }
  }
}

/** POST /me/calendars/{id}/events. */
export function create(db: GraphStore, acct: Account, cal: Calendar, b: any, immutable: boolean, view: (e: StoredEvent) => unknown) {
  if (!cal.canEdit) return gerr(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  if (!b?.start || !b?.end || msOf(b.start) == null || msOf(b.end) == null) return gerr(400, "ErrorInvalidRequest", "start and end are required.");
  if (b.transactionId) {
    // A retried POST with the same transactionId does not make a second event.
    const dup = [...db.events.values()].find((e) => e.account === acct.email && e.transactionId === b.transactionId);
    if (dup && !dup.deleted) return json(view(dup), 201);
  }
  const e = db.newEvent(acct.email, cal.id, 0, 0, null, { type: "singleInstance", isAllDay: false, isCancelled: false, responseStatus: { response: "organizer" }, showAs: "busy" });
  e.data.__immutable = immutable;
  e.transactionId = b.transactionId ?? null;
  apply(e, b, acct);
  return json(view(db.store(e)), 201);
}

/** The event as Graph returns it, times in `tz` (Prefer: outlook.timezone) or its original zone. */
export function render(e: StoredEvent, tz: string | null, expand: string, acct: Account) {
  const zone = tz ?? e.data.originalStartTimeZone ?? "UTC";
  const iana = zoneOf(zone) ?? "UTC";
  const t = (ms: number, date: string | null) => ({ dateTime: date ? `${date}T00:00:00.0000000` : `${wallIn(ms, iana)}.0000000`, timeZone: zone });
  const { __immutable, ...data } = e.data;
  const out: Record<string, any> = {
    "@odata.etag": etag(e),
    id: e.id,
    changeKey: e.changeKey,
    lastModifiedDateTime: new Date(e.lastModified).toISOString(),
    ...data,
    start: t(e.startMs, e.allDay?.start ?? null),
    end: t(e.endMs, e.allDay?.end ?? null),
  };
  if (e.transactionId) out.transactionId = e.transactionId;
  const want = expand.match(/singleValueExtendedProperties\(\$filter=id eq '([^']+)'\)/);
  if (want) {
    const v = e.props.get(want[1].toLowerCase());
    if (v !== undefined) out.singleValueExtendedProperties = [{ id: want[1], value: v }];
  }
  void acct;
  return out;
}
