// Provider push notifications. Google: POST /api/webhooks/google with only headers.
// We check channel id + secret token (only its SHA-256 is stored) + resource id
// against what we registered; anything else is refused (404 unknown channel, 401
// wrong token/resource), logged, and changes nothing. A valid notification only
// marks the calendar dirty and kicks the doctor's DoctorHub, then answers at once:
// the hub runs the incremental sync. Duplicates and out-of-order messages are
// harmless (they only mark dirty; the sync itself is idempotent).
// Issue 9: the channel's expiry is the provider's word too: X-Goog-Channel-Expiration
// lowers the stored expiry (a channel past it is re-created by the engine); a
// notification is also the echo the engine's echo check waits for, so it clears
// "push judged broken"; `not_exists` means the watched resource (and so the channel)
// is gone. During an account backoff this still only marks dirty: the hub makes no
// call until the backoff ends (worker/sync/backoff.ts).
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { sha256Hex } from "../ids";

export const webhookRoutes = new Hono<AppEnv>();

function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

/** X-Goog-Channel-Expiration is an HTTP date (RFC 1123); anything unparseable is ignored. */
export function expirationOf(header: string | undefined): number | null {
  if (!header || header.length > 100) return null;
  const ms = Date.parse(header);
  return Number.isNaN(ms) ? null : ms;
}

webhookRoutes.post("/google", async (c) => {
  const channelId = c.req.header("x-goog-channel-id") ?? "";
  const token = c.req.header("x-goog-channel-token") ?? "";
  const resourceId = c.req.header("x-goog-resource-id") ?? "";
  const state = c.req.header("x-goog-resource-state") ?? "";
  const row = channelId
    ? await c.env.DB.prepare(
        `SELECT c.integration_id, c.calendar_id, c.channel_resource_id, c.channel_token_hash, i.doctor_id, i.status
         FROM integration_calendars c JOIN calendar_integrations i ON i.id = c.integration_id WHERE c.channel_id = ?`,
      )
        .bind(channelId)
        .first<{ integration_id: string; calendar_id: string; channel_resource_id: string; channel_token_hash: string; doctor_id: string; status: string }>()
    : null;
  if (!row) {
    console.warn("google webhook: unknown channel", { channelId: channelId.slice(0, 64), state });
    return c.json({ error: { code: "not_found", message: "Unknown channel." } }, 404);
  }
  if (!sameHex(await sha256Hex(token), row.channel_token_hash ?? "") || resourceId !== row.channel_resource_id) {
    console.warn("google webhook: token or resource mismatch", { channelId, state });
    return c.json({ error: { code: "unauthorized", message: "Channel token or resource does not match." } }, 401);
  }
  if (row.status !== "active") return c.body(null, 204);
  const expires = expirationOf(c.req.header("x-goog-channel-expiration"));
  if (state === "sync") {
    // Channel start handshake: nothing changed, but it carries the expiry too.
    if (expires != null)
      await c.env.DB.prepare("UPDATE integration_calendars SET channel_expires_at = MIN(COALESCE(channel_expires_at, ?1), ?1) WHERE channel_id = ?2")
        .bind(expires, channelId)
        .run();
    return c.body(null, 204);
  }
  await c.env.DB.prepare(
    `UPDATE integration_calendars SET last_notification_at = ?1, push_suspect_at = NULL,
       channel_expires_at = CASE WHEN ?2 IS NULL THEN channel_expires_at ELSE MIN(COALESCE(channel_expires_at, ?2), ?2) END,
       channel_id = CASE WHEN ?3 THEN NULL ELSE channel_id END
     WHERE integration_id = ?4 AND calendar_id = ?5`,
  )
    .bind(Date.now(), expires, state === "not_exists" ? 1 : 0, row.integration_id, row.calendar_id)
    .run();
  const hub = c.env.DOCTOR_HUB.get(c.env.DOCTOR_HUB.idFromName(row.doctor_id));
  await hub.kick(row.doctor_id);
  return c.body(null, 204);
});
