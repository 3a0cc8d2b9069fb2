// CalDAV account discovery (RFC 6764 §6, RFC 4791 §6.2.1, RFC 5397):
//   /.well-known/caldav (or the URL given) → DAV:current-user-principal
//   → CALDAV:calendar-home-set (+ calendar-user-address-set: our own ATTENDEE addresses)
//   → PROPFIND Depth 1 on the home → calendars.
// Only calendars whose supported-calendar-component-set includes VEVENT can hold
// appointments or busy time; the others (iCloud's "Reminders" lists are VTODO-only)
// are returned separately with the reason, so the settings page can say why they are hidden.
// iCloud answers the principal on caldav.icloud.com and puts the home on the account's
// own host (https://pNN-caldav.icloud.com/…): that origin is remembered as allowed.
import { NotFoundError, PermanentError, ConflictError } from "../http";
import type { ExternalCalendar } from "../provider";
import { canWrite, componentsOf, davPropfind, hrefs, isCalendar, text } from "./dav";
import type { DavTransport } from "./transport";

export const ICLOUD_SERVER = "https://caldav.icloud.com/";

export interface CalDavAccount {
  serverUrl: string;
  username: string;
  principalUrl: string;
  homeUrl: string;
  /** mailto: addresses of the account (declined invitations do not block). */
  addresses: string[];
  /** Origins discovery settled on (redirect targets allowed later). */
  origins: string[];
}

export interface HiddenCalendar {
  id: string;
  summary: string;
  reason: string;
}

export class DiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DiscoveryError";
  }
}

async function principalOf(t: DavTransport, serverUrl: string): Promise<string> {
  const u = new URL(serverUrl);
  const wellKnown = `${u.origin}/.well-known/caldav`;
  const candidates = u.pathname === "/" || u.pathname === "" ? [wellKnown, u.href] : [u.href, wellKnown];
  for (const url of candidates) {
    try {
      const rs = await davPropfind(t.fetch, url, { "d:current-user-principal": {} }, "0");
      const href = rs.map((r) => hrefs(r.props.currentUserPrincipal)[0]).find(Boolean);
      if (href) return new URL(href, t.lastUrl || url).href;
    } catch (err) {
      // Not a DAV endpoint here (404/405/403): try the next candidate.
      if (err instanceof NotFoundError || err instanceof PermanentError || err instanceof ConflictError) continue;
      throw err;
    }
  }
  throw new DiscoveryError("No CalDAV account was found at this address (no current-user-principal).");
}

export async function discoverAccount(t: DavTransport, serverUrl: string, username: string): Promise<CalDavAccount> {
  t.allowOrigin(serverUrl);
  const principalUrl = await principalOf(t, serverUrl);
  t.allowOrigin(principalUrl);
  const rs = await davPropfind(t.fetch, principalUrl, { "c:calendar-home-set": {}, "c:calendar-user-address-set": {} }, "0");
  const base = t.lastUrl || principalUrl;
  const home = rs.map((r) => hrefs(r.props.calendarHomeSet)[0]).find(Boolean);
  if (!home) throw new DiscoveryError("The account has no calendar home (calendar-home-set).");
  const homeUrl = new URL(home, base).href;
  t.allowOrigin(homeUrl);
  const addresses = rs.flatMap((r) => hrefs(r.props.calendarUserAddressSet)).filter((a) => /^mailto:/i.test(a));
  if (!addresses.length && username.includes("@")) addresses.push(`mailto:${username}`);
  return { serverUrl, username, principalUrl, homeUrl, addresses, origins: [...t.origins] };
}

/** The calendars in a home: usable (VEVENT) ones and hidden ones with the reason. */
export async function listCalendarsAt(t: DavTransport, homeUrl: string): Promise<{ usable: ExternalCalendar[]; hidden: HiddenCalendar[] }> {
  const rs = await davPropfind(
    t.fetch,
    homeUrl,
    {
      "d:resourcetype": {},
      "d:displayname": {},
      "c:supported-calendar-component-set": {},
      "d:current-user-privilege-set": {},
      "c:calendar-timezone": {},
    },
    "1",
  );
  const base = t.lastUrl || homeUrl;
  const usable: ExternalCalendar[] = [];
  const hidden: HiddenCalendar[] = [];
  for (const r of rs) {
    if (!isCalendar(r.props)) continue;
    const id = new URL(r.href, base).href;
    const summary = (text(r.props.displayname) ?? "").slice(0, 200) || decodeURIComponent(new URL(id).pathname.split("/").filter(Boolean).pop() ?? "Calendar");
    const comps = componentsOf(r.props);
    if (comps.length && !comps.includes("VEVENT")) {
      hidden.push({ id, summary, reason: `holds only ${comps.join(", ")} (reminders or tasks), not events` });
      continue;
    }
    usable.push({ id, summary, primary: usable.length === 0, canWrite: canWrite(r.props), timeZone: null });
  }
  return { usable, hidden };
}
