// Stored feed bodies: a feed request is a lookup and a copy, whatever the feed's size.
//
// Why D1 (table feed_bodies, migrations/0016) and not KV or R2 — docs/icalendar.md has the
// figures: the token lookup is a D1 query anyway, and the stored body joins into that same
// query, so a poll stays ONE round trip and one billed read of ~3 rows; KV is eventually
// consistent (up to 60 s between locations: "a change shows within a second" would not hold),
// and R2 would add a second round trip and a Class B operation ($0.36/M) to every 200.
// A row holds the gzip bytes as base64 text (D1 hands BLOBs back as arrays of numbers, slow
// to turn into bytes; a string comes back whole and decodes natively), within D1's 2 MB row
// limit for feeds up to ~1.4 MB gzip (~100,000 events).
//
// Who writes: the doctor's DoctorHub, right after every change it publishes
// (worker/ics/feed-refresh.ts), and the feed routes when a feed is created or its privacy
// changes. The body depends on appointments (the hub knows when they change) and on the
// "shape": day (the window slides daily), window, privacy, names, clinic fields, APP_URL,
// FEED_FORMAT. A request computes the shape it expects; a row of another shape (after
// midnight UTC, a clinic rename) is still served — same privacy, at most stale at its edges or
// in a name — while the hub rebuilds it. A row of another privacy is never served.
import type { Env } from "../env";
import { sha256Hex } from "../ids";
import { parseReminders } from "./data";
import { type FeedRow, FEED_FORMAT, FEED_TTL_SECONDS, feedDays, feedWindow } from "./feed-shape";
import { changedEntriesStatement, feedEntriesStatement, feedEntryOf, type FeedEntryRow, feedEntryRowOf, loadAppointments } from "./data";
import { type FeedSnapshot, mergeChanged, snapshotUsable } from "./feed-delta";
import type { IcsAppointment } from "./render";
import { renderCalendarMemo, type VeventStore } from "./memo-render";

/** D1 refuses a row over 2,000,000 bytes; leave room for the other columns. */
const MAX_STORED_BASE64 = 1_990_000;

export interface StoredFeed {
  shape: string;
  etag: string;
  builtAt: number;
  /** null when the query was told the client already has this ETag (nothing to copy). */
  gzip: Uint8Array<ArrayBuffer> | null;
}

export interface FeedLookup extends FeedRow {
  stored: StoredFeed | null;
  /** When a poll was last recorded (doctors.feed_polled_at), so a poll writes only when that is due. */
  polledAt: number | null;
}

interface LookupRow {
  id: string;
  name: string;
  feed_privacy: "busy" | "minimal";
  clinic_id: string;
  clinic_name: string;
  time_zone: string;
  address: string;
  domain: string;
  reminder_minutes: string;
  shape: string | null;
  etag: string | null;
  built_at: number | null;
  gzip_base64: string | null;
  feed_polled_at: number | null;
}

const FEED_COLUMNS =
  "d.id, d.name, d.feed_privacy, c.id AS clinic_id, c.name AS clinic_name, c.time_zone, c.address, c.domain, c.reminder_minutes";

function feedRowOf(r: LookupRow): FeedRow {
  return {
    doctorId: r.id,
    doctorName: r.name,
    privacy: r.feed_privacy === "minimal" ? "minimal" : "busy",
    clinic: { id: r.clinic_id, name: r.clinic_name, timeZone: r.time_zone, address: r.address, domain: r.domain, reminderMinutes: parseReminders(r.reminder_minutes) },
  };
}

/**
 * The feed behind a token hash and its stored body, in one query. `clientEtag` is the one
 * ETag the client sent (If-None-Match), if any: when it equals the stored one the body is not
 * even transferred (the answer is a 304).
 */
export async function lookupFeed(d1: D1Database, tokenHash: string, clientEtag: string | null): Promise<FeedLookup | null> {
  const r = await d1
    .prepare(
      `SELECT ${FEED_COLUMNS}, b.shape, b.etag, b.built_at, CASE WHEN b.etag = ?2 THEN NULL ELSE b.gzip_base64 END AS gzip_base64, d.feed_polled_at ` +
        "FROM doctors d JOIN clinics c ON c.id = d.clinic_id LEFT JOIN feed_bodies b ON b.doctor_id = d.id AND b.privacy = d.feed_privacy " +
        "WHERE d.feed_token_hash = ?1 AND d.feed_enabled = 1 AND d.active = 1",
    )
    .bind(tokenHash, clientEtag)
    .first<LookupRow>();
  if (!r) return null;
  const stored =
    r.shape != null && r.etag != null && r.built_at != null
      ? { shape: r.shape, etag: r.etag, builtAt: r.built_at, gzip: r.gzip_base64 == null ? null : fromBase64(r.gzip_base64) }
      : null;
  return { ...feedRowOf(r), stored, polledAt: r.feed_polled_at };
}

/** Everything but the appointments that the body depends on, hashed. */
export async function feedShape(env: Pick<Env, "APP_URL" | "FEED_DAYS_BACK" | "FEED_DAYS_AHEAD">, feed: FeedRow, nowMs: number): Promise<string> {
  const c = feed.clinic;
  const day = Math.floor(nowMs / 86400_000);
  const parts = [FEED_FORMAT, day, JSON.stringify(feedDays(env)), feed.privacy, feed.doctorName, c.name, c.timeZone, c.address, c.domain, c.reminderMinutes.join(","), env.APP_URL];
  return (await sha256Hex(parts.join("\u0000"))).slice(0, 32);
}

export async function renderFeed(env: Env, feed: FeedRow, nowMs: number, store?: VeventStore): Promise<{ text: string; events: number }> {
  const { fromMs, toMs } = feedWindow(nowMs, feedDays(env));
  // Every status, cancelled included: subscribed clients need STATUS:CANCELLED to drop the event.
  const appointments = await loadAppointments(env.DB, { clinicId: feed.clinic.id, doctorId: feed.doctorId, fromMs, toMs });
  return { text: renderEvents(env, feed, appointments, store), events: appointments.length };
}

function renderEvents(env: Env, feed: FeedRow, appointments: IcsAppointment[], store?: VeventStore): string {
  return renderCalendarMemo({
    clinic: feed.clinic,
    appointments,
    privacy: feed.privacy,
    appUrl: env.APP_URL,
    calendarName: `${feed.doctorName} - ${feed.clinic.name}`,
    ttlSeconds: FEED_TTL_SECONDS,
    compact: true,
  }, store);
}

export type BuildOutcome = "built" | "unchanged" | "no-feed" | "too-big";

/** What the hub remembers between builds (./feed-delta.ts): the last build, and the appointments changed since. */
export interface FeedMemory {
  snapshot: FeedSnapshot | null;
  /** Ids of the appointments changed since the snapshot; null: not known (read in full). */
  changed: ReadonlySet<string> | null;
}

type BuildRow = LookupRow & { enabled: number; stored_privacy: string | null };

/**
 * Renders the doctor's feed and stores it (the DoctorHub calls this after each change).
 * A doctor without an enabled feed has its stored body removed (a disabled feed keeps nothing).
 * With `memory` (the hub's last build and the ids changed since), only the changed appointments
 * are read, in the same round trip as the doctor's row; `snapshot` is what to remember next.
 */
export async function buildFeed(
  env: Env,
  doctorId: string,
  nowMs = Date.now(),
  store?: VeventStore,
  memory?: FeedMemory,
): Promise<{ outcome: BuildOutcome; snapshot: FeedSnapshot | null }> {
  const d1 = env.DB;
  const lookup = d1
    .prepare(
      `SELECT ${FEED_COLUMNS}, d.feed_enabled AND d.active AND d.feed_token_hash IS NOT NULL AS enabled, b.etag, b.privacy AS stored_privacy ` +
        "FROM doctors d JOIN clinics c ON c.id = d.clinic_id LEFT JOIN feed_bodies b ON b.doctor_id = d.id WHERE d.id = ?",
    )
    .bind(doctorId);
  const prior = memory?.snapshot ?? null;
  const changed = memory?.changed;
  let r: BuildRow | undefined;
  let changedRows: FeedEntryRow[] | null = null;
  if (prior && changed?.size) {
    // A batch answers objects; the changed rows are few, so they are turned into arrays here.
    const [l, c] = await d1.batch([lookup, changedEntriesStatement(d1, { ...prior, doctorId }, [...changed])]);
    r = l.results[0] as BuildRow | undefined;
    changedRows = (c.results as Record<string, unknown>[]).map(feedEntryRowOf);
  } else r = (await lookup.first<BuildRow>()) ?? undefined;
  if (!r || !r.enabled) {
    if (r?.etag != null) await d1.prepare("DELETE FROM feed_bodies WHERE doctor_id = ?").bind(doctorId).run();
    return { outcome: "no-feed", snapshot: null };
  }
  const feed = feedRowOf(r);
  const shape = await feedShape(env, feed, nowMs);
  const window = { clinicId: feed.clinic.id, doctorId, ...feedWindow(nowMs, feedDays(env)) };
  let snapshot: FeedSnapshot;
  if (changedRows && changed && snapshotUsable(prior, shape, nowMs)) {
    const rows = changedRows.map((row) => feedEntryOf(row, feed.doctorName));
    snapshot = { ...prior, entries: mergeChanged(prior.entries, changed, rows) };
  } else {
    // Every status, cancelled included: subscribed clients need STATUS:CANCELLED to drop the event.
    const rows = await feedEntriesStatement(d1, window).raw<FeedEntryRow>();
    snapshot = { shape, clinicId: window.clinicId, fromMs: window.fromMs, toMs: window.toMs, fullAt: nowMs, entries: rows.map((row) => feedEntryOf(row, feed.doctorName)) };
  }
  const text = renderEvents(env, feed, snapshot.entries.map((e) => e.a), store);
  const events = snapshot.entries.length;
  const gz = await gzip(text);
  const etag = await etagOf(gz);
  if (etag === r.etag && r.stored_privacy === feed.privacy) {
    // Same bytes (a change outside the window, a no-op): only the shape may need bumping.
    await d1.prepare("UPDATE feed_bodies SET shape = ? WHERE doctor_id = ? AND shape <> ?").bind(shape, doctorId, shape).run();
    return { outcome: "unchanged", snapshot };
  }
  const b64 = toBase64(new Uint8Array(gz));
  if (b64.length > MAX_STORED_BASE64) {
    // Too big for one D1 row: requests render it themselves (feed.ts falls back when no row).
    await d1.prepare("DELETE FROM feed_bodies WHERE doctor_id = ?").bind(doctorId).run();
    console.warn(`feed of doctor ${doctorId} is ${b64.length} bytes of base64: not stored, rendered per request`);
    return { outcome: "too-big", snapshot };
  }
  await d1
    .prepare(
      "INSERT INTO feed_bodies (doctor_id, privacy, shape, etag, built_at, events, gzip_base64) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) " +
        "ON CONFLICT (doctor_id) DO UPDATE SET privacy = ?2, shape = ?3, etag = ?4, built_at = ?5, events = ?6, gzip_base64 = ?7",
    )
    .bind(doctorId, feed.privacy, shape, etag, Math.floor(nowMs / 1000) * 1000, events, b64)
    .run();
  return { outcome: "built", snapshot };
}

/** The stored ETag key of a gzip body: its SHA-256, 128 bits in hex. */
export async function etagOf(gz: ArrayBuffer): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", gz))).slice(0, 32);
}

/** A 5,000-event feed (~2 MB of text) is ~10x smaller gzipped: cheaper to store and to send. */
export async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

// Uint8Array.fromBase64/toBase64 (TC39, in V8 since 2025) are native; the fallbacks keep older runtimes working.
type B64Array = typeof Uint8Array & { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> };
type B64Bytes = Uint8Array & { toBase64?: () => string };

export function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as B64Array).fromBase64;
  if (native) return native(s);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as B64Bytes).toBase64;
  if (native) return native.call(bytes);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
