// Microsoft Graph (Outlook calendars) as a CalendarProvider. Base URL from env
// (MICROSOFT_GRAPH_BASE) so tests and demos point at the emulator.
// Every request sends `Prefer: IdType="ImmutableId"` (an event the doctor moves to
// another folder keeps its id, and so our link to it) and reads times in UTC
// (`Prefer: outlook.timezone="UTC"`); Windows zone names that still arrive are
// mapped by ./zones.ts. Auth as for Google: a 401 refreshes once and retries once.
//
// What is read how (Graph v1.0): the DEFAULT calendar through calendarView/delta
// (the only delta form v1.0 documents: /me/calendarView/delta); any other calendar
// by a full calendarView listing of the window on each (rare) poll, since the
// per-calendar delta is documented in beta only. Push (subscriptions) covers both.
import type { Env } from "../../env";
import { GoneError, NotFoundError, sendWithBearer, type SendOptions } from "../http";
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
import { fromGraphEvent, PROP_APPOINTMENT, toGraphEvent, transactionIdFor, type GraphEvent, type InboundOptions, type OutboundOptions } from "./mapping";


export const graphApiBase = (env: Env) => (env.MICROSOFT_GRAPH_BASE ?? "https://graph.microsoft.com/v1.0").replace(/\/+$/, "");

/** Items per delta/list page we ask for (Prefer: odata.maxpagesize). */
const PAGE_SIZE = 100;
/** Events per page when listing our own events on connect (calendarView pages go up to 1,000). */
const OWN_PAGE_SIZE = 500;
/** A listing that does not end within this many pages is refused (hostile or broken server). */
const MAX_PAGES = 500;
/**
 * Outlook event subscriptions live at most 10,080 minutes (7 days; older docs said
 * 4,230). We ask a little less so clock skew and request time cannot push us over
 * the limit (Graph refuses the whole subscription then).
 */
export const MAX_SUBSCRIPTION_MINUTES = 10_080 - 10;

const PREFER = 'IdType="ImmutableId", outlook.timezone="UTC"';
/** Our appointment-id property, expanded on reads that need to recognise our events. */
const EXPAND_OURS = `singleValueExtendedProperties($filter=id eq '${PROP_APPOINTMENT}')`;

/** Cursor forms: "delta:<deltaLink>" for the default calendar, "view:" for a listed calendar. */
const DELTA = "delta:";
const VIEW = "view:";

export interface GraphMe {
  email: string;
  /** Work/school accounts have a tenant; only they get Teams meetings. */
  workAccount: boolean;
}

export class MicrosoftGraphClient implements CalendarProvider {
  readonly name = "microsoft" as const;
  /** Teams meetings are Outlook's, made with the event and kept for its life (a new one needs a new event). */
  readonly ownMeetings = true;
  private defaultCalendarId: string | null = null;
  constructor(
    private readonly base: string,
    private readonly tokens: TokenSource,
    /** Zone for all-day dates (the clinic's). */
    private readonly timeZone: string,
    private readonly opts: SendOptions = {},
    private readonly inbound: InboundOptions = { blockTentative: true },
    private readonly outboundOpts: OutboundOptions = { workAccount: false, teamsTypes: [] },
  ) {}

  private async call(method: string, pathOrUrl: string, init: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string>; prefer?: string } = {}) {
    const url = pathOrUrl.startsWith("https://") || pathOrUrl.startsWith("http://") ? this.ownUrl(pathOrUrl) : new URL(this.base + pathOrUrl);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    // Every Graph request asks for immutable ids and UTC times (see the top of this file).
    const headers = { prefer: init.prefer ? `${PREFER}, ${init.prefer}` : PREFER, ...init.headers };
    return sendWithBearer(url, method, { body: init.body, headers }, this.tokens, this.opts);
  }

  /** nextLink/deltaLink come from the server: follow them only on our own Graph origin (the bearer token goes with them). */
  private ownUrl(link: string): URL {
    const u = new URL(link);
    if (u.origin !== new URL(this.base).origin) throw new Error(`Graph link to a foreign origin refused: ${u.origin}`);
    return u;
  }

  /** The account's address and kind, from /me (User.Read). */
  async me(): Promise<GraphMe> {
    const res = await this.call("GET", "/me", { query: { $select: "mail,userPrincipalName,id" } });
    const b = (await res.json()) as { mail?: string | null; userPrincipalName?: string; id?: string };
    const email = b.mail || b.userPrincipalName || "";
    // Personal Microsoft accounts have a 16-hex-digit id (no tenant GUID); work/school ids are GUIDs.
    const workAccount = typeof b.id === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(b.id);
    return { email, workAccount };
  }

  async listCalendars(): Promise<ExternalCalendar[]> {
    const out: ExternalCalendar[] = [];
    let next: string | null = "/me/calendars";
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const res = await this.call("GET", next, page === 0 ? { query: { $select: "id,name,isDefaultCalendar,canEdit,owner" } } : {});
      const body = (await res.json()) as { value?: any[]; "@odata.nextLink"?: string };
      for (const c of body.value ?? []) {
        if (typeof c?.id !== "string") continue;
        if (c.isDefaultCalendar) this.defaultCalendarId = c.id;
        out.push({ id: c.id, summary: String(c.name ?? c.id).slice(0, 200), primary: !!c.isDefaultCalendar, canWrite: c.canEdit === true, timeZone: null });
      }
      next = body["@odata.nextLink"] ?? null;
    }
    return out;
  }

  private async isDefault(calendarId: string): Promise<boolean> {
    if (this.defaultCalendarId == null) {
      const res = await this.call("GET", `/me/calendars/${encodeURIComponent(calendarId)}`, { query: { $select: "id,isDefaultCalendar" } });
      const c = (await res.json()) as { id: string; isDefaultCalendar?: boolean };
      if (c.isDefaultCalendar) this.defaultCalendarId = c.id;
      else return false;
    }
    return this.defaultCalendarId === calendarId;
  }

  async listChanges(calendarId: string, cursor: string | null, window: TimeWindow): Promise<ChangeSet> {
    if (cursor?.startsWith(DELTA)) return this.delta(cursor.slice(DELTA.length), false);
    if (cursor == null && (await this.isDefault(calendarId))) {
      const u = new URL(`${this.base}/me/calendarView/delta`);
      u.searchParams.set("startDateTime", new Date(window.startMs).toISOString());
      u.searchParams.set("endDateTime", new Date(window.endMs).toISOString());
      return this.delta(u.toString(), true);
    }
    return this.view(calendarId, window);
  }

  /** One delta round: every page, then the deltaLink (stored by the engine only after the items are applied). */
  private async delta(link: string, full: boolean): Promise<ChangeSet> {
    const items: ExternalItem[] = [];
    let next = link;
    for (let page = 0; page < MAX_PAGES; page++) {
      let res: Response;
      try {
        res = await this.call("GET", next, { prefer: `odata.maxpagesize=${PAGE_SIZE}` });
      } catch (err) {
        // 410 syncStateNotFound / resyncRequired: the token is dead, list the window again.
        if (err instanceof GoneError) throw new CursorInvalidError();
        throw err;
      }
      const body = (await res.json()) as { value?: GraphEvent[]; "@odata.nextLink"?: string; "@odata.deltaLink"?: string };
      for (const ev of body.value ?? []) if (typeof ev?.id === "string") items.push(fromGraphEvent(ev, this.timeZone, this.inbound));
      if (body["@odata.nextLink"]) {
        next = body["@odata.nextLink"];
        continue;
      }
      if (!body["@odata.deltaLink"]) throw new Error("Graph delta ended without @odata.deltaLink");
      this.ownUrl(body["@odata.deltaLink"]);
      return { items, nextCursor: DELTA + body["@odata.deltaLink"], full };
    }
    throw new Error(`Graph delta did not end within ${MAX_PAGES} pages`);
  }

  /** Full calendarView listing of a non-default calendar (no v1.0 delta for it). */
  private async view(calendarId: string, window: TimeWindow): Promise<ChangeSet> {
    const items: ExternalItem[] = [];
    for (const ev of await this.listView(calendarId, window, PAGE_SIZE)) items.push(fromGraphEvent(ev, this.timeZone, this.inbound));
    return { items, nextCursor: VIEW, full: true };
  }

  /** Every event of a calendar in the window, our appointment-id property expanded, page by page. */
  private async listView(calendarId: string, window: TimeWindow, pageSize: number): Promise<GraphEvent[]> {
    const events: GraphEvent[] = [];
    let next: string | null = `/me/calendars/${encodeURIComponent(calendarId)}/calendarView`;
    for (let page = 0; next; page++) {
      if (page >= MAX_PAGES) throw new Error(`Graph calendarView did not end within ${MAX_PAGES} pages`);
      const res: Response = await this.call("GET", next, {
        prefer: `odata.maxpagesize=${pageSize}`,
        query:
          page === 0
            ? { startDateTime: new Date(window.startMs).toISOString(), endDateTime: new Date(window.endMs).toISOString(), $expand: EXPAND_OURS }
            : {},
      });
      const body = (await res.json()) as { value?: GraphEvent[]; "@odata.nextLink"?: string };
      for (const ev of body.value ?? []) if (typeof ev?.id === "string") events.push(ev);
      next = body["@odata.nextLink"] ?? null;
    }
    return events;
  }

  /**
   * Our events in a calendar (cheap first connect and reconnect, worker/sync/reconnect.ts; also
   * the daily reconciliation and disconnect's "remove events", issue 17): ONE calendarView
   * listing of the window (delta answers carry no extended properties), OWN_PAGE_SIZE events a request, instead of a
   * $filter look-up per appointment (it was 2 requests per upcoming appointment on connect:
   * look-up + create). Graph cannot filter calendarView by an extended property, so every
   * event of the window is listed and ours are picked by the expanded property. The listing
   * also answers findOurs() for the rest of this sync run: a create or PATCH after it needs no
   * look-up of its own.
   */
  async listOwnEvents(calendarId: string, window: TimeWindow, _doctorId: string): Promise<ExternalItem[]> {
    const items: ExternalItem[] = [];
    const byAppointment = new Map<string, GraphEvent>();
    for (const ev of await this.listView(calendarId, window, OWN_PAGE_SIZE)) {
      const item = fromGraphEvent(ev, this.timeZone, this.inbound);
      if (!item.appointmentId) continue;
      items.push(item);
      if (!ev.isCancelled) byAppointment.set(item.appointmentId, ev);
    }
    this.ownListing = { calendarId, window, byAppointment };
    return items;
  }

  async getEvent(_calendarId: string, eventId: string): Promise<ExternalItem | null> {
    try {
      const res = await this.call("GET", `/me/events/${encodeURIComponent(eventId)}`, { query: { $expand: EXPAND_OURS } });
      return fromGraphEvent((await res.json()) as GraphEvent, this.timeZone, this.inbound);
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof GoneError) return null;
      throw err;
    }
  }

  /**
   * Our events of one calendar from listOwnEvents() in this run: absent there means absent, but
   * only for an appointment inside the listed window (one 500 days ahead was never listed:
   * taking it as absent POSTed a second event with a new transactionId every day).
   */
  private ownListing: { calendarId: string; window: TimeWindow; byAppointment: Map<string, GraphEvent> } | null = null;

  /**
   * Our event for an appointment in a calendar, found by our extended property (lost create
   * answers, reconnects). The result is checked, not trusted (issue 17): if $filter is not
   * applied (a proxy strips it, a Graph change) any event could come back, and patching it
   * would overwrite a doctor's private event and put every appointment on one event. So the
   * property is expanded and only an event carrying THIS appointment id counts.
   */
  private async findOurs(calendarId: string, appt: Pick<OutboundAppointment, "appointmentId" | "startMs" | "endMs">): Promise<GraphEvent | null> {
    const appointmentId = appt.appointmentId;
    const listed = this.ownListing;
    // calendarView lists what overlaps the window; anything else must be looked up.
    if (listed?.calendarId === calendarId && appt.startMs < listed.window.endMs && appt.endMs > listed.window.startMs)
      return listed.byAppointment.get(appointmentId) ?? null;
    const res = await this.call("GET", `/me/calendars/${encodeURIComponent(calendarId)}/events`, {
      query: {
        $filter: `singleValueExtendedProperties/Any(ep: ep/id eq '${PROP_APPOINTMENT}' and ep/value eq '${appointmentId.replace(/'/g, "''")}')`,
        $select: "id,lastModifiedDateTime,isCancelled",
        $expand: EXPAND_OURS,
        $top: "2",
      },
    });
    const body = (await res.json()) as { value?: GraphEvent[] };
    const carries = (e: GraphEvent) =>
      e.singleValueExtendedProperties?.some((p) => p.id.toLowerCase() === PROP_APPOINTMENT.toLowerCase() && p.value === appointmentId) === true;
    return body.value?.find((e) => !e.isCancelled && carries(e)) ?? null;
  }

  private async patch(eventId: string, fields: object, etag: string | null): Promise<GraphEvent> {
    const res = await this.call("PATCH", `/me/events/${encodeURIComponent(eventId)}`, { body: fields, headers: etag ? { "if-match": etag } : {} });
    return (await res.json()) as GraphEvent;
  }

  /**
   * Graph ids are server-assigned, so: with the event's id and etag → PATCH guarded by
   * If-Match (412 → PreconditionFailedError for the engine's policy). Without an etag →
   * look our event up by its extended property first (a create whose answer was lost,
   * a reconnect); only if there is none, POST with a deterministic transactionId so a
   * retried POST cannot make a second event.
   */
  async upsertEvent(calendarId: string, appt: OutboundAppointment, etag: string | null, existingId: string | null = null): Promise<UpsertResult> {
    const body = toGraphEvent(appt, this.outboundOpts);
    let ev: GraphEvent | null = null;
    if (existingId && etag) {
      try {
        ev = await this.patch(existingId, body, etag);
      } catch (err) {
        // Deleted in Outlook meanwhile: create it again below (ACMS keeps appointments until cancelled in ACMS).
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    if (!ev) {
      const found = await this.findOurs(calendarId, appt);
      if (found) ev = await this.patch(found.id, body, null);
      else {
        const res = await this.call("POST", `/me/calendars/${encodeURIComponent(calendarId)}/events`, {
          body: { ...body, transactionId: transactionIdFor(appt.appointmentId, appt.version, existingId) },
        });
        ev = (await res.json()) as GraphEvent;
        if (this.ownListing?.calendarId === calendarId) this.ownListing.byAppointment.set(appt.appointmentId, ev);
      }
    }
    const updated = ev.lastModifiedDateTime ? Date.parse(ev.lastModifiedDateTime) : NaN;
    const joinUrl = ev.isOnlineMeeting && typeof ev.onlineMeeting?.joinUrl === "string" && ev.onlineMeeting.joinUrl.startsWith("https://") ? ev.onlineMeeting.joinUrl : null;
    return { id: ev.id, etag: ev["@odata.etag"] ?? null, updatedMs: Number.isNaN(updated) ? null : updated, joinUrl };
  }

  async deleteEvent(_calendarId: string, eventId: string, etag: string | null): Promise<void> {
    try {
      await this.call("DELETE", `/me/events/${encodeURIComponent(eventId)}`, { headers: etag ? { "if-match": etag } : {} });
    } catch (err) {
      if (!(err instanceof NotFoundError || err instanceof GoneError)) throw err; // else already gone: the goal is reached
    }
    // Gone from this run's listing of our events too: a create for the same appointment right
    // after (a new Teams meeting, sync/outbound.ts) must not find and PATCH the deleted event.
    const listed = this.ownListing?.byAppointment;
    if (listed) for (const [appointmentId, ev] of listed) if (ev.id === eventId) listed.delete(appointmentId);
  }

  /**
   * A Graph subscription on the calendar's events. Graph first validates both URLs
   * (POST ?validationToken=… must be echoed as text/plain within 10 s) — see
   * worker/routes/webhooks-microsoft.ts. `ch.token` becomes the clientState (≤128 chars).
   */
  async watch(calendarId: string, ch: { id: string; token: string; address: string; ttlSeconds: number }): Promise<WatchResult> {
    const minutes = Math.min(MAX_SUBSCRIPTION_MINUTES, Math.floor(ch.ttlSeconds / 60));
    const res = await this.call("POST", "/subscriptions", {
      body: {
        changeType: "created,updated,deleted",
        notificationUrl: ch.address,
        lifecycleNotificationUrl: `${ch.address}/lifecycle`,
        resource: `me/calendars/${calendarId}/events`,
        expirationDateTime: new Date(Date.now() + minutes * 60_000).toISOString(),
        clientState: ch.token.slice(0, 128),
        latestSupportedTlsVersion: "v1_2",
      },
    });
    const sub = (await res.json()) as { id: string; resource?: string; expirationDateTime?: string };
    const exp = sub.expirationDateTime ? Date.parse(sub.expirationDateTime) : NaN;
    return { channelId: sub.id, resourceId: sub.resource ?? `me/calendars/${calendarId}/events`, expiresAt: Number.isNaN(exp) ? Date.now() + minutes * 60_000 : exp };
  }

  /** Graph's documented renewal: PATCH the expiry. 404 = Microsoft ended it early (NotFoundError: the engine re-subscribes). */
  async renew(subscriptionId: string, resourceId: string, ttlSeconds: number): Promise<WatchResult> {
    const minutes = Math.min(MAX_SUBSCRIPTION_MINUTES, Math.floor(ttlSeconds / 60));
    const res = await this.call("PATCH", `/subscriptions/${encodeURIComponent(subscriptionId)}`, {
      body: { expirationDateTime: new Date(Date.now() + minutes * 60_000).toISOString() },
    });
    const sub = (await res.json()) as { expirationDateTime?: string };
    const exp = sub.expirationDateTime ? Date.parse(sub.expirationDateTime) : NaN;
    return { channelId: subscriptionId, resourceId, expiresAt: Number.isNaN(exp) ? Date.now() + minutes * 60_000 : exp };
  }

  async unwatch(subscriptionId: string): Promise<void> {
    try {
      await this.call("DELETE", `/subscriptions/${encodeURIComponent(subscriptionId)}`);
    } catch (err) {
      if (err instanceof NotFoundError) return; // expired or removed already
      throw err;
    }
  }

  revoke(): Promise<void> {
    return this.tokens.revoke();
  }
}
