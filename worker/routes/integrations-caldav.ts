// Connecting a CalDAV calendar: Apple iCloud (server fixed to caldav.icloud.com) or
// any standards server ("Other CalDAV server": Fastmail, Nextcloud, a clinic's own).
//   POST /api/integrations/caldav/connect  doctor, for themself
//        {kind: "icloud"|"other", username, password, serverUrl?}
//   POST /api/integrations/caldav/:id/sync  the owner's "Sync now": polls every synced calendar
//        now; at most once a minute (and never during a server's Retry-After) → else 429
// Discovery (well-known → principal → calendar home → calendars) runs BEFORE anything
// is stored: a refused password → 422 caldav_auth_failed, an unreachable server → 502,
// an unsafe URL → 422; nothing written in any of these cases. The app-specific password
// is sealed like OAuth tokens (auth/token-seal.ts) and never returned.
// Choosing calendars, disconnecting and health are the provider-neutral routes in
// ./integrations.ts (PATCH/DELETE /api/integrations/:id, GET /api/integrations).
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { ApiError, forbidden, notFound } from "../errors";
import { idOf } from "./path-id";
import { newId } from "../ids";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { jsonBody } from "../validate";
import { ProviderError, ReconnectRequiredError } from "../providers/http";
import { DiscoveryError, discoverAccount, ICLOUD_SERVER, listCalendarsAt, type CalDavAccount } from "../providers/caldav/discovery";
import { sealCalDav, unsealCalDav } from "../providers/caldav/factory";
import { DavTransport } from "../providers/caldav/transport";
import { checkServerUrl, UnsafeUrlError } from "../providers/caldav/url-guard";
import { busyIdsOf, type IntegrationRow } from "../sync/integrations";
import { backfillStatement } from "../sync/backfill";
import { makeDb } from "../db/client";
import { actorOf, auditInsert } from "../db/audit";

export const APP_PASSWORD_HELP =
  "Use an app-specific password, not your Apple ID password: appleid.apple.com → Sign-In and Security → App-Specific Passwords.";

const ConnectBody = z
  .strictObject({
    kind: z.enum(["icloud", "other"]),
    username: z.string().trim().min(1).max(200),
    password: z.string().min(1).max(200),
    serverUrl: z.string().trim().min(1).max(500).optional(),
  })
  .refine((b) => b.kind === "icloud" || !!b.serverUrl, { message: "serverUrl is required for another CalDAV server", path: ["serverUrl"] });

export const caldavIntegrationRoutes = new Hono<AppEnv>();
caldavIntegrationRoutes.use("*", requireSession, csrf);

caldavIntegrationRoutes.post("/connect", requireRole("doctor"), async (c) => {
  const env = c.env;
  const u = c.var.user;
  if (!u.doctorId) throw forbidden("Only a doctor can connect their own calendar.");
  const body = await jsonBody(c, ConnectBody);
  const serverUrl = body.kind === "icloud" ? ICLOUD_SERVER : body.serverUrl!;
  try {
    checkServerUrl(serverUrl, env);
  } catch (err) {
    throw new ApiError(422, "unsafe_server_url", (err as Error).message);
  }
  const where = body.kind === "icloud" ? "iCloud" : "The CalDAV server";
  const transport = new DavTransport({ username: body.username, password: body.password }, env, { retry: { attempts: 2, timeoutMs: 10_000 } });
  let account, cals;
  try {
    account = await discoverAccount(transport, serverUrl, body.username);
    cals = await listCalendarsAt(transport, account.homeUrl);
  } catch (err) {
    if (err instanceof ReconnectRequiredError)
      throw new ApiError(422, "caldav_auth_failed", `${where} refused the user name or password.${body.kind === "icloud" ? ` ${APP_PASSWORD_HELP}` : ""}`);
    if (err instanceof UnsafeUrlError) throw new ApiError(422, "unsafe_server_url", err.message);
    if (err instanceof DiscoveryError) throw new ApiError(422, "caldav_not_found", err.message);
    if (err instanceof ProviderError && err.status >= 400 && err.status < 500)
      throw new ApiError(422, "caldav_not_found", `${where} answered HTTP ${err.status}; check the server address.`);
    throw new ApiError(502, "provider_unavailable", `${where} could not be reached. Check the address and try again in a moment.`);
  }
  const writable = cals.usable.filter((x) => x.canWrite);
  if (!writable.length)
    throw new ApiError(422, "no_event_calendars", "The account has no calendar that can hold events.", { hidden: cals.hidden.map((h) => ({ summary: h.summary, reason: h.reason })) });

  const doctorId = u.doctorId;
  const existing = await env.DB.prepare("SELECT * FROM calendar_integrations WHERE doctor_id = ? AND provider = 'caldav'").bind(doctorId).first<IntegrationRow>();
  const id = existing?.id ?? newId();
  const now = Date.now();
  const sealed = await sealCalDav(env, id, { account, password: body.password });
  // Another server or account than before: a new connection in all but the id. The old
  // account's links, busy blocks and cursors describe the other server; kept, the engine
  // would call it (deleting "moved" events) with THESE credentials. Its events stay there
  // (only its own password could remove them, and we no longer have it).
  const replaced = existing != null && !(await sameAccount(env, existing, account));
  const ids = new Set(cals.usable.map((x) => x.id));
  const writeId = !replaced && existing?.write_calendar_id && ids.has(existing.write_calendar_id) ? existing.write_calendar_id : writable[0].id;
  const prevBusy = existing && !replaced ? busyIdsOf(existing).filter((x) => ids.has(x)) : [];
  const busy = prevBusy.length ? prevBusy : [writeId];
  const dropped = replaced
    ? (await env.DB.prepare("SELECT id FROM blocked_times WHERE integration_id = ?").bind(id).all<{ id: string }>()).results
    : [];
  await env.DB.batch([
    ...(replaced
      ? [
          // Marked deleted without any call: pushOne then creates each upcoming one in the new write calendar.
          env.DB.prepare("UPDATE appointment_links SET state = 'deleted', etag = NULL, synced_hash = NULL, last_error = NULL, updated_at = ? WHERE integration_id = ? AND state != 'deleted'").bind(now, id),
          env.DB.prepare("DELETE FROM blocked_times WHERE integration_id = ?").bind(id),
          env.DB.prepare("DELETE FROM integration_calendars WHERE integration_id = ?").bind(id),
        ]
      : []),
    env.DB.prepare(
      `INSERT INTO calendar_integrations (id, clinic_id, user_id, doctor_id, provider, account_email, sealed_tokens, write_calendar_id, busy_calendar_ids, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'caldav', ?, ?, ?, ?, 'active', ?, ?)
       ON CONFLICT (doctor_id, provider) DO UPDATE SET account_email = excluded.account_email, sealed_tokens = excluded.sealed_tokens,
         write_calendar_id = excluded.write_calendar_id, busy_calendar_ids = excluded.busy_calendar_ids, user_id = excluded.user_id,
         status = 'active', last_error = NULL, last_error_at = NULL, backoff_until = NULL, updated_at = excluded.updated_at`,
    ).bind(id, u.clinicId, u.userId, doctorId, body.username, sealed, writeId, JSON.stringify(busy), now, now),
    // Calendars the account no longer has go (with their sync state).
    env.DB.prepare("DELETE FROM integration_calendars WHERE integration_id = ? AND calendar_id NOT IN (SELECT value FROM json_each(?))").bind(id, JSON.stringify([...ids])),
    ...cals.usable.map((cal) =>
      env.DB.prepare(
        "INSERT INTO integration_calendars (integration_id, calendar_id, summary) VALUES (?, ?, ?) ON CONFLICT (integration_id, calendar_id) DO UPDATE SET summary = excluded.summary",
      ).bind(id, cal.id, cal.summary),
    ),
    // Upcoming appointments booked before connecting (or changed while disconnected) go there too.
    backfillStatement(env, id, doctorId, writeId, now),
  ]);
  await auditInsert(makeDb(env.DB), u.clinicId, actorOf(u), existing ? "integration.reconnect" : "integration.connect", "integration", id, {
    provider: "caldav",
    kind: body.kind,
    server: new URL(serverUrl).origin,
    account: body.username,
  });
  const h = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId));
  for (const b of dropped) await h.publish(doctorId, { kind: "blocked", op: "deleted", doctorId, record: { id: b.id, doctorId } });
  await h.publish(doctorId, { kind: "integration", op: "updated", doctorId, record: { id, provider: "caldav", status: "active" } });
  await h.kick(doctorId); // first sync, and any outbox rows that waited for a reconnect
  return c.json(
    {
      integration: {
        id,
        provider: "caldav",
        accountEmail: body.username,
        status: "active",
        writeCalendarId: writeId,
        busyCalendarIds: busy,
        calendars: cals.usable.map((x) => ({ id: x.id, summary: x.summary, canWrite: x.canWrite })),
        // Shown in settings so the doctor knows why e.g. "Reminders" is not offered.
        hiddenCalendars: cals.hidden.map((x) => ({ summary: x.summary, reason: x.reason })),
      },
    },
    existing ? 200 : 201,
  );
});

/**
 * The stored account is this one? Judged by what discovery found (the principal or the calendar
 * home, the account's identity on the server), not by what the doctor typed: the same account
 * reached as "https://fastmail.com" one time and "https://caldav.fastmail.com" the next, or an
 * Apple ID typed with other capitals, must keep its links, busy calendars and write calendar
 * (treated as another account, every upcoming appointment was written again and the old events
 * orphaned). Unreadable credentials count as another account.
 */
export async function sameAccount(env: AppEnv["Bindings"], row: IntegrationRow, account: CalDavAccount): Promise<boolean> {
  let prev: CalDavAccount;
  try {
    prev = (await unsealCalDav(env, row.id, row.sealed_tokens)).account;
  } catch {
    return false;
  }
  return sameCalDavAccount(prev, account);
}

/** Pure part of sameAccount (table-tested). */
export function sameCalDavAccount(prev: Pick<CalDavAccount, "username" | "principalUrl" | "homeUrl">, next: Pick<CalDavAccount, "username" | "principalUrl" | "homeUrl">): boolean {
  const url = (u: string) => {
    try {
      const x = new URL(u);
      return `${x.origin}${x.pathname.replace(/\/+$/, "")}`;
    } catch {
      return u;
    }
  };
  if (prev.username.trim().toLowerCase() !== next.username.trim().toLowerCase()) return false;
  return url(prev.principalUrl) === url(next.principalUrl) || url(prev.homeUrl) === url(next.homeUrl);
}

/** "Sync now" is for impatience, not for load: one per minute per integration. */
export const SYNC_NOW_EVERY_MS = 60_000;

caldavIntegrationRoutes.post("/:id/sync", requireRole("doctor"), async (c) => {
  const env = c.env;
  const u = c.var.user;
  const id = idOf(c.req.param("id"), "Integration");
  const row = await env.DB.prepare("SELECT * FROM calendar_integrations WHERE id = ? AND clinic_id = ? AND user_id = ? AND provider = 'caldav'")
    .bind(id, u.clinicId, u.userId)
    .first<IntegrationRow>();
  if (!row) throw notFound("Integration");
  if (row.status !== "active") throw new ApiError(409, "not_active", "Reconnect this calendar first.");
  const now = Date.now();
  const last = await env.DB.prepare("SELECT MAX(last_polled_at) AS at FROM integration_calendars WHERE integration_id = ?").bind(id).first<{ at: number | null }>();
  const waitUntil = Math.max((last?.at ?? 0) + SYNC_NOW_EVERY_MS, row.backoff_until ?? 0);
  if (waitUntil > now) {
    c.header("retry-after", String(Math.ceil((waitUntil - now) / 1000)));
    throw new ApiError(429, "rate_limited", "This calendar was synced moments ago; try again in a minute.");
  }
  // Make its calendars due now; the doctor's hub polls them (one request each when unchanged).
  await env.DB.prepare("UPDATE integration_calendars SET last_notification_at = ? WHERE integration_id = ?").bind(now, id).run();
  const h = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(row.doctor_id));
  await h.kick(row.doctor_id);
  return c.json({ syncing: true }, 202);
});
