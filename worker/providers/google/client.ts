// Google Calendar v3 as a CalendarProvider. Base URL from env (GOOGLE_API_BASE),
// so tests and demos point at the emulator; production default is Google's.
// Auth: a TokenSource gives the current access token and refreshes it; a 401
// refreshes once and retries once (a second 401 is a real auth failure).
import type { Env } from "../../env";
import { ConflictError, GoneError, NotFoundError, sendWithBearer, type SendOptions } from "../http";
import {
  CursorInvalidError,
  type CalendarProvider,
  type ChangeSet,
  type ExternalCalendar,
  type ExternalItem,
  type OutboundAppointment,
  type TimeWindow,
  type UpsertResult,
  type TokenSource,
  type WatchResult,
} from "../provider";
import { fromGoogleEvent, PROP_DOCTOR, toGoogleEvent, type GoogleEvent } from "./mapping";


export const googleApiBase = (env: Env) => (env.GOOGLE_API_BASE ?? "https://www.googleapis.com/calendar/v3").replace(/\/+$/, "");

/** Events per page we ask for (Google's max is 2500; big pages mean fewer requests). */
const PAGE_SIZE = 250;
/** Our own events (reconnect): Google's maximum page, so 78 or 2,000 appointments are one request. */
const OWN_PAGE_SIZE = 2500;

export class GoogleCalendarClient implements CalendarProvider {
  readonly name = "google" as const;
  constructor(
    private readonly base: string,
    private readonly tokens: TokenSource,
    /** Zone for all-day dates (the clinic's). */
    private readonly timeZone: string,
    private readonly opts: SendOptions = {},
  ) {}

  private async call(method: string, path: string, init: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string> } = {}) {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    return sendWithBearer(url, method, init, this.tokens, this.opts);
  }

  async listCalendars(): Promise<ExternalCalendar[]> {
    const out: ExternalCalendar[] = [];
    let pageToken: string | undefined;
    do {
      const res = await this.call("GET", "/users/me/calendarList", { query: pageToken ? { pageToken } : {} });
      const body = (await res.json()) as { items?: any[]; nextPageToken?: string };
      for (const c of body.items ?? [])
        out.push({
          id: c.id,
          summary: c.summary ?? c.id,
          primary: !!c.primary,
          canWrite: c.accessRole === "owner" || c.accessRole === "writer",
          timeZone: c.timeZone ?? null,
        });
      pageToken = body.nextPageToken;
    } while (pageToken);
    return out;
  }

  async listChanges(calendarId: string, cursor: string | null, window: TimeWindow): Promise<ChangeSet> {
    const items: ExternalItem[] = [];
    const path = `/calendars/${encodeURIComponent(calendarId)}/events`;
    // syncToken cannot be combined with timeMin/timeMax; a full listing uses the window.
    const base: Record<string, string> = cursor
      ? { syncToken: cursor, singleEvents: "true", maxResults: String(PAGE_SIZE) }
      : {
          timeMin: new Date(window.startMs).toISOString(),
          timeMax: new Date(window.endMs).toISOString(),
          singleEvents: "true",
          maxResults: String(PAGE_SIZE),
        };
    let pageToken: string | undefined;
    for (;;) {
      let res: Response;
      try {
        res = await this.call("GET", path, { query: pageToken ? { ...base, pageToken } : base });
      } catch (err) {
        if (err instanceof GoneError) throw new CursorInvalidError();
        throw err;
      }
      const body = (await res.json()) as { items?: GoogleEvent[]; nextPageToken?: string; nextSyncToken?: string };
      for (const ev of body.items ?? []) items.push(fromGoogleEvent(ev, this.timeZone));
      if (body.nextPageToken) {
        pageToken = body.nextPageToken;
        continue;
      }
      if (!body.nextSyncToken) throw new Error("Google listing ended without nextSyncToken");
      return { items, nextCursor: body.nextSyncToken, full: !cursor };
    }
  }

  /**
   * Our events for a doctor in one calendar (issue 9, cheap reconnect): filtered at Google by
   * the private extended property we write (privateExtendedProperty=acmsDoctorId=<id>),
   * deleted ones included (showDeleted) so a deleted event is restored by PATCH, not hit by a 409.
   */
  async listOwnEvents(calendarId: string, window: TimeWindow, doctorId: string): Promise<ExternalItem[]> {
    const items: ExternalItem[] = [];
    const base: Record<string, string> = {
      timeMin: new Date(window.startMs).toISOString(),
      timeMax: new Date(window.endMs).toISOString(),
      privateExtendedProperty: `${PROP_DOCTOR}=${doctorId}`,
      showDeleted: "true",
      singleEvents: "true",
      maxResults: String(OWN_PAGE_SIZE),
    };
    let pageToken: string | undefined;
    do {
      const res = await this.call("GET", `/calendars/${encodeURIComponent(calendarId)}/events`, { query: pageToken ? { ...base, pageToken } : base });
      const body = (await res.json()) as { items?: GoogleEvent[]; nextPageToken?: string };
      for (const ev of body.items ?? []) items.push(fromGoogleEvent(ev, this.timeZone));
      pageToken = body.nextPageToken;
    } while (pageToken);
    return items;
  }

  async getEvent(calendarId: string, eventId: string): Promise<ExternalItem | null> {
    try {
      const res = await this.call("GET", `/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(eventId)}`);
      return fromGoogleEvent((await res.json()) as GoogleEvent, this.timeZone);
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof GoneError) return null;
      throw err;
    }
  }

  async upsertEvent(calendarId: string, appt: OutboundAppointment, etag: string | null): Promise<UpsertResult> {
    const body = toGoogleEvent(appt);
    const events = `/calendars/${encodeURIComponent(calendarId)}/events`;
    const patch = async (tag: string | null) => {
      const { id: _id, ...fields } = body;
      const res = await this.call("PATCH", `${events}/${body.id}`, {
        query: { sendUpdates: "none" },
        // Patch semantics keep a field the body leaves out: a video link taken off the visit
        // (PUT /api/appointments/:id/video) must leave the event's location too. Only then: a
        // location the doctor typed on the event is theirs to keep.
        body: appt.clearsVideo ? { location: "", ...fields } : fields,
        headers: tag ? { "if-match": tag } : {},
      });
      return res.json() as Promise<GoogleEvent>;
    };
    let ev: GoogleEvent;
    if (etag) ev = await patch(etag);
    else {
      try {
        const res = await this.call("POST", events, { query: { sendUpdates: "none" }, body });
        ev = (await res.json()) as GoogleEvent;
      } catch (err) {
        // 409: the id exists already: a retried insert whose answer we lost, or an
        // event the doctor deleted (Google keeps it as cancelled). Patch it guarded
        // by its current etag: never a second event, never a blind overwrite.
        if (!(err instanceof ConflictError)) throw err;
        const cur = await this.call("GET", `${events}/${body.id}`);
        ev = await patch(((await cur.json()) as GoogleEvent).etag ?? null);
      }
    }
    const updated = ev.updated ? Date.parse(ev.updated) : NaN;
    return { id: ev.id, etag: ev.etag ?? null, updatedMs: Number.isNaN(updated) ? null : updated };
  }

  async deleteEvent(calendarId: string, eventId: string, etag: string | null): Promise<void> {
    try {
      await this.call("DELETE", `/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(eventId)}`, {
        query: { sendUpdates: "none" },
        headers: etag ? { "if-match": etag } : {},
      });
    } catch (err) {
      // Already deleted (410) or unknown (404): the goal is reached.
      if (err instanceof GoneError || err instanceof NotFoundError) return;
      throw err;
    }
  }

  async watch(calendarId: string, ch: { id: string; token: string; address: string; ttlSeconds: number }): Promise<WatchResult> {
    const res = await this.call("POST", `/calendars/${encodeURIComponent(calendarId)}/events/watch`, {
      body: { id: ch.id, type: "web_hook", address: ch.address, token: ch.token, params: { ttl: String(ch.ttlSeconds) } },
    });
    const body = (await res.json()) as { id: string; resourceId: string; expiration?: string };
    return {
      channelId: body.id,
      resourceId: body.resourceId,
      expiresAt: body.expiration ? Number(body.expiration) : Date.now() + ch.ttlSeconds * 1000,
    };
  }

  async unwatch(channelId: string, resourceId: string): Promise<void> {
    try {
      await this.call("POST", "/channels/stop", { body: { id: channelId, resourceId } });
    } catch (err) {
      if (err instanceof NotFoundError) return; // already gone / expired
      throw err;
    }
  }

  revoke(): Promise<void> {
    return this.tokens.revoke();
  }
}
