// An in-memory emulator of Google Calendar API v3 + Google OAuth 2.0, written from
// Google's documentation (see /work/shared/provider-facts.md), not from our client:
// - OAuth (./oauth.ts): authorization-code grant with PKCE S256 (single-use codes,
//   redirect_uri must match), refresh-token grant, access tokens that expire (401
//   authError), revocation (refresh token → 400 invalid_grant afterwards), POST /revoke.
// - calendarList; events insert/get/patch/update/delete (./events.ts) with etags,
//   If-Match → 412, client-chosen base32hex ids with 409 duplicate, deleted events kept as
//   "cancelled" (GET returns them, DELETE again → 410, PATCH status can restore).
// - events.list (./sync.ts): timeMin/timeMax/singleEvents/showDeleted, small pages
//   (nextPageToken on every page but the last, nextSyncToken on the last), syncToken
//   incremental listing including cancelled items, 410 fullSyncRequired on an
//   invalid token; syncToken combined with timeMin/timeMax → 400.
// - Simple recurrence (./recurrence.ts: RRULE FREQ=DAILY|WEEKLY with COUNT/UNTIL/INTERVAL,
//   EXDATE) expanded for singleEvents=true into instances "<id>_<YYYYMMDDTHHMMSSZ>".
// - watch channels (./push.ts; HTTPS address only) answering {kind, id, resourceId,
//   resourceUri, token, expiration}; a `sync` notification right after creation, `exists`
//   on every change, with the X-Goog-* headers; channels expire; POST /channels/stop.
// - Fault injection (./faults.ts: 429/403 rateLimitExceeded/503 with optional Retry-After).
// - Per-account rate limits (issue 9): rateLimit(email, seconds) makes every API call
//   of that account answer 429 (or 403 rateLimitExceeded) with Retry-After until it
//   passes, as Google's per-user quota does; calls of other accounts are unaffected.
// - Silent push loss (issue 9): losePush(email) drops that account's notifications
//   while its channels still look healthy (watch answers normally, nothing arrives).
// - Notifications carry X-Goog-Channel-Expiration; setChannelExpiration() changes
//   Google's own idea of when a channel ends. Our own API writes produce notifications
//   like the user's edits do (echoes; ./store.ts).
// - events.list privateExtendedProperty=name=value filters (repeatable, ANDed).
// - Every request is recorded (tests scan them all for PHI).
//
// Wiring: `handle(request)` is a fetch handler; test/fakes/google/router.ts routes
// the emulator's host to it and delivers notifications to our Worker. This file is the
// entry every test imports: the test controls and the request routing; each concern of
// Google's behaviour lives in its own module next to it.
import { eventOp, insert } from "./events";
import { Faults, limitAccount, rateLimited } from "./faults";
import { err, json } from "./http";
import { GoogleOAuth } from "./oauth";
import { PushChannels } from "./push";
import { instanceOf } from "./recurrence";
import { CalendarStore } from "./store";
import { list } from "./sync";
import type { Fault, RecordedRequest } from "./types";

export { GOOGLE_TEST_HOST } from "./types";
export type { Fault, RecordedRequest } from "./types";

export class GoogleEmulator {
  readonly requests: RecordedRequest[] = [];
  readonly clientId: string;
  readonly clientSecret: string;
  /** Page size cap for events.list (Google pages at maxResults; small here to exercise paging). */
  pageSize = 3;
  /** Access token lifetime in seconds (expires_in). */
  accessTokenTtl = 3599;
  /** Notifications are POSTed through this (set by the router). */
  deliver: (req: Request) => Promise<Response> = (r) => fetch(r);
  /** While set, events.list requests wait for this promise (tests: cut a sync short). */
  hold: Promise<void> | null = null;
  /** Milliseconds added to the emulator clock (to make "Google edited later" explicit). */
  clockOffsetMs = 0;

  private lastNow = 0;
  private readonly oauth = new GoogleOAuth(this);
  private readonly db = new CalendarStore(this, (cal) => this.push.notify(cal));
  private readonly push = new PushChannels(this, this.db.accounts);
  private readonly faults = new Faults();
  /** Results of delivered notifications (status codes), for tests. */
  readonly deliveries = this.push.deliveries;
  /** Notifications dropped by losePush, for tests. */
  readonly lost = this.push.lost;

  constructor(opts: { clientId: string; clientSecret: string }) {
    this.clientId = opts.clientId;
    this.clientSecret = opts.clientSecret;
  }

  /** Strictly increasing clock: workerd freezes Date.now() between I/O. */
  now(): number {
    this.lastNow = Math.max(Date.now(), this.lastNow + 1);
    return this.lastNow + this.clockOffsetMs;
  }

  // ---- test controls -------------------------------------------------------

  addAccount(email: string, extraCalendars: { id: string; summary: string; accessRole?: "owner" | "writer" | "reader" }[] = []) {
    this.db.addAccount(email, extraCalendars);
    return this;
  }

  /** The user consents on Google's page (unticking `untick`, granular consent): returns where Google redirects the browser. */
  consent(authorizeUrl: string, email: string, opts: { untick?: string[] } = {}): Promise<URL> {
    return this.oauth.consent(authorizeUrl, email, opts);
  }

  /** Google's per-user quota: every API call of this account is refused with Retry-After for `seconds`. */
  rateLimit(email: string, seconds: number, status: 429 | 403 = 429) {
    limitAccount(this.db.accounts.get(email)!, seconds, status);
  }
  /** Push notifications of this account are lost (or delivered again with `false`); channels still look healthy. */
  losePush(email: string, lost = true) {
    this.db.accounts.get(email)!.pushLost = lost;
  }
  setChannelExpiration(id: string, ms: number) {
    this.push.channels.get(id)!.expiration = ms;
  }
  /** API requests made with this account's tokens. */
  requestsOf(email: string, since = 0) {
    return this.requests.slice(since).filter((r) => r.account === email);
  }

  expireAccessTokens() {
    this.oauth.expireAccessTokens();
  }
  /** The user removes our access in their Google account settings. */
  revokeAll(email: string) {
    this.oauth.revokeAll(email);
  }
  /** Make every sync token of a calendar invalid (next incremental list → 410). */
  invalidateSyncTokens(email: string, calendarId = email) {
    this.db.cal(email, calendarId).tokensValidFrom = ++this.db.seq;
  }
  clearFaults() {
    this.faults.clear();
  }
  injectFault(f: Fault, times = 1) {
    this.faults.inject(f, times);
  }
  events(email: string, calendarId = email): Record<string, any>[] {
    return [...this.db.cal(email, calendarId).events.values()].map((e) => e.data);
  }
  event(email: string, id: string, calendarId = email) {
    return this.db.cal(email, calendarId).events.get(id)?.data;
  }
  activeChannels() {
    return this.push.active();
  }
  channel(id: string) {
    return this.push.channels.get(id);
  }
  /** The doctor edits their calendar in Google's UI (goes through the same code as the API). */
  userInsert(email: string, ev: Record<string, any>, calendarId = email) {
    return this.db.insertEvent(this.db.cal(email, calendarId), ev);
  }
  userPatch(email: string, id: string, fields: Record<string, any>, calendarId = email) {
    const c = this.db.cal(email, calendarId);
    const cur = c.events.get(id) ?? instanceOf(c, id);
    if (!cur) throw new Error(`emulator: no event ${id}`);
    return this.db.store(c, { ...cur.data, ...fields, id });
  }
  userDelete(email: string, id: string, calendarId = email) {
    const c = this.db.cal(email, calendarId);
    const cur = c.events.get(id) ?? instanceOf(c, id);
    if (!cur) throw new Error(`emulator: no event ${id}`);
    this.db.cancel(c, cur.data);
  }
  /** Replays a notification of a channel (duplicates / out-of-order tests). */
  renotify(channelId: string, state: string, messageNumber: number) {
    const ch = this.push.channels.get(channelId)!;
    return this.push.send(ch, state, messageNumber);
  }
  /** Waits until every queued notification was delivered. */
  settle() {
    return this.push.settle();
  }
  /** API requests (not OAuth) recorded so far. */
  apiRequests() {
    return this.requests.filter((r) => new URL(r.url).pathname.startsWith("/calendar/v3"));
  }

  // ---- HTTP ----------------------------------------------------------------

  async handle(request: Request): Promise<Response> {
    const body = request.method === "GET" || request.method === "HEAD" ? "" : new TextDecoder().decode(await request.clone().arrayBuffer());
    const rec: RecordedRequest = { method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body };
    this.requests.push(rec);
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === "/token" && request.method === "POST") return this.oauth.token(new URLSearchParams(body));
    if (path === "/revoke" && request.method === "POST") return this.oauth.revoke(url.searchParams.get("token") ?? new URLSearchParams(body).get("token") ?? "");
    if (!path.startsWith("/calendar/v3/")) return err(404, "notFound", "Not Found");

    const fault = this.faults.take(request);
    if (fault) return fault;
    const email = this.oauth.accountOf(request.headers.get("authorization"));
    if (!email) return err(401, "authError", "Invalid Credentials", { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' });
    const account = this.db.accounts.get(email)!;
    rec.account = account.email;
    const needed = scopesFor(path, request.method);
    if (needed && !this.oauth.hasScope(request.headers.get("authorization"), needed))
      return err(403, "insufficientPermissions", "Request had insufficient authentication scopes.");
    const limited = rateLimited(account);
    if (limited) return limited;
    const rest = path.slice("/calendar/v3".length);
    let m: RegExpMatchArray | null;
    if (rest === "/users/me/calendarList" && request.method === "GET") {
      return json({
        kind: "calendar#calendarList",
        items: [...account.calendars.values()].map((c) => ({
          kind: "calendar#calendarListEntry",
          id: c.id,
          summary: c.summary,
          timeZone: c.timeZone,
          accessRole: c.accessRole,
          backgroundColor: "#9fe1e7",
          ...(c.primary ? { primary: true } : {}),
        })),
        nextSyncToken: "cl" + this.db.seq,
      });
    }
    if (rest === "/channels/stop" && request.method === "POST") return this.push.stop(JSON.parse(body || "{}"));
    if ((m = rest.match(/^\/calendars\/([^/]+)\/events(?:\/([^/]+))?(?:\/(watch))?$/))) {
      const calId = decodeURIComponent(m[1]);
      const cal = account.calendars.get(calId);
      if (!cal) return err(404, "notFound", "Not Found");
      const eventId = m[2] ? decodeURIComponent(m[2]) : null;
      if (eventId === "watch" && request.method === "POST") return this.push.watch(account, cal, JSON.parse(body || "{}"));
      const writable = cal.accessRole === "owner" || cal.accessRole === "writer";
      if (!eventId) {
        if (request.method === "GET") {
          if (this.hold) await this.hold;
          return list(cal, url.searchParams, { seq: this.db.seq, pageSize: this.pageSize, now: () => this.now() });
        }
        if (request.method === "POST") {
          if (!writable) return err(403, "requiredAccessLevel", "You need to have writer access to this calendar.");
          return insert(this.db, cal, JSON.parse(body || "{}"));
        }
        return err(405, "methodNotAllowed", "Method not allowed");
      }
      return eventOp(this.db, cal, eventId, request, body, writable);
    }
    return err(404, "notFound", "Not Found");
  }
}

const S = "https://www.googleapis.com/auth/";
/** The scopes any of which lets a token make this call (Google: a wider scope covers a narrower one); null = not checked. */
function scopesFor(path: string, method: string): string[] | null {
  const rest = path.slice("/calendar/v3".length);
  if (rest.startsWith("/users/me/calendarList"))
    return [`${S}calendar.calendarlist.readonly`, `${S}calendar.calendarlist`, `${S}calendar.readonly`, `${S}calendar`];
  if (/^\/calendars\/[^/]+\/events/.test(rest)) {
    const read = method === "GET" || rest.endsWith("/watch");
    return read ? [`${S}calendar.events`, `${S}calendar.events.readonly`, `${S}calendar`, `${S}calendar.readonly`] : [`${S}calendar.events`, `${S}calendar`];
  }
  return null;
}
