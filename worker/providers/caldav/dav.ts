// Thin typed wrappers over tsdav's request helpers (propfind / davRequest / createObject
// / updateObject / deleteObject): tsdav writes the WebDAV XML and parses multistatus;
// these turn its camelCased, number-coerced objects into small typed records.
// Why tsdav's helpers and not its DAVClient: the client object keeps its own auth and
// fetch and hides HTTP statuses, while CalDAV sync needs every status (207 per href,
// 404 removed, 412 precondition, 403/409 valid-sync-token) and every URL guarded.
import { davRequest, propfind } from "tsdav";

export type DavFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface DavResponse {
  href: string;
  status: number;
  props: Record<string, any>;
  raw: any;
}

const asArray = <T>(v: T | T[] | undefined | null): T[] => (v == null ? [] : Array.isArray(v) ? v : [v]);
export const text = (v: unknown): string | null => (v == null || typeof v === "object" ? null : String(v));
/** A DAV:href-bearing property: `{href: "..."}` or `{href: ["..."]}`. */
export const hrefs = (v: any): string[] => asArray(v?.href).map((h) => String(h));

function normalize(rs: any[]): DavResponse[] {
  return rs.filter((r) => r.href != null).map((r) => ({ href: String(r.href), status: r.status ?? 0, props: r.props ?? {}, raw: r.raw }));
}

export async function davPropfind(fetch: DavFetch, url: string, props: Record<string, unknown>, depth: "0" | "1"): Promise<DavResponse[]> {
  return normalize(await propfind({ url, props, depth, fetch } as any));
}

/** A REPORT (sync-collection, calendar-multiget, calendar-query); also returns the multistatus-level sync-token. */
export async function davReport(fetch: DavFetch, url: string, body: Record<string, unknown>, depth?: "0" | "1"): Promise<{ responses: DavResponse[]; syncToken: string | null }> {
  const rs: any[] = await davRequest({
    url,
    init: { method: "REPORT", namespace: "d", headers: depth ? { depth } : {}, body },
    fetch,
  } as any);
  const raw = rs[0]?.raw;
  return { responses: normalize(rs), syncToken: text(raw?.multistatus?.syncToken) };
}

export const NS = {
  d: "DAV:",
  c: "urn:ietf:params:xml:ns:caldav",
  cs: "http://calendarserver.org/ns/",
};

export function syncCollectionBody(token: string) {
  return {
    "sync-collection": {
      _attributes: { "xmlns:d": NS.d },
      "sync-token": token,
      "sync-level": 1,
      prop: { getetag: {} },
    },
  };
}

export function multigetBody(paths: string[]) {
  return {
    "c:calendar-multiget": {
      _attributes: { "xmlns:d": NS.d, "xmlns:c": NS.c },
      prop: { getetag: {}, "c:calendar-data": {} },
      href: paths,
    },
  };
}

const utcStamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

export function calendarQueryBody(startMs: number, endMs: number, withData: boolean) {
  return {
    "c:calendar-query": {
      _attributes: { "xmlns:d": NS.d, "xmlns:c": NS.c },
      prop: withData ? { getetag: {}, "c:calendar-data": {} } : { getetag: {} },
      "c:filter": {
        "c:comp-filter": {
          _attributes: { name: "VCALENDAR" },
          "c:comp-filter": {
            _attributes: { name: "VEVENT" },
            "c:time-range": { _attributes: { start: utcStamp(startMs), end: utcStamp(endMs) } },
          },
        },
      },
    },
  };
}

/** Component names a calendar accepts (RFC 4791 supported-calendar-component-set); [] when the server does not say. */
export function componentsOf(props: Record<string, any>): string[] {
  return asArray(props.supportedCalendarComponentSet?.comp).map((c: any) => String(c?._attributes?.name ?? "").toUpperCase()).filter(Boolean);
}

export const isCalendar = (props: Record<string, any>) => props.resourcetype != null && typeof props.resourcetype === "object" && "calendar" in props.resourcetype;

/** False when the server lists privileges and none of them allows writing content. */
export function canWrite(props: Record<string, any>): boolean {
  const set = props.currentUserPrivilegeSet;
  if (!set) return true;
  const names = asArray(set.privilege).flatMap((p: any) => (p && typeof p === "object" ? Object.keys(p) : []));
  return names.some((n) => n === "all" || n === "write" || n === "writeContent" || n === "bind");
}
