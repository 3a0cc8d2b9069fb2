// An in-memory emulator of Google Calendar API v3 + Google OAuth 2.0, written from
// Google's documentation (see /work/shared/provider-facts.md), not from our client:
// - OAuth: authorization-code grant with PKCE S256 (single-use codes, redirect_uri
//   must match), refresh-token grant, access tokens that expire (401 authError),
//   revocation (refresh token → 400 invalid_grant afterwards), POST /revoke.
// - calendarList; events insert/get/patch/update/delete with etags, If-Match → 412,
//   client-chosen base32hex ids with 409 duplicate, deleted events kept as
//   "cancelled" (GET returns them, DELETE again → 410, PATCH status can restore).
// - events.list: timeMin/timeMax/singleEvents/showDeleted, small pages
//   (nextPageToken on every page but the last, nextSyncToken on the last), syncToken
//   incremental listing including cancelled items, 410 fullSyncRequired on an
//   invalid token; syncToken combined with timeMin/timeMax → 400.
// - Simple recurrence (RRULE FREQ=DAILY|WEEKLY with COUNT/UNTIL/INTERVAL, EXDATE)
//   expanded for singleEvents=true into instances "<id>_<YYYYMMDDTHHMMSSZ>".
// - watch channels (HTTPS address only) answering {kind, id, resourceId, resourceUri,
//   token, expiration}; a `sync` notification right after creation, `exists` on
//   every change, with the X-Goog-* headers; channels expire; POST /channels/stop.
// - Fault injection (429/403 rateLimitExceeded/503 with optional Retry-After).
// - Per-account rate limits (issue 9): rateLimit(email, seconds) makes every API call
//   of that account answer 429 (or 403 rateLimitExceeded) with Retry-After until it
//   passes, as Google's per-user quota does; calls of other accounts are unaffected.
// - Silent push loss (issue 9): losePush(email) drops that account's notifications
//   while its channels still look healthy (watch answers normally, nothing arrives).
// - Notifications carry X-Goog-Channel-Expiration; setChannelExpiration() changes
//   Google's own idea of when a channel ends. Our own API writes produce notifications
//   like the user's edits do (echoes).
// - events.list privateExtendedProperty=name=value filters (repeatable, ANDed).
// - Every request is recorded (tests scan them all for PHI).
//
// Wiring: `handle(request)` is a fetch handler; test/fakes/google/router.ts routes
// the emulator's host to it and delivers notifications to our Worker.

export const GOOGLE_TEST_HOST = "google.test";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The account whose access token the request carried (API calls). */
  account?: string;
}

interface Account {
  email: string;
  calendars: Map<string, Calendar>;
  /** Per-user rate limit: API calls answer 429/403 until then. */
  limitedUntil?: number;
  limitedStatus?: 429 | 403;
  /** Notifications for this account are silently dropped. */
  pushLost?: boolean;
}
interface Calendar {
  id: string;
  summary: string;
  primary: boolean;
  accessRole: "owner" | "writer" | "reader";
  timeZone: string;
  events: Map<string, StoredEvent>;
  /** Sync tokens minted before this sequence number are invalid (410). */
  tokensValidFrom: number;
}
interface StoredEvent {
  data: Record<string, any>;
  seq: number; // sequence of the last change
}
interface Channel {
  id: string;
  resourceId: string;
  token?: string;
  address: string;
  calendarId: string;
  account: string;
  expiration: number;
  messageNumber: number;
  stopped: boolean;
}
interface Fault {
  status: number;
  reason: string;
  retryAfter?: string;
  match?: (r: Request) => boolean;
}

const err = (code: number, reason: string, message: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error: { code, message, errors: [{ domain: "global", reason, message }] } }), {
    status: code,
    headers: { "content-type": "application/json", ...headers },
  });
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const oauthErr = (error: string, description: string, status = 400) =>
  new Response(JSON.stringify({ error, error_description: description }), { status, headers: { "content-type": "application/json" } });

function rand(n = 16) {
  return [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
async function s256(v: string) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(v)));
  let s = "";
  for (const b of d) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

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

  private accounts = new Map<string, Account>();
  private codes = new Map<string, { account: string; redirectUri: string; challenge: string; scope: string; used: boolean }>();
  private accessTokens = new Map<string, { account: string; expiresAt: number; refresh: string | null }>();
  private refreshTokens = new Map<string, { account: string; revoked: boolean; scope: string }>();
  private channels = new Map<string, Channel>();
  private faults: Fault[] = [];
  private seq = 0;
  private lastNow = 0;
  private pending = new Set<Promise<unknown>>();
  /** Results of delivered notifications (status codes), for tests. */
  readonly deliveries: { channelId: string; state: string; status: number }[] = [];

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
    const calendars = new Map<string, Calendar>();
    const mk = (id: string, summary: string, primary: boolean, accessRole: Calendar["accessRole"]) =>
      calendars.set(id, { id, summary, primary, accessRole, timeZone: "Europe/Berlin", events: new Map(), tokensValidFrom: 0 });
    mk(email, email, true, "owner");
    for (const c of extraCalendars) mk(c.id, c.summary, false, c.accessRole ?? "owner");
    this.accounts.set(email, { email, calendars });
    return this;
  }

  /** The user consents on Google's page: returns where Google redirects the browser. */
  async consent(authorizeUrl: string, email: string): Promise<URL> {
    const u = new URL(authorizeUrl);
    const p = u.searchParams;
    if (p.get("client_id") !== this.clientId) throw new Error("emulator: unknown client_id");
    if (p.get("response_type") !== "code") throw new Error("emulator: response_type must be code");
    if (p.get("code_challenge_method") !== "S256" || !p.get("code_challenge")) throw new Error("emulator: PKCE S256 required");
    const redirect = new URL(p.get("redirect_uri")!);
    const code = "4/" + rand();
    this.codes.set(code, { account: email, redirectUri: p.get("redirect_uri")!, challenge: p.get("code_challenge")!, scope: p.get("scope") ?? "", used: false });
    redirect.searchParams.set("code", code);
    if (p.get("state")) redirect.searchParams.set("state", p.get("state")!);
    redirect.searchParams.set("scope", p.get("scope") ?? "");
    return redirect;
  }

  /** Google's per-user quota: every API call of this account is refused with Retry-After for `seconds`. */
  rateLimit(email: string, seconds: number, status: 429 | 403 = 429) {
    const a = this.accounts.get(email)!;
    a.limitedUntil = Date.now() + seconds * 1000;
    a.limitedStatus = status;
  }
  /** Push notifications of this account are lost (or delivered again with `false`); channels still look healthy. */
  losePush(email: string, lost = true) {
    this.accounts.get(email)!.pushLost = lost;
  }
  /** Notifications dropped by losePush, for tests. */
  readonly lost: { channelId: string; state: string }[] = [];
  setChannelExpiration(id: string, ms: number) {
    this.channels.get(id)!.expiration = ms;
  }
  /** API requests made with this account's tokens. */
  requestsOf(email: string, since = 0) {
    return this.requests.slice(since).filter((r) => r.account === email);
  }

  expireAccessTokens() {
    for (const t of this.accessTokens.values()) t.expiresAt = 0;
  }
  /** The user removes our access in their Google account settings. */
  revokeAll(email: string) {
    for (const [k, t] of this.refreshTokens) if (t.account === email) t.revoked = true;
    for (const [k, t] of this.accessTokens) if (t.account === email) this.accessTokens.delete(k);
  }
  /** Make every sync token of a calendar invalid (next incremental list → 410). */
  invalidateSyncTokens(email: string, calendarId = email) {
    this.cal(email, calendarId).tokensValidFrom = ++this.seq;
  }
  clearFaults() {
    this.faults.length = 0;
  }
  injectFault(f: Fault, times = 1) {
    for (let i = 0; i < times; i++) this.faults.push(f);
  }
  events(email: string, calendarId = email): Record<string, any>[] {
    return [...this.cal(email, calendarId).events.values()].map((e) => e.data);
  }
  event(email: string, id: string, calendarId = email) {
    return this.cal(email, calendarId).events.get(id)?.data;
  }
  activeChannels() {
    return [...this.channels.values()].filter((c) => !c.stopped && c.expiration > Date.now());
  }
  channel(id: string) {
    return this.channels.get(id);
  }
  /** The doctor edits their calendar in Google's UI (goes through the same code as the API). */
  userInsert(email: string, ev: Record<string, any>, calendarId = email) {
    return this.insertEvent(this.cal(email, calendarId), ev);
  }
  userPatch(email: string, id: string, fields: Record<string, any>, calendarId = email) {
    const c = this.cal(email, calendarId);
    const cur = c.events.get(id) ?? this.instanceOf(c, id);
    if (!cur) throw new Error(`emulator: no event ${id}`);
    return this.store(c, { ...cur.data, ...fields, id });
  }
  userDelete(email: string, id: string, calendarId = email) {
    const c = this.cal(email, calendarId);
    const cur = c.events.get(id) ?? this.instanceOf(c, id);
    if (!cur) throw new Error(`emulator: no event ${id}`);
    this.cancel(c, cur.data);
  }
  /** Deleting a series deletes its exceptions too; deleting an instance stores a cancelled exception. */
  private cancel(cal: Calendar, data: Record<string, any>) {
    this.store(cal, { ...data, status: "cancelled" });
    if (data.recurrence)
      for (const ev of [...cal.events.values()])
        if (ev.data.recurringEventId === data.id && ev.data.status !== "cancelled") this.store(cal, { ...ev.data, status: "cancelled" });
  }
  /** Replays a notification of a channel (duplicates / out-of-order tests). */
  renotify(channelId: string, state: string, messageNumber: number) {
    const ch = this.channels.get(channelId)!;
    return this.send(ch, state, messageNumber);
  }
  /** Waits until every queued notification was delivered. */
  async settle() {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
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
    if (path === "/token" && request.method === "POST") return this.token(new URLSearchParams(body));
    if (path === "/revoke" && request.method === "POST") return this.revoke(url.searchParams.get("token") ?? new URLSearchParams(body).get("token") ?? "");
    if (!path.startsWith("/calendar/v3/")) return err(404, "notFound", "Not Found");

    const faultIdx = this.faults.findIndex((f) => !f.match || f.match(request));
    if (faultIdx >= 0) {
      const f = this.faults.splice(faultIdx, 1)[0];
      return err(f.status, f.reason, "Injected fault", f.retryAfter ? { "retry-after": f.retryAfter } : {});
    }
    const auth = request.headers.get("authorization") ?? "";
    const tok = this.accessTokens.get(auth.replace(/^Bearer /, ""));
    if (!tok || tok.expiresAt <= Date.now()) return err(401, "authError", "Invalid Credentials", { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' });
    const account = this.accounts.get(tok.account)!;
    rec.account = account.email;
    if (account.limitedUntil && account.limitedUntil > Date.now()) {
      const secs = Math.max(1, Math.ceil((account.limitedUntil - Date.now()) / 1000));
      return account.limitedStatus === 403
        ? err(403, "userRateLimitExceeded", "User Rate Limit Exceeded", { "retry-after": String(secs) })
        : err(429, "rateLimitExceeded", "Rate Limit Exceeded", { "retry-after": String(secs) });
    }
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
        nextSyncToken: "cl" + this.seq,
      });
    }
    if (rest === "/channels/stop" && request.method === "POST") {
      const b = JSON.parse(body || "{}");
      const ch = this.channels.get(b.id);
      if (!ch || ch.resourceId !== b.resourceId || ch.stopped) return err(404, "notFound", `Channel '${b.id}' not found for project`);
      ch.stopped = true;
      return new Response(null, { status: 204 });
    }
    if ((m = rest.match(/^\/calendars\/([^/]+)\/events(?:\/([^/]+))?(?:\/(watch))?$/))) {
      const calId = decodeURIComponent(m[1]);
      const cal = account.calendars.get(calId);
      if (!cal) return err(404, "notFound", "Not Found");
      const eventId = m[2] ? decodeURIComponent(m[2]) : null;
      if (eventId === "watch" && request.method === "POST") return this.watch(account, cal, JSON.parse(body || "{}"));
      const writable = cal.accessRole === "owner" || cal.accessRole === "writer";
      if (!eventId) {
        if (request.method === "GET") {
          if (this.hold) await this.hold;
          return this.list(cal, url.searchParams);
        }
        if (request.method === "POST") {
          if (!writable) return err(403, "requiredAccessLevel", "You need to have writer access to this calendar.");
          return this.insert(cal, JSON.parse(body || "{}"));
        }
        return err(405, "methodNotAllowed", "Method not allowed");
      }
      return this.eventOp(cal, eventId, request, body, writable);
    }
    return err(404, "notFound", "Not Found");
  }

  // ---- OAuth ---------------------------------------------------------------

  private async token(form: URLSearchParams): Promise<Response> {
    if (form.get("client_id") !== this.clientId || form.get("client_secret") !== this.clientSecret)
      return oauthErr("invalid_client", "The OAuth client was not found.", 401);
    const grant = form.get("grant_type");
    if (grant === "authorization_code") {
      const c = this.codes.get(form.get("code") ?? "");
      if (!c || c.used) return oauthErr("invalid_grant", "Malformed auth code.");
      c.used = true;
      if (c.redirectUri !== form.get("redirect_uri")) return oauthErr("redirect_uri_mismatch", "Bad Request");
      if ((await s256(form.get("code_verifier") ?? "")) !== c.challenge) return oauthErr("invalid_grant", "Invalid code verifier.");
      const refresh = "1//" + rand();
      this.refreshTokens.set(refresh, { account: c.account, revoked: false, scope: c.scope });
      return json({ ...this.mintAccess(c.account, refresh), refresh_token: refresh, scope: c.scope });
    }
    if (grant === "refresh_token") {
      const r = this.refreshTokens.get(form.get("refresh_token") ?? "");
      if (!r || r.revoked) return oauthErr("invalid_grant", "Token has been expired or revoked.");
      return json({ ...this.mintAccess(r.account, form.get("refresh_token")!), scope: r.scope });
    }
    return oauthErr("unsupported_grant_type", "Invalid grant_type: " + grant);
  }

  private mintAccess(account: string, refresh: string | null) {
    const t = "ya29." + rand();
    this.accessTokens.set(t, { account, expiresAt: Date.now() + this.accessTokenTtl * 1000, refresh });
    return { access_token: t, expires_in: this.accessTokenTtl, token_type: "Bearer" };
  }

  private revoke(token: string): Response {
    const r = this.refreshTokens.get(token);
    const a = this.accessTokens.get(token);
    if (!r && !a) return oauthErr("invalid_token", "Token expired or revoked");
    const refresh = r ? token : a!.refresh;
    if (refresh && this.refreshTokens.has(refresh)) this.refreshTokens.get(refresh)!.revoked = true;
    for (const [k, v] of this.accessTokens) if (v.refresh === refresh || k === token) this.accessTokens.delete(k);
    return new Response(null, { status: 200 });
  }

  // ---- events ----------------------------------------------------------------

  private cal(email: string, calendarId: string) {
    const c = this.accounts.get(email)?.calendars.get(calendarId);
    if (!c) throw new Error(`emulator: no calendar ${calendarId} for ${email}`);
    return c;
  }

  private store(cal: Calendar, data: Record<string, any>): Record<string, any> {
    const seq = ++this.seq;
    const t = new Date(this.now()).toISOString();
    const prev = cal.events.get(data.id);
    const ev = { ...data, kind: "calendar#event", etag: `"${seq}${rand(4)}"`, updated: t, created: prev?.data.created ?? t };
    cal.events.set(data.id, { data: ev, seq });
    this.notify(cal);
    return ev;
  }

  private insertEvent(cal: Calendar, ev: Record<string, any>) {
    const id = ev.id ?? rand(13).slice(0, 26);
    return this.store(cal, {
      status: "confirmed",
      transparency: "opaque",
      creator: { email: [...this.accounts.values()].find((a) => a.calendars.has(cal.id))?.email, self: true },
      ...ev,
      id,
    });
  }

  private validTimes(ev: Record<string, any>): string | null {
    const ok = (t: any) => t && (typeof t.dateTime === "string" ? !Number.isNaN(Date.parse(t.dateTime)) : typeof t.date === "string");
    if (ev.status === "cancelled") return null;
    if (!ok(ev.start) || !ok(ev.end)) return "Missing or invalid time";
    const s = Date.parse(ev.start.dateTime ?? ev.start.date);
    const e = Date.parse(ev.end.dateTime ?? ev.end.date);
    if (e < s) return "The specified time range is empty.";
    return null;
  }

  private insert(cal: Calendar, ev: Record<string, any>): Response {
    if (ev.id !== undefined && !/^[a-v0-9]{5,1024}$/.test(ev.id)) return err(400, "invalid", "Invalid resource id value.");
    if (ev.id !== undefined && cal.events.has(ev.id)) return err(409, "duplicate", "The requested identifier already exists.");
    const bad = this.validTimes(ev);
    if (bad) return err(400, bad.includes("empty") ? "timeRangeEmpty" : "required", bad);
    return json(this.insertEvent(cal, ev));
  }

  private eventOp(cal: Calendar, id: string, req: Request, body: string, writable: boolean): Response {
    const cur = cal.events.get(id) ?? this.instanceOf(cal, id);
    if (req.method !== "GET" && !writable) return err(403, "requiredAccessLevel", "You need to have writer access to this calendar.");
    if (!cur) return err(404, "notFound", "Not Found");
    if (req.method === "GET") return json(cur.data);
    const ifMatch = req.headers.get("if-match");
    if (ifMatch && ifMatch !== "*" && ifMatch !== cur.data.etag) return err(412, "conditionNotMet", "Precondition Failed");
    if (req.method === "DELETE") {
      if (cur.data.status === "cancelled") return err(410, "deleted", "Resource has been deleted");
      this.cancel(cal, cur.data);
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
    const bad = this.validTimes(next);
    if (bad) return err(400, "required", bad);
    return json(this.store(cal, next));
  }

  /** An instance id of a recurring event (modifying it creates an exception). */
  private instanceOf(cal: Calendar, id: string): StoredEvent | undefined {
    const m = id.match(/^(.+)_(\d{8}T\d{6}Z)$/);
    if (!m) return undefined;
    const master = cal.events.get(m[1]);
    if (!master?.data.recurrence) return undefined;
    const inst = this.expand(master.data, -Infinity, Infinity).find((i) => i.id === id);
    return inst ? { data: inst, seq: master.seq } : undefined;
  }

  /** RRULE FREQ=DAILY|WEEKLY (INTERVAL, COUNT, UNTIL) + EXDATE → instances. Capped at 730 occurrences. */
  private expand(master: Record<string, any>, fromMs: number, toMs: number): Record<string, any>[] {
    const rule = (master.recurrence as string[]).find((l) => l.startsWith("RRULE:"));
    if (!rule) return [];
    const parts = Object.fromEntries(rule.slice(6).split(";").map((kv) => kv.split("=")));
    const step = (parts.FREQ === "WEEKLY" ? 7 : 1) * 86_400_000 * Number(parts.INTERVAL ?? 1);
    const allDay = !!master.start.date;
    const s0 = Date.parse(master.start.dateTime ?? master.start.date + "T00:00:00Z");
    const dur = Date.parse(master.end.dateTime ?? master.end.date + "T00:00:00Z") - s0;
    const until = parts.UNTIL ? Date.parse(parts.UNTIL.replace(/^(\d{4})(\d{2})(\d{2})(T(\d{2})(\d{2})(\d{2})Z)?$/, (_: string, y: string, mo: string, d: string, _t: string, h = "23", mi = "59", s = "59") => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`)) : Infinity;
    const count = parts.COUNT ? Number(parts.COUNT) : 730;
    const ex = new Set(
      (master.recurrence as string[]).filter((l) => l.startsWith("EXDATE")).flatMap((l) => l.split(":")[1].split(",")),
    );
    const out: Record<string, any>[] = [];
    for (let i = 0; i < Math.min(count, 730); i++) {
      const s = s0 + i * step;
      if (s > until) break;
      const stamp = new Date(s).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
      if (ex.has(stamp) || ex.has(stamp.slice(0, 8))) continue;
      if (s + dur <= fromMs || s >= toMs) continue;
      const t = (ms: number) => (allDay ? { date: new Date(ms).toISOString().slice(0, 10) } : { dateTime: new Date(ms).toISOString(), timeZone: master.start.timeZone });
      const { recurrence: _r, ...rest } = master;
      out.push({ ...rest, id: `${master.id}_${stamp}`, recurringEventId: master.id, originalStartTime: t(s), start: t(s), end: t(s + dur) });
    }
    return out;
  }

  private list(cal: Calendar, q: URLSearchParams): Response {
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
    let snapshot = this.seq;
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
        for (const inst of this.expand(d, from, to)) {
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
    const size = Math.min(this.pageSize, Number(q.get("maxResults") ?? 250));
    const page = items.slice(offset, offset + size);
    const more = offset + size < items.length;
    return json({
      kind: "calendar#events",
      summary: cal.summary,
      timeZone: cal.timeZone,
      updated: new Date(this.now()).toISOString(),
      items: page,
      ...(more ? { nextPageToken: btoa(JSON.stringify({ o: offset + size, s: snapshot })) } : { nextSyncToken: `s${snapshot}` }),
    });
  }

  // ---- push ----------------------------------------------------------------

  private watch(account: Account, cal: Calendar, b: Record<string, any>): Response {
    if (!b.id || b.type !== "web_hook" || !b.address) return err(400, "required", "Required");
    if (!/^https:\/\//.test(b.address)) return err(400, "push.webhookUrlNotHttps", "WebHook callback must be HTTPS: " + b.address);
    if (this.channels.has(b.id)) return err(400, "channelIdNotUnique", "Channel id not unique");
    if (b.token && String(b.token).length > 256) return err(400, "invalid", "Token too long");
    const ttl = b.params?.ttl ? Number(b.params.ttl) : 604_800;
    const ch: Channel = {
      id: b.id,
      resourceId: "res-" + rand(8),
      token: b.token,
      address: b.address,
      calendarId: cal.id,
      account: account.email,
      expiration: Date.now() + ttl * 1000,
      messageNumber: 0,
      stopped: false,
    };
    this.channels.set(ch.id, ch);
    this.queue(ch, "sync");
    return json({
      kind: "api#channel",
      id: ch.id,
      resourceId: ch.resourceId,
      resourceUri: this.resourceUri(cal),
      ...(ch.token ? { token: ch.token } : {}),
      expiration: String(ch.expiration),
    });
  }

  private resourceUri(cal: Calendar) {
    return `https://${GOOGLE_TEST_HOST}/calendar/v3/calendars/${encodeURIComponent(cal.id)}/events?alt=json`;
  }

  private notify(cal: Calendar) {
    for (const ch of this.channels.values())
      if (ch.calendarId === cal.id && !ch.stopped && ch.expiration > Date.now()) this.queue(ch, "exists");
  }

  private queue(ch: Channel, state: string) {
    const n = ++ch.messageNumber;
    // Delivered after the current request finishes, like Google's asynchronous push.
    const p: Promise<unknown> = new Promise((r) => setTimeout(r, 0)).then(() => this.send(ch, state, n));
    this.pending.add(p);
    p.finally(() => this.pending.delete(p));
  }

  private async send(ch: Channel, state: string, n: number) {
    const account = this.accounts.get(ch.account)!;
    if (account.pushLost) {
      this.lost.push({ channelId: ch.id, state });
      return;
    }
    const cal = account.calendars.get(ch.calendarId)!;
    const headers: Record<string, string> = {
      "X-Goog-Channel-ID": ch.id,
      "X-Goog-Channel-Expiration": new Date(ch.expiration).toUTCString(),
      "X-Goog-Resource-ID": ch.resourceId,
      "X-Goog-Resource-URI": this.resourceUri(cal),
      "X-Goog-Resource-State": state,
      "X-Goog-Message-Number": String(n),
      "content-length": "0",
    };
    if (ch.token) headers["X-Goog-Channel-Token"] = ch.token;
    try {
      const res = await this.deliver(new Request(ch.address, { method: "POST", headers }));
      this.deliveries.push({ channelId: ch.id, state, status: res.status });
    } catch {
      this.deliveries.push({ channelId: ch.id, state, status: 0 });
    }
  }
}
