// CalDAV (RFC 4791 / 6578 / 6764) as a CalendarProvider: Apple iCloud and any
// standards server (Fastmail, Nextcloud, Radicale, a clinic's own).
// Ids: a calendar is its collection URL; an event is its resource path on the
// server (href). Our appointments live at "<calendar>/<appointmentId>.ics", so a
// retried create cannot duplicate (PUT If-None-Match: *).
// Cursor (opaque to the engine): JSON {st: DAV:sync-token, ct: CS:getctag}.
//   idle poll   → one PROPFIND Depth 0 on the collection; unchanged → done.
//   changed     → REPORT sync-collection from the stored token → changed hrefs (one
//                 calendar-multiget) and removed hrefs (404); invalid token (403/409
//                 valid-sync-token, 400) → CursorInvalidError; a 5xx/429 stays the transport's
//                 retryable error (account backoff, Retry-After honoured; the daily full
//                 listing still replaces a token a server only ever answers with a 5xx).
//   full listing → calendar-query; a 507 on the collection (truncated) → full: false.
//   no sync-collection support (no token) → calendar-query over the window (a full listing).
// No push for third parties: watch() is unsupported (pushSupported = false); the engine polls.
import { createObject, deleteObject, updateObject } from "tsdav";
import { classify, ConflictError, NotFoundError, PermanentError, PreconditionFailedError, ProviderError } from "../http";
import {
  CursorInvalidError,
  type CalendarProvider,
  type ChangeSet,
  type ExternalCalendar,
  type ExternalItem,
  type OutboundAppointment,
  type TimeWindow,
  type UpsertResult,
  type WatchResult,
} from "../provider";
import { calendarQueryBody, davPropfind, davReport, multigetBody, syncCollectionBody, text, type DavResponse } from "./dav";
import { listCalendarsAt, type CalDavAccount } from "./discovery";
import { goneItem, itemsOfResource, renderOwnEvent, resourceName, type ClinicInfo } from "./mapping";
import { ForeignServerError, type DavTransport } from "./transport";

interface Cursor {
  st: string | null;
  ct: string | null;
}
const readCursor = (c: string | null): Cursor | null => {
  if (!c) return null;
  try {
    const v = JSON.parse(c) as Cursor;
    return { st: v.st ?? null, ct: v.ct ?? null };
  } catch {
    return null;
  }
};

/** Truncated sync reports followed at most per poll (the rest comes with the next poll). */
const MAX_SYNC_ROUNDS = 20;
/** Hrefs per calendar-multiget (servers cap report sizes; 500 events still fit one). */
const MULTIGET_BATCH = 1000;

export class CalDavClient implements CalendarProvider {
  readonly name = "caldav" as const;
  /** CalDAV has no push for third parties: the engine polls. */
  readonly pushSupported = false;

  constructor(
    private readonly account: CalDavAccount,
    readonly transport: DavTransport,
    /** The clinic's zone (all-day dates, floating times). */
    private readonly timeZone: string,
    /** Clinic name and domain for the rendered VEVENT (loaded lazily by the caller). */
    private readonly clinic: () => Promise<ClinicInfo>,
  ) {
    // The account's server(s): the only origins its credentials are sent to (transport.ts).
    for (const o of [...(account.origins ?? []), account.serverUrl, account.homeUrl]) if (o) transport.allowOrigin(o);
  }

  private get fetch() {
    return this.transport.fetch;
  }

  /** Absolute URL of a path (href) on the calendar's server. */
  private abs(calendarId: string, href: string) {
    return new URL(href, calendarId).href;
  }

  async listCalendars(): Promise<ExternalCalendar[]> {
    const { usable } = await listCalendarsAt(this.transport, this.account.homeUrl);
    return usable;
  }

  private async collectionState(calendarId: string): Promise<Cursor> {
    const rs = await davPropfind(this.fetch, calendarId, { "cs:getctag": {}, "d:sync-token": {} }, "0");
    const own = rs.find((r) => this.abs(calendarId, r.href) === calendarId) ?? rs[0];
    return { st: text(own?.props.syncToken), ct: text(own?.props.getctag) };
  }

  async listChanges(calendarId: string, cursor: string | null, window: TimeWindow): Promise<ChangeSet> {
    const prev = readCursor(cursor);
    const now = await this.collectionState(calendarId);
    const next = JSON.stringify(now);
    if (prev && ((prev.st && now.st && prev.st === now.st) || (!prev.st && prev.ct && now.ct && prev.ct === now.ct)))
      return { items: [], nextCursor: next, full: false };
    if (!prev || !prev.st || !now.st) {
      const listed = await this.listWindow(calendarId, window);
      // Truncated (507): apply what came, but it is no full listing: no block may be dropped
      // for missing from it, and the next poll lists in full again.
      return { items: listed.items, nextCursor: next, full: !listed.truncated };
    }

    // RFC 6578 §3.6: a server may truncate the report (507 on the collection itself) and
    // hand out a token to continue from; follow it (bounded) before fetching anything.
    const removedSet = new Set<string>();
    const changedSet = new Set<string>();
    let token = prev.st;
    let nextToken: string | null = null;
    for (let round = 0; round < MAX_SYNC_ROUNDS; round++) {
      let report: { responses: DavResponse[]; syncToken: string | null };
      try {
        report = await davReport(this.fetch, calendarId, syncCollectionBody(token));
      } catch (err) {
        // RFC 6578 §3.2: an unknown/expired token → 403/409 with DAV:valid-sync-token (some
        // servers: 400). Then: list again in full. A struggling server (5xx, 429, Retry-After)
        // is NOT a bad token: its retryable error goes up as it is, so the account backs off
        // instead of starting the most expensive request there is (a full listing) against it.
        if (err instanceof ProviderError && err.retryable) throw err;
        if (err instanceof ProviderError && (err.status === 403 || err.status === 409 || err.status === 400 || err.reason === "valid-sync-token"))
          throw new CursorInvalidError(`sync token refused (${err.status})`);
        throw err;
      }
      let truncated = false;
      for (const r of report.responses) {
        const path = new URL(r.href, calendarId).pathname;
        if (this.abs(calendarId, r.href) === calendarId) {
          truncated ||= r.status === 507; // the collection itself
          continue;
        }
        if (r.status === 404) {
          removedSet.add(path);
          changedSet.delete(path);
        } else if (/\.ics$/i.test(path) || r.props.getetag != null) {
          changedSet.add(path);
          removedSet.delete(path);
        }
      }
      nextToken = report.syncToken ?? now.st;
      if (!truncated || !report.syncToken || report.syncToken === token) break;
      token = report.syncToken;
    }
    const removed = [...removedSet];
    const changed = [...changedSet];
    const items: ExternalItem[] = removed.map(goneItem);
    for (const res of await this.multiget(calendarId, changed)) {
      // A changed foreign resource: first drop all its old occurrences (EXDATE added, series
      // shortened or edited into one event), then its current ones. Ours is a single item the policy looks at.
      // Always, a single event too: it may have been a series before (edited into one event,
      // "<href>_0"), whose other occurrences must not keep blocking. The gone item comes
      // BEFORE the current ones: the busy store deletes first and stores them again after.
      const expanded = this.expand(res.href, res.etag, res.ics, window);
      if (!expanded.own) items.push(goneItem(res.href));
      items.push(...expanded.items);
    }
    // Hrefs that vanished between the report and the multiget are removals too.
    const got = new Set(items.map((i) => i.id));
    for (const p of changed) if (!got.has(p) && !items.some((i) => i.id.startsWith(`${p}_`))) items.push(goneItem(p));
    return { items, nextCursor: JSON.stringify({ st: nextToken, ct: now.ct }), full: false };
  }

  /**
   * Every resource with an occurrence in the window (REPORT calendar-query with calendar-data).
   * A non-2xx status for the collection itself is about the whole listing: 507 (RFC 4918 §11.5 /
   * RFC 6578 §3.6) means the server cut the results short → `truncated`; anything else → an error.
   */
  private async listWindow(calendarId: string, window: TimeWindow): Promise<{ items: ExternalItem[]; truncated: boolean }> {
    const { responses } = await davReport(this.fetch, calendarId, calendarQueryBody(window.startMs, window.endMs, true), "1");
    const items: ExternalItem[] = [];
    let truncated = false;
    for (const r of responses) {
      if (this.abs(calendarId, r.href) === calendarId) {
        if (r.status === 507) truncated = true;
        else if (r.status && (r.status < 200 || r.status >= 300))
          throw classify({ status: r.status, reason: "", message: `REPORT ${new URL(calendarId).pathname}: the collection answered HTTP ${r.status}` }, null);
        continue;
      }
      const ics = text(r.props.calendarData);
      if (r.status < 200 || r.status >= 300 || !ics) continue;
      items.push(...this.expand(new URL(r.href, calendarId).pathname, text(r.props.getetag), ics, window).items);
    }
    if (truncated) console.warn(`caldav: the server truncated the listing of ${calendarId} (507); no busy time is dropped`);
    return { items, truncated };
  }

  private async multiget(calendarId: string, paths: string[]): Promise<{ href: string; etag: string | null; ics: string }[]> {
    const out: { href: string; etag: string | null; ics: string }[] = [];
    for (let i = 0; i < paths.length; i += MULTIGET_BATCH) {
      const { responses } = await davReport(this.fetch, calendarId, multigetBody(paths.slice(i, i + MULTIGET_BATCH)), "1");
      for (const r of responses) {
        const ics = text(r.props.calendarData);
        if (r.status >= 200 && r.status < 300 && ics) out.push({ href: new URL(r.href, calendarId).pathname, etag: text(r.props.getetag), ics });
      }
    }
    return out;
  }

  private expand(href: string, etag: string | null, ics: string, window: TimeWindow) {
    try {
      return itemsOfResource({ href, etag, ics }, { zone: this.timeZone, window, ownAddresses: this.account.addresses ?? [this.account.username] });
    } catch (err) {
      // One unreadable resource must not stop the calendar (its old blocks are dropped).
      console.error(`caldav: resource ${href} skipped: ${(err as Error).message}`);
      return { own: false, items: [] as ExternalItem[] };
    }
  }

  async getEvent(calendarId: string, eventId: string): Promise<ExternalItem | null> {
    const url = this.abs(calendarId, eventId);
    let res: Response;
    try {
      res = await this.fetch(url, { method: "GET" });
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
    const etag = res.headers.get("etag");
    const ics = await res.text();
    const now = Date.now();
    const { items } = this.expand(eventId, etag, ics, { startMs: now - 400 * 86_400_000, endMs: now + 800 * 86_400_000 });
    return items.find((i) => i.id === eventId) ?? items[0] ?? null;
  }

  /** The ETag after a write: from the response, or (when the server rewrote what it stored and sent none) a PROPFIND. */
  private async etagAfterWrite(url: string, res: Response): Promise<string | null> {
    const tag = res.headers.get("etag");
    if (tag) return tag;
    const rs = await davPropfind(this.fetch, url, { "d:getetag": {} }, "0");
    return text(rs[0]?.props.getetag);
  }

  async upsertEvent(calendarId: string, appt: OutboundAppointment, etag: string | null): Promise<UpsertResult> {
    const cal = calendarId.endsWith("/") ? calendarId : `${calendarId}/`;
    const url = new URL(resourceName(appt.appointmentId), cal).href;
    // Whole seconds: LAST-MODIFIED has no milliseconds, and the conflict policy compares
    // what we claim here with what the server (or the iPhone) writes there.
    const stamp = Math.floor(Date.now() / 1000) * 1000;
    const data = renderOwnEvent(appt, await this.clinic(), stamp);
    const headers = { "content-type": "text/calendar; charset=utf-8" };
    let res: Response;
    if (etag) {
      res = await updateObject({ url, data, etag, headers, fetch: this.fetch } as any);
    } else {
      try {
        res = await createObject({ url, data, headers: { ...headers, "If-None-Match": "*" }, fetch: this.fetch } as any);
      } catch (err) {
        // 412: it exists (a retried create whose answer we lost): read its ETag and overwrite
        // exactly that version, never blindly.
        if (!(err instanceof PreconditionFailedError || err instanceof ConflictError)) throw err;
        const head = await this.fetch(url, { method: "GET" });
        const cur = head.headers.get("etag");
        await head.body?.cancel();
        res = await updateObject({ url, data, etag: cur ?? undefined, headers, fetch: this.fetch } as any);
      }
    }
    return { id: new URL(url).pathname, etag: await this.etagAfterWrite(url, res), updatedMs: stamp };
  }

  async deleteEvent(calendarId: string, eventId: string, etag: string | null): Promise<void> {
    try {
      await deleteObject({ url: this.abs(calendarId, eventId), etag: etag ?? undefined, fetch: this.fetch } as any);
    } catch (err) {
      if (err instanceof NotFoundError) return; // already gone: the goal is reached
      // On another server (an earlier connection's): not there for this account, and its
      // credentials never go there; nothing was sent.
      if (err instanceof ForeignServerError) return;
      throw err;
    }
  }

  async watch(): Promise<WatchResult> {
    throw new PermanentError("CalDAV servers offer no push notifications to third parties; polling is used", 0, "push_unsupported");
  }

  async unwatch(): Promise<void> {}

  /** App-specific passwords are revoked by the user at appleid.apple.com; nothing to call. */
  async revoke(): Promise<void> {}
}


