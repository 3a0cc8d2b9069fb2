// Outbound fetches to URLs that users type in (calendar URL import, CalDAV servers):
// the one guard against server-side request forgery (SSRF). See docs/security.md.
//
//   checkDestination(url, opts)  → the parsed URL, or throws UnsafeUrlError
//   safeFetch(url, init, opts)   → fetch that re-checks every redirect hop, caps the
//                                  number of redirects, the time and the bytes read
//
// What is refused: anything but https (http only to loopback, and only with the
// explicit dev/test option); user:password@ in the URL; host names that name this
// machine or a private network (localhost, *.localhost, *.internal — which includes
// metadata.google.internal —, *.local, *.home.arpa, *.arpa, names without a dot);
// and IP literals that are not public unicast: loopback, private (RFC 1918), link-local
// (incl. 169.254.169.254 metadata), CGNAT 100.64/10, 0.0.0.0/8, multicast, broadcast,
// documentation and reserved ranges, IPv6 ::1, ::, fc00::/7, fe80::/10, fec0::/10, ff00::/8,
// IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96) forms, NAT64, 6to4 and Teredo
// (which embed an IPv4 address). Decimal, octal and hex IPv4 spellings (2130706433,
// 0177.0.0.1, 0x7f.1) are normalised by the WHATWG URL parser and again by ipaddr.js.
//
// Why ipaddr.js: the maintained, dependency-free address library (express's proxy-addr
// uses it) with the IANA special-purpose ranges as data; hand-written CIDR tables are
// where SSRF guards usually have their holes.
//
// What a Worker cannot do: resolve DNS itself. A public name that resolves to a private
// address (attacker-controlled DNS, "127.0.0.1.nip.io") passes checkDestination. In
// production the fetch leaves through Cloudflare's network, which does not route to
// private, loopback or link-local space, so such a request fails there. Under
// `wrangler dev` fetch runs on the developer's machine, hence the optional
// DNS-over-HTTPS check (opts.dohUrl): it resolves A and AAAA first and refuses private
// answers. It is best effort (the answer can change between the check and the fetch:
// DNS rebinding), which is why production relies on the platform's egress as well.
import ipaddr from "ipaddr.js";

export interface SafeFetchOptions {
  /** Dev/test only: allow loopback destinations, and plain http to them. Never in production. */
  allowLoopback?: boolean;
  /** Redirects followed at most (each re-checked). Default 5. */
  maxRedirects?: number;
  /** Response bytes read at most; the body stream errors after that. Default 5 MiB. */
  maxBytes?: number;
  /** Total time for all hops and the body. Default 10 s. */
  timeoutMs?: number;
  /** DNS-over-HTTPS JSON endpoint (e.g. https://cloudflare-dns.com/dns-query): resolve names and refuse private answers. */
  dohUrl?: string;
}

export type UnsafeReason =
  | "invalid_url"
  | "scheme"
  | "credentials"
  | "host_name"
  | "address"
  | "too_many_redirects"
  | "bad_redirect"
  | "too_large"
  | "dns";

/** The destination is not allowed, or the response broke a limit. `message` is safe to show the user. */
export class UnsafeUrlError extends Error {
  constructor(
    readonly reason: UnsafeReason,
    message: string,
  ) {
    super(message);
    this.name = "UnsafeUrlError";
  }
}

export const SAFE_FETCH_DEFAULTS = { maxRedirects: 5, maxBytes: 5 * 1024 * 1024, timeoutMs: 10_000 } as const;

const BLOCKED_SUFFIXES = [".localhost", ".internal", ".local", ".home.arpa", ".arpa"];
const REFUSE_NAME = "This server name points into a private network; only public servers can be reached.";

/** The ipaddr.js range of a literal address, or null when `host` is not an IP literal. */
function addressRange(host: string): { addr: ipaddr.IPv4 | ipaddr.IPv6; range: string } | null {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(bare)) return null;
  const addr = ipaddr.parse(bare);
  let range: string = addr.range();
  // ::/96 "IPv4-compatible" addresses (deprecated) are still routed to the embedded
  // IPv4 address by some stacks; ipaddr.js calls them unicast.
  if (addr.kind() === "ipv6" && range === "unicast" && (addr as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0)) range = "ipv4Compatible";
  return { addr, range };
}

const isLoopbackName = (h: string) => h === "localhost" || h.endsWith(".localhost");

/** Whether a destination host (name or literal) is acceptable; throws UnsafeUrlError if not. Exported for tests and CalDAV forms. */
export function checkHost(hostname: string, opts: SafeFetchOptions = {}): { loopback: boolean } {
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  if (!host) throw new UnsafeUrlError("host_name", "The URL has no server name.");
  const lit = addressRange(host);
  if (lit) {
    if (lit.range === "unicast") return { loopback: false };
    if (lit.range === "loopback" && opts.allowLoopback) return { loopback: true };
    throw new UnsafeUrlError("address", `The address ${lit.addr.toString()} is not a public internet address (${lit.range}); only public servers can be reached.`);
  }
  if (isLoopbackName(host)) {
    if (opts.allowLoopback) return { loopback: true };
    throw new UnsafeUrlError("host_name", REFUSE_NAME);
  }
  if (!host.includes(".") || BLOCKED_SUFFIXES.some((s) => host.endsWith(s)))
    throw new UnsafeUrlError("host_name", REFUSE_NAME);
  return { loopback: false };
}

/** Parses and checks a URL without any network access. Throws UnsafeUrlError; returns the URL to fetch. */
export function checkDestination(url: string | URL, opts: SafeFetchOptions = {}): URL {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    throw new UnsafeUrlError("invalid_url", "This is not a valid URL.");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new UnsafeUrlError("scheme", "Only https:// URLs can be fetched.");
  if (u.username || u.password) throw new UnsafeUrlError("credentials", "Put no user name or password in the URL.");
  const { loopback } = checkHost(u.hostname, opts);
  if (u.protocol === "http:" && !loopback) throw new UnsafeUrlError("scheme", "Only https:// URLs can be fetched.");
  return u;
}

/** Best-effort DNS check through DNS-over-HTTPS (JSON API): every A/AAAA answer must be public. */
async function checkResolved(u: URL, opts: SafeFetchOptions, signal: AbortSignal): Promise<void> {
  if (!opts.dohUrl || addressRange(u.hostname)) return;
  for (const type of ["A", "AAAA"]) {
    const q = new URL(opts.dohUrl);
    q.searchParams.set("name", u.hostname);
    q.searchParams.set("type", type);
    let answers: { type: number; data: string }[] = [];
    try {
      const res = await fetch(q, { headers: { accept: "application/dns-json" }, signal });
      const body = (await res.json()) as { Status?: number; Answer?: { type: number; data: string }[] };
      answers = body.Answer ?? [];
    } catch {
      throw new UnsafeUrlError("dns", "The server name could not be checked (DNS lookup failed).");
    }
    for (const a of answers) if (a.type === 1 || a.type === 28) checkHost(a.data, opts); // 1 = A, 28 = AAAA; CNAMEs are followed by the resolver
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/** A body stream that errors once more than `max` bytes went through (the rest is never downloaded). */
function capped(body: ReadableStream<Uint8Array> | null, max: number): ReadableStream<Uint8Array> | null {
  if (!body) return null;
  const reader = body.getReader();
  let total = 0;
  return new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      const { done, value } = await reader.read();
      if (done) return ctrl.close();
      const room = max - total;
      total += value.byteLength;
      if (total > max) {
        if (room > 0) ctrl.enqueue(value.subarray(0, room));
        await reader.cancel();
        ctrl.error(new UnsafeUrlError("too_large", `The response is larger than ${max} bytes.`));
        return;
      }
      ctrl.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * fetch() for user-supplied URLs: checks the destination, follows redirects by hand
 * (redirect: "manual"), checking every hop and dropping credentials when the origin
 * changes, stops after maxRedirects, and caps time and bytes. Network errors and
 * timeouts surface as fetch's own errors; guard violations as UnsafeUrlError.
 */
export async function safeFetch(url: string | URL, init: RequestInit = {}, opts: SafeFetchOptions = {}): Promise<Response> {
  const maxRedirects = opts.maxRedirects ?? SAFE_FETCH_DEFAULTS.maxRedirects;
  const maxBytes = opts.maxBytes ?? SAFE_FETCH_DEFAULTS.maxBytes;
  const deadline = AbortSignal.timeout(opts.timeoutMs ?? SAFE_FETCH_DEFAULTS.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
  let current = checkDestination(url, opts);
  let method = (init.method ?? "GET").toUpperCase();
  let body = init.body;
  const headers = new Headers(init.headers);
  const origin = current.origin;
  for (let hop = 0; ; hop++) {
    await checkResolved(current, opts, signal);
    // globalThis.fetch is read per call (tests route it; see test/fakes/google/router.ts).
    const res = await globalThis.fetch(current.toString(), { ...init, method, body, headers, redirect: "manual", signal });
    if (!REDIRECTS.has(res.status)) {
      return new Response(capped(res.body, maxBytes), { status: res.status, statusText: res.statusText, headers: res.headers });
    }
    await res.body?.cancel();
    const location = res.headers.get("location");
    if (!location) throw new UnsafeUrlError("bad_redirect", `The server answered ${res.status} without a Location.`);
    if (hop >= maxRedirects) throw new UnsafeUrlError("too_many_redirects", `The server redirected more than ${maxRedirects} times.`);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new UnsafeUrlError("bad_redirect", "The server redirected to an invalid URL.");
    }
    next = checkDestination(next, opts);
    // An https page must not be able to send us to plain http (even on loopback in dev).
    if (current.protocol === "https:" && next.protocol !== "https:") throw new UnsafeUrlError("scheme", "The server redirected to a non-https URL.");
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
      headers.delete("content-type");
      headers.delete("content-length");
    }
    if (next.origin !== origin) for (const h of CREDENTIAL_HEADERS) headers.delete(h);
    current = next;
  }
}
