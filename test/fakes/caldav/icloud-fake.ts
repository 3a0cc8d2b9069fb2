// An in-process iCloud-like CalDAV server: just the iCloud differences our client
// relies on, where Radicale behaves otherwise (Radicale covers the standard path):
//   - discovery: /.well-known/caldav → 301 "/"; the principal is on caldav.icloud.com
//     but the calendar home is an absolute URL on the account's own partition host
//     (https://pNN-caldav.icloud.com/<dsid>/calendars/), where all later calls go;
//   - iCloud rewrites what it stores (its own PRODID, X-APPLE- properties, re-folding):
//     a PUT answers without an ETag, and a later server-side rewrite changes the ETag
//     of an event nobody edited;
//   - Reminders lists are VTODO-only calendars; the home also holds inbox/outbox and
//     notification collections that are not calendars;
//   - Basic auth with an app-specific password (401 otherwise); 503 + Retry-After when
//     throttling (injectable).
// Requests are routed to it by replacing globalThis.fetch in the test isolate (as the
// Google emulator does, test/fakes/google/router.ts); production code only sees URLs.
export const ICLOUD_HOST = "caldav.icloud.com";

interface Resource {
  data: string;
  etag: string;
  /** sync revision of the last change */
  rev: number;
  deleted?: boolean;
}
interface Calendar {
  name: string;
  display: string;
  comps: string[];
  items: Map<string, Resource>;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const xmlEsc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export class ICloudFake {
  readonly dsid = "1234567890";
  readonly partition = "p42-caldav.icloud.com";
  appleId = "doctor@icloud.test";
  password = "abcd-efgh-ijkl-mnop";
  rev = 1;
  private seq = 0;
  readonly calendars = new Map<string, Calendar>();
  requests: RecordedRequest[] = [];
  /** Answer the next N requests with 503 Retry-After: <s>. */
  throttle: { count: number; retryAfter: string } | null = null;
  /** Truncate sync-collection answers to this many changes (RFC 6578 §3.6: 507 on the collection). */
  syncPageSize = 0;
  /** false: behave like a server without RFC 6578 (no DAV:sync-token, sync-collection refused). */
  syncCollection = true;
  /** When set, the principal PROPFIND redirects here (a hostile or broken server). */
  principalRedirect: string | null = null;

  constructor() {
    this.calendars.set("home", { name: "home", display: "Home", comps: ["VEVENT"], items: new Map() });
    this.calendars.set("work", { name: "work", display: "Work", comps: ["VEVENT"], items: new Map() });
    this.calendars.set("tasks", { name: "tasks", display: "Reminders", comps: ["VTODO"], items: new Map() });
  }

  get home() {
    return `https://${this.partition}:443/${this.dsid}/calendars/`;
  }
  calendarUrl(name: string) {
    return `https://${this.partition}/${this.dsid}/calendars/${name}/`;
  }
  private newEtag() {
    return `"C=${++this.seq}@U=icloud"`;
  }

  /** iCloud's rewrite of a stored object: its PRODID, an X-APPLE property, unfolded lines. */
  private rewrite(data: string) {
    return data
      .replace(/\r\n[ \t]/g, "")
      .replace(/^PRODID:.*$/m, "PRODID:-//Apple Inc.//iCloud Calendar//EN")
      .replace("END:VEVENT", "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\nEND:VEVENT");
  }

  /** A server-side rewrite nobody asked for: same event, new bytes, new ETag. */
  rewriteAll(calendar = "home") {
    const cal = this.calendars.get(calendar)!;
    for (const r of cal.items.values()) {
      if (r.deleted) continue;
      r.data = r.data.replace("END:VEVENT", `X-APPLE-SERVER-REV:${this.rev}\r\nEND:VEVENT`);
      r.etag = this.newEtag();
      r.rev = ++this.rev;
    }
  }

  live(calendar = "home") {
    return [...this.calendars.get(calendar)!.items.entries()].filter(([, r]) => !r.deleted);
  }

  put(calendar: string, name: string, data: string) {
    const cal = this.calendars.get(calendar)!;
    const r: Resource = { data: this.rewrite(data), etag: this.newEtag(), rev: ++this.rev };
    cal.items.set(name, r);
    return r;
  }

  async handle(req: Request): Promise<Response> {
    const body = req.method === "GET" || req.method === "DELETE" ? "" : await req.text();
    const url = new URL(req.url);
    this.requests.push({ method: req.method, url: req.url, headers: Object.fromEntries(req.headers), body });
    if (this.throttle && this.throttle.count > 0) {
      this.throttle.count--;
      return new Response("", { status: 503, headers: { "retry-after": this.throttle.retryAfter } });
    }
    const auth = req.headers.get("authorization") ?? "";
    if (auth !== `Basic ${btoa(`${this.appleId}:${this.password}`)}`) return new Response("Unauthorized", { status: 401, headers: { "www-authenticate": 'Basic realm="iCloud"' } });
    if (url.host === ICLOUD_HOST) return this.front(req.method, url, body);
    if (url.host === this.partition) return this.partitionHost(req, url, body);
    return new Response("no such host", { status: 404 });
  }

  private ms(responses: string[], extra = "") {
    return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">${responses.join("")}${extra}</multistatus>`, {
      status: 207,
      headers: { "content-type": "text/xml; charset=UTF-8" },
    });
  }
  private resp(href: string, props: string, status = "HTTP/1.1 200 OK") {
    return `<response><href>${xmlEsc(href)}</href><propstat><prop>${props}</prop><status>${status}</status></propstat></response>`;
  }

  private front(method: string, url: URL, _body: string): Response {
    if (url.pathname === "/.well-known/caldav") return new Response(null, { status: 301, headers: { location: "/" } });
    if (method !== "PROPFIND") return new Response("", { status: 405 });
    if (url.pathname === "/") return this.ms([this.resp("/", `<current-user-principal><href>/${this.dsid}/principal/</href></current-user-principal>`)]);
    if (url.pathname === `/${this.dsid}/principal/`) {
      if (this.principalRedirect) return new Response(null, { status: 301, headers: { location: this.principalRedirect } });
      return this.ms([
        this.resp(
          url.pathname,
          `<C:calendar-home-set><href>${this.home}</href></C:calendar-home-set><C:calendar-user-address-set><href>mailto:${this.appleId}</href><href>/${this.dsid}/principal/</href></C:calendar-user-address-set>`,
        ),
      ]);
    }
    return new Response("", { status: 404 });
  }

  private partitionHost(req: Request, url: URL, body: string): Response {
    const m = new RegExp(`^/${this.dsid}/calendars/(?:([^/]+)/(?:([^/]+\\.ics))?)?$`).exec(url.pathname);
    if (!m) return new Response("", { status: 404 });
    const [, calName, item] = m;
    if (!calName) {
      if (req.method !== "PROPFIND") return new Response("", { status: 405 });
      const base = `/${this.dsid}/calendars/`;
      const out = [this.resp(base, `<resourcetype><collection/></resourcetype>`)];
      for (const c of this.calendars.values())
        out.push(
          this.resp(
            `${base}${c.name}/`,
            `<resourcetype><collection/><C:calendar/></resourcetype><displayname>${xmlEsc(c.display)}</displayname><C:supported-calendar-component-set>${c.comps.map((x) => `<C:comp name="${x}"/>`).join("")}</C:supported-calendar-component-set><current-user-privilege-set><privilege><read/></privilege><privilege><write/></privilege></current-user-privilege-set>`,
          ),
        );
      out.push(this.resp(`${base}inbox/`, `<resourcetype><collection/><C:schedule-inbox/></resourcetype>`));
      out.push(this.resp(`${base}notification/`, `<resourcetype><collection/><CS:notification/></resourcetype>`));
      return this.ms(out);
    }
    const cal = this.calendars.get(calName);
    if (!cal) return new Response("", { status: 404 });
    const calPath = `/${this.dsid}/calendars/${calName}/`;
    if (item) return this.object(req, cal, item, body);
    if (req.method === "PROPFIND")
      return this.ms([
        this.resp(calPath, `<CS:getctag>"ctag-${Math.max(0, ...[...cal.items.values()].map((r) => r.rev))}"</CS:getctag>${this.syncCollection ? `<sync-token>https://${this.partition}/sync/${this.maxRev(cal)}</sync-token>` : ""}`),
      ]);
    if (req.method === "REPORT") {
      if (body.includes("sync-collection")) {
        if (!this.syncCollection) return new Response("", { status: 501 });
        const tok = /<(?:\w+:)?sync-token>([^<]*)</.exec(body)?.[1] ?? "";
        const since = tok ? Number(/\/sync\/(\d+)$/.exec(tok)?.[1] ?? NaN) : 0;
        if (!Number.isFinite(since) || since > this.rev)
          return new Response(`<?xml version="1.0"?><error xmlns="DAV:"><valid-sync-token/></error>`, { status: 403, headers: { "content-type": "text/xml" } });
        let changes = [...cal.items.entries()].filter(([, r]) => r.rev > since).sort((a, b) => a[1].rev - b[1].rev);
        let token = this.maxRev(cal);
        const truncated = this.syncPageSize > 0 && changes.length > this.syncPageSize;
        if (truncated) {
          changes = changes.slice(0, this.syncPageSize);
          token = changes[changes.length - 1][1].rev;
        }
        const out = changes.map(([name, r]) => (r.deleted ? `<response><href>${calPath}${name}</href><status>HTTP/1.1 404 Not Found</status></response>` : this.resp(`${calPath}${name}`, `<getetag>${xmlEsc(r.etag)}</getetag>`)));
        if (truncated) out.push(`<response><href>${calPath}</href><status>HTTP/1.1 507 Insufficient Storage</status></response>`);
        return this.ms(out, `<sync-token>https://${this.partition}/sync/${token}</sync-token>`);
      }
      if (body.includes("calendar-multiget")) {
        const hrefs = [...body.matchAll(/<(?:\w+:)?href>([^<]+)</g)].map((x) => x[1]);
        return this.ms(
          hrefs.map((h) => {
            const r = cal.items.get(h.split("/").at(-1)!);
            if (!r || r.deleted) return `<response><href>${xmlEsc(h)}</href><status>HTTP/1.1 404 Not Found</status></response>`;
            return this.resp(h, `<getetag>${xmlEsc(r.etag)}</getetag><C:calendar-data>${xmlEsc(r.data)}</C:calendar-data>`);
          }),
        );
      }
      if (body.includes("calendar-query"))
        return this.ms([...cal.items.entries()].filter(([, r]) => !r.deleted).map(([name, r]) => this.resp(`${calPath}${name}`, `<getetag>${xmlEsc(r.etag)}</getetag><C:calendar-data>${xmlEsc(r.data)}</C:calendar-data>`)));
    }
    return new Response("", { status: 405 });
  }

  private maxRev(cal: Calendar) {
    return Math.max(1, ...[...cal.items.values()].map((r) => r.rev));
  }

  private object(req: Request, cal: Calendar, name: string, body: string): Response {
    const cur = cal.items.get(name);
    const exists = cur && !cur.deleted;
    const ifMatch = req.headers.get("if-match");
    const ifNoneMatch = req.headers.get("if-none-match");
    if (req.method === "GET")
      return exists ? new Response(cur.data, { headers: { etag: cur.etag, "content-type": "text/calendar; charset=utf-8" } }) : new Response("", { status: 404 });
    if (req.method === "PROPFIND")
      return exists ? this.ms([this.resp(new URL(req.url).pathname, `<getetag>${xmlEsc(cur.etag)}</getetag>`)]) : new Response("", { status: 404 });
    if (req.method === "PUT") {
      if (ifNoneMatch === "*" && exists) return new Response("", { status: 412 });
      if (ifMatch && (!exists || ifMatch !== cur.etag)) return new Response("", { status: 412 });
      if (!/BEGIN:VCALENDAR/.test(body)) return new Response("", { status: 400 });
      this.put(cal.name, name, body);
      // iCloud stored something else than it was sent: no ETag in the answer (RFC 4791 §5.3.4).
      return new Response(null, { status: exists ? 204 : 201 });
    }
    if (req.method === "DELETE") {
      if (!exists) return new Response("", { status: 404 });
      if (ifMatch && ifMatch !== cur.etag) return new Response("", { status: 412 });
      cur.deleted = true;
      cur.rev = ++this.rev;
      return new Response(null, { status: 204 });
    }
    return new Response("", { status: 405 });
  }
}

export function installICloudFake(fake: ICloudFake): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const host = new URL(req.url).hostname;
    if (host === ICLOUD_HOST || host === fake.partition) return fake.handle(req);
    return original(req);
  };
  return () => {
    globalThis.fetch = original;
  };
}
