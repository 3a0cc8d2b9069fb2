// An in-memory emulator of Microsoft Graph v1.0 (Outlook calendars) and the
// Microsoft identity platform v2, written from Microsoft's documentation (see
// /work/shared/provider-facts.md "Microsoft Graph" and docs/outlook.md), not from
// our client. Faithful in failures too:
// - OAuth (./identity.ts): /{tenant}/oauth2/v2.0/authorize + /token, PKCE S256,
//   refresh tokens that rotate, invalid_grant after revoke, `scopesSeen` for tests.
// - Access tokens expire → 401 InvalidAuthenticationToken.
// - /me, /me/calendars (canEdit, isDefaultCalendar); events create/get/patch/delete
//   (./events.ts) with @odata.etag + If-Match → 412; transactionId dedupe (a repeated
//   POST returns the event made by the first); immutable ids only when asked for
//   (`Prefer: IdType="ImmutableId"`; without it, moving an event changes its id);
//   singleValueExtendedProperties returned only when $expand-ed and searchable
//   with the documented $filter; online meetings (Teams) only for work accounts.
// - calendarView (window, paged) and /me/calendarView/delta on the default calendar
//   (./calendar-view.ts): small pages (Prefer: odata.maxpagesize honoured up to
//   `pageSize`), nextLink on every page but the last, deltaLink last; incremental rounds
//   return changed events and `@removed` for deleted ones; invalidated tokens → 410
//   SyncStateNotFound.
// - Recurring series arrive as occurrences/exceptions (type, seriesMasterId).
// - Subscriptions (./subscriptions.ts): creation validates notificationUrl and
//   lifecycleNotificationUrl with ?validationToken= (200 text/plain echo required, else
//   the creation fails), max lifetime 10,080 minutes, PATCH renew, DELETE; change
//   notifications with clientState; lifecycle notifications on request; duplicates on
//   request.
// - Fault injection (./faults.ts): 429/503 with Retry-After; answers lost after the
//   request was carried out.
// - Every request is recorded (tests scan them all for PHI and required headers).
//
// This file is the entry every test imports: the test controls and the request routing;
// each concern of Graph's behaviour lives in its own module next to it (state in
// ./store.ts, time zones in ./timezones.ts).
import { calendarView, delta } from "./calendar-view";
import { apply, create, etag, render } from "./events";
import { Faults } from "./faults";
import { gerr, graphId } from "./http";
import { IdentityPlatform, json } from "./identity";
import { GraphStore } from "./store";
import { Subscriptions } from "./subscriptions";
import { LOGIN_TEST_HOST, type Fault, type RecordedRequest, type StoredEvent } from "./types";

export { GRAPH_TEST_HOST, LOGIN_TEST_HOST, MAX_SUB_MINUTES } from "./types";
export type { Fault, RecordedRequest, StoredEvent } from "./types";

export class GraphEmulator {
  readonly requests: RecordedRequest[] = [];
  /** The identity platform (OAuth) half: sign-in, tokens, rotation, revocation. */
  readonly identity: IdentityPlatform;
  pageSize = 3;
  deliver: (req: Request) => Promise<Response> = (r) => fetch(r);
  /** Test switch: $filter on event lists is not applied (a proxy strips it, a Graph change): every event comes back. */
  ignoreEventFilter = false;
  /** Test switch: send each change notification twice (Graph may duplicate). */
  duplicateNotifications = false;
  /** Minutes added to the emulator clock (subscriptions expiring, "edited later"). */
  clockOffsetMs = 0;
  private lastNow = 0;

  private readonly db = new GraphStore(this, (e) => this.subs.changed(e));
  private readonly subs = new Subscriptions(this, this.db);
  private readonly faults = new Faults();
  /** Deliveries made (notifications, validations), with our Worker's answer. */
  readonly deliveries = this.subs.deliveries;

  constructor(opts: { clientId: string; clientSecret: string }) {
    this.identity = new IdentityPlatform(opts);
  }
  get scopesSeen() {
    return this.identity.scopesSeen;
  }
  /** The user signs in and consents on Microsoft's page: returns where the browser is sent. */
  consent(authorizeUrl: string, email: string) {
    if (!this.db.accounts.has(email)) throw new Error(`emulator: no account ${email}`);
    return this.identity.consent(authorizeUrl, email);
  }
  expireAccessTokens() {
    this.identity.expireAccessTokens();
  }
  /** Consent revoked / password reset: every refresh token of the account dies. */
  revokeAll(email: string) {
    this.identity.revokeAll(email);
  }

  now(): number {
    this.lastNow = Math.max(Date.now() + this.clockOffsetMs, this.lastNow + 1);
    return this.lastNow;
  }

  // ---- test controls -------------------------------------------------------

  addAccount(email: string, o: { work?: boolean; calendars?: { name: string; canEdit?: boolean }[] } = {}) {
    this.db.addAccount(email, o);
    return this;
  }
  defaultCalendar(email: string) {
    return this.db.defaultCalendar(email);
  }
  calendarNamed(email: string, name: string) {
    return this.db.calendarNamed(email, name);
  }

  invalidateDeltaTokens(email: string) {
    this.db.deltaValidFrom.set(email, ++this.db.seq);
  }
  injectFault(f: Fault, times = 1) {
    this.faults.inject(f, times);
  }
  clearFaults() {
    this.faults.clear();
  }
  /** The request is carried out, but its answer never reaches the client (timeout / dropped connection). */
  loseResponse(match: (r: Request) => boolean, times = 1) {
    this.faults.loseResponse(match, times);
  }
  eventsOf(email: string, calendarId = this.defaultCalendar(email).id) {
    return this.db.eventsOf(email, calendarId);
  }
  event(id: string) {
    return this.db.event(id);
  }
  activeSubscriptions(email?: string) {
    return this.subs.active(email);
  }
  subscription(id: string) {
    return this.subs.all.get(id);
  }
  apiRequests() {
    return this.requests.filter((r) => new URL(r.url).pathname.startsWith("/v1.0/"));
  }
  settle() {
    return this.subs.settle();
  }

  /** The doctor creates an event in Outlook. `start`/`end` ISO UTC, or dates for all-day. */
  userCreate(email: string, ev: { subject?: string; start: string; end: string; showAs?: string; isAllDay?: boolean; isCancelled?: boolean; response?: string }, calendarId = this.defaultCalendar(email).id) {
    const allDay = ev.isAllDay ? { start: ev.start, end: ev.end } : null;
    const s = allDay ? Date.parse(`${ev.start}T00:00:00Z`) : Date.parse(ev.start);
    const e = allDay ? Date.parse(`${ev.end}T00:00:00Z`) : Date.parse(ev.end);
    return this.db.store(this.db.newEvent(email, calendarId, s, e, allDay, {
      subject: ev.subject ?? "Busy",
      showAs: ev.showAs ?? "busy",
      isAllDay: !!ev.isAllDay,
      isCancelled: !!ev.isCancelled,
      type: "singleInstance",
      responseStatus: { response: ev.response ?? "organizer" },
    }));
  }
  /** A daily series of `count` occurrences (each its own event of type occurrence, as calendarView shows them). */
  userCreateSeries(email: string, firstStart: string, firstEnd: string, count: number, subject = "Standing meeting") {
    const masterId = graphId();
    const out: StoredEvent[] = [];
    for (let i = 0; i < count; i++) {
      const s = Date.parse(firstStart) + i * 86_400_000;
      const e = Date.parse(firstEnd) + i * 86_400_000;
      out.push(this.db.store(this.db.newEvent(email, this.defaultCalendar(email).id, s, e, null, { subject, showAs: "busy", isAllDay: false, isCancelled: false, type: "occurrence", seriesMasterId: masterId, responseStatus: { response: "organizer" } })));
    }
    return out;
  }
  /** The doctor changes an event in Outlook (moving an occurrence makes it an exception). */
  userPatch(id: string, f: { start?: string; end?: string; showAs?: string; subject?: string }) {
    const e = this.event(id);
    if (!e) throw new Error(`emulator: no event ${id}`);
    if (f.start) e.startMs = Date.parse(f.start);
    if (f.end) e.endMs = Date.parse(f.end);
    if (f.showAs) e.data.showAs = f.showAs;
    if (f.subject) e.data.subject = f.subject;
    if (e.data.type === "occurrence" && (f.start || f.end)) e.data.type = "exception";
    return this.db.store(e);
  }
  userDelete(id: string) {
    const e = this.event(id);
    if (!e) throw new Error(`emulator: no event ${id}`);
    e.deleted = true;
    this.db.store(e);
  }
  /** Moves an event to another calendar of the mailbox: only an immutable id survives. */
  userMove(id: string, calendarId: string) {
    const e = this.event(id)!;
    e.calendarId = calendarId;
    if (!e.data.__immutable) {
      this.db.events.delete(id);
      e.id = graphId();
      this.db.events.set(e.id, e);
    }
    return this.db.store(e);
  }
  /** Sends a lifecycle notification for a subscription. */
  lifecycle(subscriptionId: string, lifecycleEvent: "reauthorizationRequired" | "subscriptionRemoved" | "missed", clientState?: string) {
    return this.subs.lifecycle(subscriptionId, lifecycleEvent, clientState);
  }
  /** Sends a raw change notification body (forged / replayed notifications). */
  rawNotify(url: string, body: unknown) {
    return this.subs.rawNotify(url, body);
  }
  /** Replays the last change notification of a subscription. */
  renotify(subscriptionId: string) {
    return this.subs.renotify(subscriptionId);
  }

  // ---- HTTP ----------------------------------------------------------------

  async handle(request: Request): Promise<Response> {
    if (this.faults.losesAnswer(request)) {
      await this.serve(request);
      throw new TypeError("Network connection lost.");
    }
    return this.serve(request);
  }

  private async serve(request: Request): Promise<Response> {
    const body = request.method === "GET" || request.method === "HEAD" ? "" : new TextDecoder().decode(await request.clone().arrayBuffer());
    this.requests.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body });
    const url = new URL(request.url);
    // Served on its test hosts in workerd, or on one 127.0.0.1 port for the browser tests: the path tells them apart.
    const graph = `${url.origin}/v1.0`;
    if (url.host === LOGIN_TEST_HOST || /^\/[^/]+\/oauth2\/v2\.0\//.test(url.pathname)) {
      if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(url.pathname) && request.method === "POST") return this.identity.token(new URLSearchParams(body));
      return json({ error: "invalid_request" }, 404);
    }
    const fault = this.faults.take(request);
    if (fault) return fault;
    const account = this.identity.accountOf(request.headers.get("authorization"));
    if (!account) return gerr(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.");
    const acct = this.db.acct(account);
    const prefer = request.headers.get("prefer") ?? "";
    const immutable = /IdType="ImmutableId"/i.test(prefer);
    const tz = prefer.match(/outlook\.timezone="([^"]+)"/)?.[1] ?? null;
    const maxPage = Math.min(this.pageSize, Number(prefer.match(/odata\.maxpagesize=(\d+)/)?.[1] ?? this.pageSize));
    const expand = url.searchParams.get("$expand") ?? "";
    const path = url.pathname.replace(/^\/v1\.0/, "");
    const method = request.method;
    const parsed = body ? (() => { try { return JSON.parse(body); } catch { return undefined; } })() : undefined;
    if (body && parsed === undefined) return gerr(400, "BadRequest", "Unable to read JSON request payload.");
    const view = (e: StoredEvent, exp = expand) => render(e, tz, exp, acct);
    let m: RegExpMatchArray | null;

    if (path === "/me" && method === "GET") return json({ id: acct.id, mail: acct.work ? acct.email : null, userPrincipalName: acct.email });
    if (path === "/me/calendars" && method === "GET")
      return json({ value: [...acct.calendars.values()].map((c) => ({ id: c.id, name: c.name, isDefaultCalendar: c.isDefault, canEdit: c.canEdit, owner: { address: acct.email } })) });
    if ((m = path.match(/^\/me\/calendars\/([^/]+)$/)) && method === "GET") {
      const c = acct.calendars.get(decodeURIComponent(m[1]));
      return c ? json({ id: c.id, name: c.name, isDefaultCalendar: c.isDefault, canEdit: c.canEdit }) : gerr(404, "ErrorItemNotFound", "The specified object was not found in the store.");
    }
    if ((m = path.match(/^\/me\/calendars\/([^/]+)\/events$/))) {
      const cal = acct.calendars.get(decodeURIComponent(m[1]));
      if (!cal) return gerr(404, "ErrorItemNotFound", "The specified object was not found in the store.");
      if (method === "POST") return create(this.db, acct, cal, parsed, immutable, view);
      if (method === "GET") {
        const f = (url.searchParams.get("$filter") ?? "").match(/^singleValueExtendedProperties\/Any\(ep: ep\/id eq '([^']+)' and ep\/value eq '([^']*)'\)$/);
        const list = this.eventsOf(acct.email, cal.id).filter((e) => !f || this.ignoreEventFilter || e.props.get(f[1].toLowerCase()) === f[2]);
        return json({ value: list.slice(0, Number(url.searchParams.get("$top") ?? 10)).map((e) => view(e)) });
      }
    }
    if ((m = path.match(/^\/me\/calendars\/([^/]+)\/calendarView$/)) && method === "GET") {
      const cal = acct.calendars.get(decodeURIComponent(m[1]));
      if (!cal) return gerr(404, "ErrorItemNotFound", "The specified object was not found in the store.");
      return calendarView(this.db, acct, cal, url, maxPage, view, graph);
    }
    if (path === "/me/calendarView/delta" && method === "GET") return delta(this.db, acct, url, maxPage, view, graph);
    if ((m = path.match(/^\/me\/events\/([^/]+)$/))) {
      const e = this.event(decodeURIComponent(m[1]));
      if (!e || e.account !== acct.email) return gerr(404, "ErrorItemNotFound", "The specified object was not found in the store.");
      const ifMatch = request.headers.get("if-match");
      if (method === "GET") return json(view(e));
      if (ifMatch && ifMatch !== etag(e)) return gerr(412, "ErrorIrresolvableConflict", "The change key passed in the request does not match the current change key for the item.");
      if (method === "DELETE") {
        e.deleted = true;
        this.db.store(e);
        return new Response(null, { status: 204 });
      }
      if (method === "PATCH") {
        if (parsed?.transactionId !== undefined) return gerr(400, "ErrorInvalidRequest", "transactionId cannot be changed.");
        apply(e, parsed, acct);
        return json(view(this.db.store(e)));
      }
    }
    if (path === "/subscriptions" && method === "POST") return this.subs.subscribe(acct, parsed);
    if ((m = path.match(/^\/subscriptions\/([^/]+)$/))) {
      const s = this.subs.all.get(decodeURIComponent(m[1]));
      if (!s || s.deleted || s.account !== acct.email) return gerr(404, "ResourceNotFound", "The object was not found.");
      if (method === "DELETE") {
        s.deleted = true;
        return new Response(null, { status: 204 });
      }
      if (method === "PATCH") return this.subs.renew(s, parsed);
    }
    return gerr(400, "BadRequest", `Unsupported: ${method} ${path}`);
  }
}
