// Which URLs the CalDAV client may call. A doctor types a server URL, and a server
// answers with redirects and hrefs: none of that may turn the Worker into a proxy
// for arbitrary hosts (SSRF). Interim guard until the shared worker/net/safe-fetch.ts
// lands (then this file delegates to it; the rules below are the CalDAV-specific part).
//   - https only; plain http only for a loopback host AND only when the dev/test flag
//     CALDAV_ALLOW_HTTP_LOOPBACK=1 is set (the Radicale test server).
//   - no user-info in the URL, no IP literals in private, loopback, link-local, CGNAT,
//     unique-local or multicast ranges, no "localhost"/".local"/".internal"/single-label hosts.
//   - redirects: only to a URL that passes the rules above AND is on the same registrable
//     domain as where we were (caldav.icloud.com → p42-caldav.icloud.com) or on the server
//     discovery already settled on.
// Workers cannot resolve DNS before fetching, so a public name pointing at a private
// address is not caught here; Cloudflare's egress does not reach private networks.

export class UnsafeUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeUrlError";
  }
}

export interface GuardEnv {
  CALDAV_ALLOW_HTTP_LOOPBACK?: string;
}

const isLoopbackHost = (h: string) => h === "localhost" || h === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);

function privateIPv4(h: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 || a === 10 || a === 127 || a >= 224 ||
    (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19))
  );
}

function privateIPv6(h: string): boolean {
  if (!h.startsWith("[")) return false;
  const v = h.slice(1, -1).toLowerCase();
  // Any IPv6 literal that is loopback, unspecified, link-local, unique-local, multicast or IPv4-mapped.
  return v === "::1" || v === "::" || /^fe[89ab]/.test(v) || /^f[cd]/.test(v) || v.startsWith("ff") || v.includes("::ffff:") || v.startsWith("64:ff9b");
}

/** Throws UnsafeUrlError unless the CalDAV client may call this URL. Returns the parsed URL. */
export function checkServerUrl(raw: string, env: GuardEnv): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UnsafeUrlError("The server address is not a valid URL.");
  }
  if (u.username || u.password) throw new UnsafeUrlError("The server address must not contain a user name or password.");
  const host = u.hostname.toLowerCase();
  const loopback = isLoopbackHost(host);
  const allowLoopback = env.CALDAV_ALLOW_HTTP_LOOPBACK === "1";
  if (loopback) {
    if (!allowLoopback) throw new UnsafeUrlError("The server address points to this machine.");
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new UnsafeUrlError("The server address must start with https://.");
    return u;
  }
  if (u.protocol !== "https:") throw new UnsafeUrlError("The server address must start with https://.");
  if (privateIPv4(host) || privateIPv6(host)) throw new UnsafeUrlError("The server address points to a private or reserved network.");
  if (!host.includes(".") || /\.(local|internal|localhost|lan|home\.arpa)$/.test(host)) throw new UnsafeUrlError("The server address is not a public host name.");
  return u;
}

// Second-level labels under country codes that act as public suffixes (co.uk, com.au, …).
const SECOND_LEVEL = new Set(["co", "com", "org", "net", "ac", "gov", "edu", "or", "ne"]);

/** The registrable domain (approximation without the full Public Suffix List). */
export function registrableDomain(host: string): string {
  if (/^[\d.]+$/.test(host) || host.startsWith("[")) return host;
  const parts = host.toLowerCase().split(".");
  const n = parts.length >= 3 && parts[parts.length - 1].length === 2 && SECOND_LEVEL.has(parts[parts.length - 2]) ? 3 : 2;
  return parts.slice(-n).join(".");
}

/** May we follow a redirect from `from` to `to`? (`allowedOrigins`: servers discovery settled on.) */
export function checkRedirect(from: URL, to: string, env: GuardEnv, allowedOrigins: string[] = []): URL {
  const next = checkServerUrl(to, env);
  if (from.protocol === "https:" && next.protocol !== "https:") throw new UnsafeUrlError("The server redirected from https to http.");
  if (next.origin === from.origin || allowedOrigins.includes(next.origin)) return next;
  if (next.protocol === "https:" && registrableDomain(next.hostname) === registrableDomain(from.hostname)) return next;
  throw new UnsafeUrlError(`The server redirected to another domain (${next.hostname}).`);
}
