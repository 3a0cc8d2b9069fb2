// Which URLs the CalDAV client may call. A doctor types a server URL, and a server
// answers with redirects and hrefs: none of that may turn the Worker into a proxy
// for arbitrary hosts (SSRF).
//   - Every URL (typed, discovered, redirected to) passes the shared guard
//     worker/net/safe-fetch.ts checkDestination: https only (plain http only to loopback
//     and only with the dev/test flag CALDAV_ALLOW_HTTP_LOOPBACK=1, i.e. Radicale in
//     tests), no user-info, no private/loopback/link-local/reserved addresses or names.
//   - CalDAV adds a stricter redirect rule than safeFetch's: a redirect is followed only
//     to the same registrable domain as where we were (caldav.icloud.com →
//     p42-caldav.icloud.com) or to a server discovery already settled on; never from
//     https to http. That is why the transport follows redirects itself instead of
//     calling safeFetch (whose hops cannot be vetoed from outside).
import { checkDestination, UnsafeUrlError } from "../../net/safe-fetch";

export { UnsafeUrlError };

export interface GuardEnv {
  CALDAV_ALLOW_HTTP_LOOPBACK?: string;
}

/** Throws UnsafeUrlError unless the CalDAV client may call this URL. Returns the parsed URL. */
export function checkServerUrl(raw: string, env: GuardEnv): URL {
  return checkDestination(raw, { allowLoopback: env.CALDAV_ALLOW_HTTP_LOOPBACK === "1" });
}

// Second-level labels under country codes that act as public suffixes (co.uk, com.au, …).
const SECOND_LEVEL = new Set(["co", "com", "org", "net", "ac", "gov", "edu", "or", "ne"]);

/** The registrable domain (an approximation of the Public Suffix List, enough to keep redirects on one provider). */
export function registrableDomain(host: string): string {
  if (/^[\d.]+$/.test(host) || host.startsWith("[")) return host;
  const parts = host.toLowerCase().split(".");
  const n = parts.length >= 3 && parts[parts.length - 1].length === 2 && SECOND_LEVEL.has(parts[parts.length - 2]) ? 3 : 2;
  return parts.slice(-n).join(".");
}

/** May we follow a redirect from `from` to `to`? (`allowedOrigins`: servers discovery settled on.) */
export function checkRedirect(from: URL, to: string, env: GuardEnv, allowedOrigins: string[] = []): URL {
  const next = checkServerUrl(to, env);
  if (from.protocol === "https:" && next.protocol !== "https:") throw new UnsafeUrlError("scheme", "The server redirected from https to http.");
  if (next.origin === from.origin || allowedOrigins.includes(next.origin)) return next;
  if (next.protocol === "https:" && registrableDomain(next.hostname) === registrableDomain(from.hostname)) return next;
  throw new UnsafeUrlError("bad_redirect", `The server redirected to another domain (${next.hostname}).`);
}
