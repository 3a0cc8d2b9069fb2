// Subscribable per-doctor feeds: GET /feeds/<token>.ics, no session.
//
// Cost model of a poll of an unchanged feed (what calendar apps do all day):
//   sha256(token) → one indexed D1 read (doctors.feed_token_hash, joined with the
//   clinic) → one DoctorHub RPC (calendarVersion) → ETag compare (304) or a
//   Cache API hit. Rendering happens only when the ETag changes.
// The ETag is a hash of everything the body depends on: token hash, the
// doctor's calendar version (bumped by DoctorHub.publish on every change), the
// UTC day (the window slides daily), privacy, names/address/reminders and the
// renderer version. So a change anywhere gives a new ETag and a new cache key:
// nothing needs purging, stale entries just expire.
// Wrong or rotated tokens: the lookup is by SHA-256 of the token, so response
// time does not depend on how much of a guess matches a real token → 404.
import type { Env } from "../env";
import { sha256Hex } from "../ids";
import { loadAppointments, parseReminders } from "./data";
import { renderCalendarMemo } from "./memo-render";
import type { IcsClinic, Privacy } from "./render";

/** Bump when the rendered output changes for the same data (invalidates every cached feed). */
export const FEED_FORMAT = 3; // 3: ambiguous DST-overlap times in UTC, final CRLF
export const FEED_DAYS_BACK = 30;
export const FEED_DAYS_AHEAD = 365;
/** REFRESH-INTERVAL / X-PUBLISHED-TTL: a hint to clients; our 304s make polling cheap anyway. */
export const FEED_TTL_SECONDS = 15 * 60;
/** How long a rendered body may live in the Cache API (a new ETag makes it unreachable sooner). */
const CACHE_SECONDS = 24 * 3600;
const CACHE_ORIGIN = "https://feed-cache.acms.invalid";
const TOKEN_RE = /^[A-Za-z0-9_-]{16,128}$/;

export interface FeedRow {
  doctorId: string;
  doctorName: string;
  privacy: Privacy;
  clinic: IcsClinic;
}

export async function feedByTokenHash(d1: D1Database, hash: string): Promise<FeedRow | null> {
  const r = await d1
    .prepare(
      "SELECT d.id, d.name, d.feed_privacy, c.id AS clinic_id, c.name AS clinic_name, c.time_zone, c.address, c.domain, c.reminder_minutes " +
        "FROM doctors d JOIN clinics c ON c.id = d.clinic_id WHERE d.feed_token_hash = ? AND d.feed_enabled = 1 AND d.active = 1",
    )
    .bind(hash)
    .first<{
      id: string;
      name: string;
      feed_privacy: "busy" | "minimal";
      clinic_id: string;
      clinic_name: string;
      time_zone: string;
      address: string;
      domain: string;
      reminder_minutes: string;
    }>();
  if (!r) return null;
  return {
    doctorId: r.id,
    doctorName: r.name,
    privacy: r.feed_privacy === "minimal" ? "minimal" : "busy",
    clinic: {
      id: r.clinic_id,
      name: r.clinic_name,
      timeZone: r.time_zone,
      address: r.address,
      domain: r.domain,
      reminderMinutes: parseReminders(r.reminder_minutes),
    },
  };
}

/** Days back/ahead from env (FEED_DAYS_BACK / FEED_DAYS_AHEAD), clamped to 0–3650, else the defaults. */
export function feedDays(env: Pick<Env, "FEED_DAYS_BACK" | "FEED_DAYS_AHEAD">): { back: number; ahead: number } {
  const num = (v: string | undefined, d: number) => {
    const n = Number(v);
    return v != null && v !== "" && Number.isInteger(n) && n >= 0 && n <= 3650 ? n : d;
  };
  return { back: num(env.FEED_DAYS_BACK, FEED_DAYS_BACK), ahead: num(env.FEED_DAYS_AHEAD, FEED_DAYS_AHEAD) };
}

export function feedWindow(nowMs: number, days = { back: FEED_DAYS_BACK, ahead: FEED_DAYS_AHEAD }): { fromMs: number; toMs: number } {
  const day = 86400_000;
  const today = Math.floor(nowMs / day) * day;
  return { fromMs: today - days.back * day, toMs: today + (days.ahead + 1) * day };
}

export async function renderFeed(env: Env, feed: FeedRow, nowMs: number): Promise<string> {
  const { fromMs, toMs } = feedWindow(nowMs, feedDays(env));
  // Every status, cancelled included: subscribed clients need STATUS:CANCELLED to drop the event.
  const appointments = await loadAppointments(env.DB, { clinicId: feed.clinic.id, doctorId: feed.doctorId, fromMs, toMs });
  return renderCalendarMemo({
    clinic: feed.clinic,
    appointments,
    privacy: feed.privacy,
    appUrl: env.APP_URL,
    calendarName: `${feed.doctorName} - ${feed.clinic.name}`,
    ttlSeconds: FEED_TTL_SECONDS,
    compact: true,
  });
}

/** Weak comparison (RFC 9110 §8.8.3.2), as If-None-Match requires. */
function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  const want = etag.replace(/^W\//, "");
  return header.split(",").some((t) => {
    const v = t.trim().replace(/^W\//, "");
    return v === "*" || v === want;
  });
}

function baseHeaders(etag: string, lastModified: string): Headers {
  return new Headers({
    "content-type": "text/calendar; charset=utf-8",
    "content-disposition": 'inline; filename="calendar.ics"',
    etag,
    "last-modified": lastModified,
    // Clients should revalidate (cheap 304); shared caches must not keep a doctor's schedule.
    "cache-control": "private, max-age=0, must-revalidate",
    vary: "accept-encoding",
    "x-robots-tag": "noindex",
    "referrer-policy": "no-referrer",
  });
}

const notFoundResponse = () =>
  new Response(JSON.stringify({ error: { code: "not_found", message: "Feed not found." } }), {
    status: 404,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

export interface FeedDeps {
  env: Env;
  waitUntil(p: Promise<unknown>): void;
  /** The Cache API cache; caches.default in production. */
  cache?: Cache;
  now?: number;
}

/** Answers GET /feeds/<token>.ics. */
export async function serveFeed(req: Request, token: string, deps: FeedDeps): Promise<Response> {
  const { env } = deps;
  const now = deps.now ?? Date.now();
  if (!TOKEN_RE.test(token)) return notFoundResponse();
  const hash = await sha256Hex(token);
  const feed = await feedByTokenHash(env.DB, hash);
  if (!feed) return notFoundResponse();
  const hub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(feed.doctorId));
  const version = await hub.calendarVersion();
  const day = Math.floor(now / 86400_000);
  const c = feed.clinic;
  const key = (
    await sha256Hex(
      [FEED_FORMAT, hash, version, day, JSON.stringify(feedDays(env)), feed.privacy, feed.doctorName, c.name, c.timeZone, c.address, c.domain, c.reminderMinutes.join(","), env.APP_URL].join("\u0000"),
    )
  ).slice(0, 32);
  // Weak: the same feed is sent gzip or identity; both are semantically equal.
  const etag = `W/"${key}"`;
  const cache = deps.cache ?? (globalThis.caches as CacheStorage & { default: Cache } | undefined)?.default;
  const cacheKey = new Request(`${CACHE_ORIGIN}/${hash}/${key}`);

  const ifNoneMatch = req.headers.get("if-none-match");
  if (etagMatches(ifNoneMatch, etag)) {
    // If-Modified-Since is ignored when If-None-Match is present (RFC 9110 §13.1.3).
    return new Response(null, { status: 304, headers: { etag, "cache-control": "private, max-age=0, must-revalidate" } });
  }

  const gzipOk = acceptsGzip(clientAcceptEncoding(req));
  const hit = cache ? await cache.match(cacheKey) : undefined;
  if (hit?.body) {
    const lastModified = hit.headers.get("last-modified") ?? new Date(now).toUTCString();
    const ims = req.headers.get("if-modified-since");
    if (!ifNoneMatch && ims && Date.parse(ims) >= Date.parse(lastModified)) {
      await hit.body.cancel();
      return new Response(null, { status: 304, headers: { etag, "last-modified": lastModified } });
    }
    const headers = baseHeaders(etag, lastModified);
    headers.set("x-acms-feed-cache", "hit");
    // The cached body is gzip: pass it through untouched (no JS touches the bytes),
    // or inflate it for the rare client that does not take gzip.
    if (gzipOk) {
      headers.set("content-encoding", "gzip");
      return new Response(hit.body, { status: 200, headers, encodeBody: "manual" });
    }
    return new Response(hit.body.pipeThrough(new DecompressionStream("gzip")), { status: 200, headers });
  }

  const body = await renderFeed(env, feed, now);
  const lastModified = new Date(Math.floor(now / 1000) * 1000).toUTCString();
  const gz = await gzip(body);
  if (cache) {
    // Stored without Content-Encoding so the cache keeps our bytes as they are.
    const stored = new Response(gz, { headers: { "content-type": "application/octet-stream", "last-modified": lastModified, "cache-control": `public, max-age=${CACHE_SECONDS}` } });
    deps.waitUntil(cache.put(cacheKey, stored).catch((err) => console.error("feed cache put failed", err)));
  }
  const headers = baseHeaders(etag, lastModified);
  headers.set("x-acms-feed-cache", "miss");
  if (gzipOk) {
    headers.set("content-encoding", "gzip");
    return new Response(gz, { status: 200, headers, encodeBody: "manual" });
  }
  return new Response(body, { status: 200, headers });
}

/**
 * What the client itself sent as Accept-Encoding. Cloudflare rewrites the header to
 * "br, gzip" before the Worker runs (and so does the local runtime, miniflare), whatever
 * the client sent or did not send; the original value travels in
 * request.cf.clientAcceptEncoding (set when the header was modified; miniflare sets
 * "" for a client that sent none). So a curl or a calendar client without
 * Accept-Encoding would get gzip bytes it never asked for if we read the header.
 */
export function clientAcceptEncoding(req: Request): string | null {
  const cf = (req as Request & { cf?: { clientAcceptEncoding?: unknown } }).cf;
  if (cf && typeof cf.clientAcceptEncoding === "string") return cf.clientAcceptEncoding;
  return req.headers.get("accept-encoding");
}

/** RFC 9110 §12.5.3: gzip (or x-gzip, or *) with a non-zero weight. No header or "identity" → false. */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  return header.split(",").some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (name !== "gzip" && name !== "x-gzip" && name !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return !q || Number(q.slice(2)) > 0;
  });
}

/** A 5,000-event feed (~2 MB of text) is ~10x smaller gzipped: cheaper to cache and to send. */
async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}
