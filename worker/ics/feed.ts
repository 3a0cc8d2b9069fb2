// Subscribable per-doctor feeds: GET /feeds/<token>.ics, no session.
//
// A request never renders (issue #18). Cost of any poll, whatever the feed's size:
//   sha256(token) → ONE indexed D1 query (doctors.feed_token_hash joined with the clinic and
//   the stored body, feed_bodies) → 304 when the client's ETag is the stored one (the body is
//   not even transferred), else the stored gzip bytes passed through (or inflated natively for
//   a client that does not take gzip). The body is kept up to date by the doctor's DoctorHub
//   right after every change (feed-store.ts, feed-refresh.ts). No Durable Object request and
//   no Cache API on the poll path (the Cache API does not work on *.workers.dev anyway).
// Only when no body of the feed's privacy is stored yet (a feed created a moment ago whose
// build failed, a body too big for a D1 row) does the request render, once, and ask the hub to store it.
// Wrong or rotated tokens: the lookup is by SHA-256 of the token, so response
// time does not depend on how much of a guess matches a real token → 404.
import type { Env } from "../env";
import { sha256Hex } from "../ids";
import { type FeedRow, feedDays, feedWindow, FEED_FORMAT, FEED_DAYS_AHEAD, FEED_DAYS_BACK, FEED_TTL_SECONDS } from "./feed-shape";
import { etagOf, feedShape, gzip, lookupFeed, renderFeed } from "./feed-store";
import { feedPollDue, recordFeedPoll } from "../analytics/feed-polls";

export { type FeedRow, feedDays, feedWindow, FEED_FORMAT, FEED_DAYS_AHEAD, FEED_DAYS_BACK, FEED_TTL_SECONDS };

const TOKEN_RE = /^[A-Za-z0-9_-]{16,128}$/;

/** Weak comparison (RFC 9110 §8.8.3.2), as If-None-Match requires. */
function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  const want = etag.replace(/^W\//, "");
  return header.split(",").some((t) => {
    const v = t.trim().replace(/^W\//, "");
    return v === "*" || v === want;
  });
}

/** The stored-ETag key the client names when it sends exactly one of ours; null otherwise (compared after the lookup). */
function singleEtagKey(header: string | null): string | null {
  const m = header && /^\s*(?:W\/)?"([0-9a-f]{32})"\s*$/.exec(header);
  return m ? m[1] : null;
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
  now?: number;
}

/** Ask the doctor's hub to (re)build the stored body, after this response. */
function refreshLater(deps: FeedDeps, doctorId: string): void {
  const hub = deps.env.DOCTOR_HUB.get(deps.env.DOCTOR_HUB.idFromName(doctorId));
  deps.waitUntil(hub.refreshFeed(doctorId).catch((err: unknown) => console.error("feed refresh failed", doctorId, err)));
}

/** Answers GET /feeds/<token>.ics. */
export async function serveFeed(req: Request, token: string, deps: FeedDeps): Promise<Response> {
  const { env } = deps;
  const now = deps.now ?? Date.now();
  if (!TOKEN_RE.test(token)) return notFoundResponse();
  const hash = await sha256Hex(token);
  const ifNoneMatch = req.headers.get("if-none-match");
  const feed = await lookupFeed(env.DB, hash, singleEtagKey(ifNoneMatch));
  if (!feed) return notFoundResponse();
  // Every answer from here on is a 200 or 304: a poll the KPI counts (at most one write an hour).
  if (feedPollDue(feed.polledAt, now)) deps.waitUntil(recordFeedPoll(env.DB, feed.doctorId, now).catch(() => {}));
  const gzipOk = acceptsGzip(clientAcceptEncoding(req));
  const stored = feed.stored;

  if (!stored) {
    // Nothing stored for this privacy yet: render this once, and have the hub store it.
    refreshLater(deps, feed.doctorId);
    return renderedResponse(req, env, feed, now, gzipOk);
  }
  const fresh = stored.shape === (await feedShape(env, feed, now));
  if (!fresh) refreshLater(deps, feed.doctorId); // a new day or new names: served now, rebuilt for the next poll
  // Weak: the same feed is sent gzip or identity; both are semantically equal.
  const etag = `W/"${stored.etag}"`;
  const lastModified = new Date(stored.builtAt).toUTCString();
  if (etagMatches(ifNoneMatch, etag)) {
    // If-Modified-Since is ignored when If-None-Match is present (RFC 9110 §13.1.3).
    return new Response(null, { status: 304, headers: { etag, "last-modified": lastModified, "cache-control": "private, max-age=0, must-revalidate" } });
  }
  const ims = req.headers.get("if-modified-since");
  if (!ifNoneMatch && ims && Date.parse(ims) >= stored.builtAt) {
    return new Response(null, { status: 304, headers: { etag, "last-modified": lastModified } });
  }
  // The body was left out only when the client named this ETag, which matched above.
  const gz = stored.gzip!;
  const headers = baseHeaders(etag, lastModified);
  headers.set("x-acms-feed-cache", fresh ? "hit" : "stale");
  // The stored bytes go out untouched (no JS reads them), or are inflated by the runtime.
  if (gzipOk) {
    headers.set("content-encoding", "gzip");
    return new Response(gz, { status: 200, headers, encodeBody: "manual" });
  }
  return new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip")), { status: 200, headers });
}

async function renderedResponse(req: Request, env: Env, feed: FeedRow, now: number, gzipOk: boolean): Promise<Response> {
  const { text } = await renderFeed(env, feed, now);
  const gz = await gzip(text);
  const etag = `W/"${await etagOf(gz)}"`; // the same ETag the stored body will have
  const lastModified = new Date(Math.floor(now / 1000) * 1000).toUTCString();
  if (etagMatches(req.headers.get("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers: { etag, "last-modified": lastModified, "cache-control": "private, max-age=0, must-revalidate" } });
  }
  const headers = baseHeaders(etag, lastModified);
  headers.set("x-acms-feed-cache", "miss");
  if (gzipOk) {
    headers.set("content-encoding", "gzip");
    return new Response(gz, { status: 200, headers, encodeBody: "manual" });
  }
  return new Response(text, { status: 200, headers });
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
