// An in-memory emulator of Microsoft Graph v1.0 (Outlook calendars) and the
// Microsoft identity platform v2, written from Microsoft's documentation (see
// /work/shared/provider-facts.md "Microsoft Graph" and docs/outlook.md), not from
// our client. Faithful in failures too:
// - OAuth (./identity.ts): /{tenant}/oauth2/v2.0/authorize + /token, PKCE S256,
//   refresh tokens that rotate, invalid_grant after revoke, `scopesSeen` for tests.
// - Access tokens expire → 401 InvalidAuthenticationToken.
// - /me, /me/calendars (canEdit, isDefaultCalendar); events create/get/patch/delete
//   with @odata.etag + If-Match → 412; transactionId dedupe (a repeated POST returns
//   the event made by the first); immutable ids only when asked for
//   (`Prefer: IdType="ImmutableId"`; without it, moving an event changes its id);
//   singleValueExtendedProperties returned only when $expand-ed and searchable
//   with the documented $filter; online meetings (Teams) only for work accounts.
// - calendarView (window, paged) and /me/calendarView/delta on the default calendar:
//   small pages (Prefer: odata.maxpagesize honoured up to `pageSize`), nextLink on
//   every page but the last, deltaLink last; incremental rounds return changed
//   events and `@removed` for deleted ones; invalidated tokens → 410 SyncStateNotFound.
// - Recurring series arrive as occurrences/exceptions (type, seriesMasterId).
// - Subscriptions: creation validates notificationUrl and lifecycleNotificationUrl
//   with ?validationToken= (200 text/plain echo required, else the creation fails),
//   max lifetime 10,080 minutes, PATCH renew, DELETE; change notifications with
//   clientState; lifecycle notifications on request; duplicates on request.
// - Fault injection: 429/503 with Retry-After.
// - Every request is recorded (tests scan them all for PHI and required headers).
import { findIana } from "windows-iana";
import { IdentityPlatform, json, rand } from "./identity";

export const GRAPH_TEST_HOST = "graph.microsoft.test";
export const LOGIN_TEST_HOST = "login.microsoft.test";
export const MAX_SUB_MINUTES = 10_080;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}
interface Account {
  email: string;
  id: string;
  work: boolean;
  calendars: Map<string, Calendar>;
}
interface Calendar {
  id: string;
  name: string;
  isDefault: boolean;
  canEdit: boolean;
  account: string;
}
export interface StoredEvent {
  id: string;
  calendarId: string;
  account: string;
  changeKey: string;
  lastModified: number;
  seq: number;
  deleted: boolean;
  data: Record<string, any>; // subject, body, showAs, sensitivity, isAllDay, isCancelled, type, seriesMasterId, responseStatus, ...
  startMs: number;
  endMs: number;
  /** For all-day events: the dates (end exclusive). */
  allDay: { start: string; end: string } | null;
  props: Map<string, string>;
  transactionId: string | null;
}
interface Subscription {
  id: string;
  account: string;
  calendarId: string;
  resource: string;
  notificationUrl: string;
  lifecycleUrl: string | null;
  clientState: string;
  expiration: number;
  deleted: boolean;
}
interface Fault {
  status: number;
  code: string;
  retryAfter?: string;
  match?: (r: Request) => boolean;
}

const gerr = (status: number, code: string, message: string, headers: Record<string, string> = {}) => json({ error: { code, message } }, status, headers);
/** Graph-looking ids (base64url, long); immutable ids and regular ids are both opaque. */
const graphId = () => "AAMk" + btoa(rand(24)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** Wall time of `ms` in an IANA zone, "YYYY-MM-DDTHH:MM:SS". */
function wallIn(ms: number, zone: string) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}
const zoneOf = (name: string) => (name === "UTC" ? "UTC" : name.includes("/") ? name : (findIana(name)[0] ?? null));
/** Graph's {dateTime, timeZone} (IANA or Windows name) → ms. */
function msOf(t: { dateTime?: string; timeZone?: string } | undefined): number | null {
  if (!t?.dateTime) return null;
  const zone = zoneOf(t.timeZone ?? "UTC");
  if (!zone) return null;
  const m = t.dateTime.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/);
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  if (zone === "UTC") return wall;
  // Two passes find the offset in force at that wall time.
  let guess = wall;
  for (let i = 0; i < 2; i++) guess = wall - (Date.parse(wallIn(guess, zone) + "Z") - guess);
  return guess;
}

export class GraphEmulator {
  readonly requests: RecordedRequest[] = [];
  /** The identity platform (OAuth) half: sign-in, tokens, rotation, revocation. */
  readonly identity: IdentityPlatform;
  pageSize = 3;
  deliver: (req: Request) => Promise<Response> = (r) => fetch(r);
  /** Deliveries made (notifications, validations), with our Worker's answer. */
  readonly deliveries: { kind: "validation" | "change" | "lifecycle"; subscriptionId: string | null; status: number; ms: number }[] = [];
  /** Test switch: $filter on event lists is not applied (a proxy strips it, a Graph change): every event comes back. */
  ignoreEventFilter = false;
  /** Test switch: send each change notification twice (Graph may duplicate). */
  duplicateNotifications = false;

  private accounts = new Map<string, Account>();
  private events = new Map<string, StoredEvent>();
  private subs = new Map<string, Subscription>();
  private faults: Fault[] = [];
  private seq = 0;
  private deltaValidFrom = new Map<string, number>();
  private pending = new Set<Promise<unknown>>();
  /** Minutes added to the emulator clock (subscriptions expiring, "edited later"). */
  clockOffsetMs = 0;
  private lastNow = 0;

  constructor(opts: { clientId: string; clientSecret: string }) {
    this.identity = new IdentityPlatform(opts);
  }
  get scopesSeen() {
    return this.identity.scopesSeen;
  }
  /** The user signs in and consents on Microsoft's page: returns where the browser is sent. */
  consent(authorizeUrl: string, email: string) {
    if (!this.accounts.has(email)) throw new Error(`emulator: no account ${email}`);
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
    const work = o.work ?? true;
    const id = work ? crypto.randomUUID() : rand(8);
    const calendars = new Map<string, Calendar>();
    const def = { id: graphId(), name: "Calendar", isDefault: true, canEdit: true, account: email };
    calendars.set(def.id, def);
    for (const c of o.calendars ?? []) {
      const cal = { id: graphId(), name: c.name, isDefault: false, canEdit: c.canEdit ?? true, account: email };
      calendars.set(cal.id, cal);
    }
    this.accounts.set(email, { email, id, work, calendars });
    return this;
  }
  defaultCalendar(email: string) {
    return [...this.acct(email).calendars.values()].find((c) => c.isDefault)!;
  }
  calendarNamed(email: string, name: string) {
    return [...this.acct(email).calendars.values()].find((c) => c.name === name)!;
  }
  private acct(email: string) {
    const a = this.accounts.get(email);
    if (!a) throw new Error(`emulator: no account ${email}`);
    return a;
  }

  invalidateDeltaTokens(email: string) {
    this.deltaValidFrom.set(email, ++this.seq);
  }
  injectFault(f: Fault, times = 1) {
    for (let i = 0; i < times; i++) this.faults.push(f);
  }
  clearFaults() {
    this.faults.length = 0;
    this.lost.length = 0;
  }
  /** The request is carried out, but its answer never reaches the client (timeout / dropped connection). */
  loseResponse(match: (r: Request) => boolean, times = 1) {
    for (let i = 0; i < times; i++) this.lost.push(match);
  }
  private lost: ((r: Request) => boolean)[] = [];
  eventsOf(email: string, calendarId = this.defaultCalendar(email).id) {
    return [...this.events.values()].filter((e) => e.account === email && e.calendarId === calendarId && !e.deleted);
  }
  event(id: string) {
    const e = this.events.get(id);
    return e && !e.deleted ? e : undefined;
  }
  activeSubscriptions(email?: string) {
    return [...this.subs.values()].filter((s) => !s.deleted && s.expiration > this.now() && (!email || s.account === email));
  }
  subscription(id: string) {
    return this.subs.get(id);
  }
  apiRequests() {
    return this.requests.filter((r) => new URL(r.url).pathname.startsWith("/v1.0/"));
  }
  async settle() {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** The doctor creates an event in Outlook. `start`/`end` ISO UTC, or dates for all-day. */
  userCreate(email: string, ev: { subject?: string; start: string; end: string; showAs?: string; isAllDay?: boolean; isCancelled?: boolean; response?: string }, calendarId = this.defaultCalendar(email).id) {
    const allDay = ev.isAllDay ? { start: ev.start, end: ev.end } : null;
    const s = allDay ? Date.parse(`${ev.start}T00:00:00Z`) : Date.parse(ev.start);
    const e = allDay ? Date.parse(`${ev.end}T00:00:00Z`) : Date.parse(ev.end);
    return this.store(this.newEvent(email, calendarId, s, e, allDay, {
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
      out.push(this.store(this.newEvent(email, this.defaultCalendar(email).id, s, e, null, { subject, showAs: "busy", isAllDay: false, isCancelled: false, type: "occurrence", seriesMasterId: masterId, responseStatus: { response: "organizer" } })));
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
    return this.store(e);
  }
  userDelete(id: string) {
    const e = this.event(id);
    if (!e) throw new Error(`emulator: no event ${id}`);
    e.deleted = true;
    this.store(e);
  }
  /** Moves an event to another calendar of the mailbox: only an immutable id survives. */
  userMove(id: string, calendarId: string) {
    const e = this.event(id)!;
    e.calendarId = calendarId;
    if (!e.data.__immutable) {
      this.events.delete(id);
      e.id = graphId();
      this.events.set(e.id, e);
    }
    return this.store(e);
  }
  /** Sends a lifecycle notification for a subscription. */
  lifecycle(subscriptionId: string, lifecycleEvent: "reauthorizationRequired" | "subscriptionRemoved" | "missed", clientState?: string) {
    const s = this.subs.get(subscriptionId)!;
    if (lifecycleEvent === "subscriptionRemoved") s.deleted = true;
    const body = { value: [{ subscriptionId: s.id, subscriptionExpirationDateTime: new Date(s.expiration).toISOString(), lifecycleEvent, clientState: clientState ?? s.clientState, tenantId: "t" }] };
    return this.post(s.lifecycleUrl ?? s.notificationUrl, body, "lifecycle", s.id);
  }
  /** Sends a raw change notification body (forged / replayed notifications). */
  rawNotify(url: string, body: unknown) {
    return this.post(url, body, "change", null);
  }
  /** Replays the last change notification of a subscription. */
  renotify(subscriptionId: string) {
    const s = this.subs.get(subscriptionId)!;
    return this.post(s.notificationUrl, this.changeBody(s, "updated", "x"), "change", s.id);
  }

  // ---- HTTP ----------------------------------------------------------------

  async handle(request: Request): Promise<Response> {
    const li = this.lost.findIndex((m) => m(request));
    if (li >= 0) {
      this.lost.splice(li, 1);
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
    const fi = this.faults.findIndex((f) => !f.match || f.match(request));
    if (fi >= 0) {
      const f = this.faults.splice(fi, 1)[0];
      return gerr(f.status, f.code, "Injected fault", f.retryAfter ? { "retry-after": f.retryAfter } : {});
    }
    const account = this.identity.accountOf(request.headers.get("authorization"));
    if (!account) return gerr(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.");
    const acct = this.acct(account);
    const prefer = request.headers.get("prefer") ?? "";
    const immutable = /IdType="ImmutableId"/i.test(prefer);
    const tz = prefer.match(/outlook\.timezone="([^"]+)"/)?.[1] ?? null;
    const maxPage = Math.min(this.pageSize, Number(prefer.match(/odata\.maxpagesize=(\d+)/)?.[1] ?? this.pageSize));
    const expand = url.searchParams.get("$expand") ?? "";
    const path = url.pathname.replace(/^\/v1\.0/, "");
    const method = request.method;
    const parsed = body ? (() => { try { return JSON.parse(body); } catch { return undefined; } })() : undefined;
    if (body && parsed === undefined) return gerr(400, "BadRequest", "Unable to read JSON request payload.");
    const view = (e: StoredEvent, exp = expand) => this.render(e, tz, exp, acct);
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
      if (method === "POST") return this.create(acct, cal, parsed, immutable, view);
      if (method === "GET") {
        const f = (url.searchParams.get("$filter") ?? "").match(/^singleValueExtendedProperties\/Any\(ep: ep\/id eq '([^']+)' and ep\/value eq '([^']*)'\)$/);
        const list = this.eventsOf(acct.email, cal.id).filter((e) => !f || this.ignoreEventFilter || e.props.get(f[1].toLowerCase()) === f[2]);
        return json({ value: list.slice(0, Number(url.searchParams.get("$top") ?? 10)).map((e) => view(e)) });
      }
    }
    if ((m = path.match(/^\/me\/calendars\/([^/]+)\/calendarView$/)) && method === "GET") {
      const cal = acct.calendars.get(decodeURIComponent(m[1]));
      if (!cal) return gerr(404, "ErrorItemNotFound", "The specified object was not found in the store.");
      return this.calendarView(acct, cal, url, maxPage, view, graph);
    }
    if (path === "/me/calendarView/delta" && method === "GET") return this.delta(acct, url, maxPage, view, graph);
    if ((m = path.match(/^\/me\/events\/([^/]+)$/))) {
      const e = this.event(decodeURIComponent(m[1]));
      if (!e || e.account !== acct.email) return gerr(404, "ErrorItemNotFound", "The specified object was not found in the store.");
      const ifMatch = request.headers.get("if-match");
      if (method === "GET") return json(view(e));
      if (ifMatch && ifMatch !== this.etag(e)) return gerr(412, "ErrorIrresolvableConflict", "The change key passed in the request does not match the current change key for the item.");
      if (method === "DELETE") {
        e.deleted = true;
        this.store(e);
        return new Response(null, { status: 204 });
      }
      if (method === "PATCH") {
        if (parsed?.transactionId !== undefined) return gerr(400, "ErrorInvalidRequest", "transactionId cannot be changed.");
        this.apply(e, parsed, acct);
        return json(view(this.store(e)));
      }
    }
    if (path === "/subscriptions" && method === "POST") return this.subscribe(acct, parsed);
    if ((m = path.match(/^\/subscriptions\/([^/]+)$/))) {
      const s = this.subs.get(decodeURIComponent(m[1]));
      if (!s || s.deleted || s.account !== acct.email) return gerr(404, "ResourceNotFound", "The object was not found.");
      if (method === "DELETE") {
        s.deleted = true;
        return new Response(null, { status: 204 });
      }
      if (method === "PATCH") {
        const exp = Date.parse(parsed?.expirationDateTime ?? "");
        if (Number.isNaN(exp) || exp - this.now() > MAX_SUB_MINUTES * 60_000) return gerr(400, "ExtensionError", "Subscription expiration can only be 10080 minutes in the future.");
        s.expiration = exp;
        return json(this.subJson(s));
      }
    }
    return gerr(400, "BadRequest", `Unsupported: ${method} ${path}`);
  }

  private newEvent(account: string, calendarId: string, startMs: number, endMs: number, allDay: StoredEvent["allDay"], data: Record<string, any>): StoredEvent {
    return { id: graphId(), calendarId, account, changeKey: "", lastModified: 0, seq: 0, deleted: false, data: { ...data, __immutable: true }, startMs, endMs, allDay, props: new Map(), transactionId: null };
  }

  private store(e: StoredEvent): StoredEvent {
    e.seq = ++this.seq;
    e.lastModified = this.now();
    e.changeKey = rand(8);
    this.events.set(e.id, e);
    for (const s of this.subs.values())
      if (!s.deleted && s.account === e.account && s.calendarId === e.calendarId && s.expiration > this.now()) this.queueNotify(s, e);
    return e;
  }

  private etag = (e: StoredEvent) => `W/"${e.changeKey}"`;

  private apply(e: StoredEvent, b: any, acct: Account) {
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

  private create(acct: Account, cal: Calendar, b: any, immutable: boolean, view: (e: StoredEvent) => unknown) {
    if (!cal.canEdit) return gerr(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    if (!b?.start || !b?.end || msOf(b.start) == null || msOf(b.end) == null) return gerr(400, "ErrorInvalidRequest", "start and end are required.");
    if (b.transactionId) {
      // A retried POST with the same transactionId does not make a second event.
      const dup = [...this.events.values()].find((e) => e.account === acct.email && e.transactionId === b.transactionId);
      if (dup && !dup.deleted) return json(view(dup), 201);
    }
    const e = this.newEvent(acct.email, cal.id, 0, 0, null, { type: "singleInstance", isAllDay: false, isCancelled: false, responseStatus: { response: "organizer" }, showAs: "busy" });
    e.data.__immutable = immutable;
    e.transactionId = b.transactionId ?? null;
    this.apply(e, b, acct);
    return json(view(this.store(e)), 201);
  }

  private render(e: StoredEvent, tz: string | null, expand: string, acct: Account) {
    const zone = tz ?? e.data.originalStartTimeZone ?? "UTC";
    const iana = zoneOf(zone) ?? "UTC";
    const t = (ms: number, date: string | null) => ({ dateTime: date ? `${date}T00:00:00.0000000` : `${wallIn(ms, iana)}.0000000`, timeZone: zone });
    const { __immutable, ...data } = e.data;
    const out: Record<string, any> = {
      "@odata.etag": this.etag(e),
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

  private inWindow(e: StoredEvent, from: number, to: number) {
    const s = e.allDay ? Date.parse(`${e.allDay.start}T00:00:00Z`) : e.startMs;
    const en = e.allDay ? Date.parse(`${e.allDay.end}T00:00:00Z`) : e.endMs;
    return s < to && en > from;
  }

  private calendarView(acct: Account, cal: Calendar, url: URL, maxPage: number, view: (e: StoredEvent, exp?: string) => unknown, GRAPH: string) {
    const skip = url.searchParams.get("$skiptoken");
    const st = skip ? JSON.parse(atob(skip)) : { from: Date.parse(url.searchParams.get("startDateTime") ?? ""), to: Date.parse(url.searchParams.get("endDateTime") ?? ""), off: 0, expand: url.searchParams.get("$expand") ?? "" };
    if (Number.isNaN(st.from) || Number.isNaN(st.to)) return gerr(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required.");
    const all = this.eventsOf(acct.email, cal.id).filter((e) => this.inWindow(e, st.from, st.to)).sort((a, b) => a.startMs - b.startMs);
    const page = all.slice(st.off, st.off + maxPage);
    const out: Record<string, unknown> = { value: page.map((e) => view(e, st.expand)) };
    if (st.off + maxPage < all.length) out["@odata.nextLink"] = `${GRAPH}/me/calendars/${encodeURIComponent(cal.id)}/calendarView?$skiptoken=${btoa(JSON.stringify({ ...st, off: st.off + maxPage }))}`;
    return json(out);
  }

  /** calendarView/delta of the default calendar. Tokens carry the window and the sequence number the round started at. */
  private delta(acct: Account, url: URL, maxPage: number, view: (e: StoredEvent) => unknown, GRAPH: string) {
    const cal = this.defaultCalendar(acct.email);
    const token = url.searchParams.get("$deltatoken") ?? url.searchParams.get("$skiptoken");
    let st: { from: number; to: number; since: number; upTo: number; off: number };
    if (token) {
      try {
        st = JSON.parse(atob(token));
      } catch {
        return gerr(410, "SyncStateNotFound", "The sync state generation is invalid or not found.");
      }
      if (st.since < (this.deltaValidFrom.get(acct.email) ?? 0)) return gerr(410, "SyncStateNotFound", "The sync state generation is invalid or not found.");
      if (url.searchParams.get("$deltatoken")) st = { ...st, since: st.upTo, upTo: this.seq, off: 0 };
    } else {
      const from = Date.parse(url.searchParams.get("startDateTime") ?? "");
      const to = Date.parse(url.searchParams.get("endDateTime") ?? "");
      if (Number.isNaN(from) || Number.isNaN(to)) return gerr(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required on the first delta call.");
      st = { from, to, since: 0, upTo: this.seq, off: 0 };
    }
    const changed = [...this.events.values()]
      .filter((e) => e.account === acct.email && e.calendarId === cal.id && e.seq > st.since && e.seq <= st.upTo && this.inWindow(e, st.from, st.to))
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

  private subJson(s: Subscription) {
    return { id: s.id, resource: s.resource, changeType: "created,updated,deleted", notificationUrl: s.notificationUrl, lifecycleNotificationUrl: s.lifecycleUrl, expirationDateTime: new Date(s.expiration).toISOString(), clientState: null };
  }

  private async subscribe(acct: Account, b: any): Promise<Response> {
    const m = String(b?.resource ?? "").match(/^\/?me\/calendars\/([^/]+)\/events$/);
    const cal = m ? acct.calendars.get(m[1]) : undefined;
    if (!cal) return gerr(400, "InvalidRequest", "Resource not supported or not found.");
    const exp = Date.parse(b.expirationDateTime ?? "");
    if (Number.isNaN(exp) || exp <= this.now()) return gerr(400, "InvalidRequest", "expirationDateTime is required and must be in the future.");
    if (exp - this.now() > MAX_SUB_MINUTES * 60_000) return gerr(400, "InvalidRequest", "Subscription expiration can only be 10080 minutes in the future.");
    if (typeof b.clientState === "string" && b.clientState.length > 128) return gerr(400, "InvalidRequest", "clientState is longer than 128 characters.");
    if (!String(b.notificationUrl).startsWith("https://")) return gerr(400, "InvalidRequest", "notificationUrl must be HTTPS.");
    for (const u of [b.notificationUrl, b.lifecycleNotificationUrl].filter(Boolean)) {
      const token = `Validation: Testing client application reachability for subscription Request-Id: ${rand(8)}`;
      const target = new URL(u);
      target.searchParams.set("validationToken", token);
      const t0 = Date.now();
      let ok = false;
      let status = 0;
      try {
        const res = await this.deliver(new Request(target, { method: "POST", headers: { "content-type": "text/plain; charset=utf-8" } }));
        status = res.status;
        const text = await res.text();
        ok = res.status === 200 && (res.headers.get("content-type") ?? "").startsWith("text/plain") && text === token && Date.now() - t0 < 10_000;
      } catch {
        ok = false;
      }
      this.deliveries.push({ kind: "validation", subscriptionId: null, status, ms: Date.now() - t0 });
      if (!ok) return gerr(400, "ValidationError", `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request (${u}).`);
    }
    const s: Subscription = { id: crypto.randomUUID(), account: acct.email, calendarId: cal.id, resource: b.resource, notificationUrl: b.notificationUrl, lifecycleUrl: b.lifecycleNotificationUrl ?? null, clientState: b.clientState ?? "", expiration: exp, deleted: false };
    this.subs.set(s.id, s);
    return json(this.subJson(s), 201);
  }

  private changeBody(s: Subscription, changeType: string, id: string) {
    return {
      value: [
        {
          subscriptionId: s.id,
          subscriptionExpirationDateTime: new Date(s.expiration).toISOString(),
          changeType,
          resource: `Users/${this.acct(s.account).id}/Events/${id}`,
          resourceData: { "@odata.type": "#Microsoft.Graph.Event", "@odata.id": `Users/${this.acct(s.account).id}/Events/${id}`, id },
          clientState: s.clientState,
          tenantId: "t",
        },
      ],
    };
  }

  private queueNotify(s: Subscription, e: StoredEvent) {
    const body = this.changeBody(s, e.deleted ? "deleted" : "updated", e.id);
    const times = this.duplicateNotifications ? 2 : 1;
    for (let i = 0; i < times; i++) {
      // Delivered after the current request finishes, like Graph's asynchronous notifications.
      const p: Promise<unknown> = new Promise((r) => setTimeout(r, 0)).then(() => this.post(s.notificationUrl, body, "change", s.id));
      this.pending.add(p);
      p.finally(() => this.pending.delete(p));
    }
  }

  private async post(url: string, body: unknown, kind: "change" | "lifecycle", subscriptionId: string | null) {
    const t0 = Date.now();
    try {
      const res = await this.deliver(new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
      this.deliveries.push({ kind, subscriptionId, status: res.status, ms: Date.now() - t0 });
      return res.status;
    } catch {
      this.deliveries.push({ kind, subscriptionId, status: 0, ms: Date.now() - t0 });
      return 0;
    }
  }
}
