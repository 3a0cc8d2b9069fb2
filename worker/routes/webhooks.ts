// Provider push notifications. Google: POST /api/webhooks/google with only headers.
// We check channel id + secret token (only its SHA-256 is stored) + resource id
// against what we registered; anything else is refused (404 unknown channel, 401
// wrong token/resource), logged, and changes nothing. A valid notification only
// marks the calendar dirty and kicks the doctor's DoctorHub, then answers at once:
// the hub runs the incremental sync. Duplicates and out-of-order messages are
// harmless (they only mark dirty; the sync itself is idempotent).
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
  if (state === "sync" || row.status !== "active") return c.body(null, 204); // channel start handshake
  await c.env.DB.prepare("UPDATE integration_calendars SET last_notification_at = ? WHERE integration_id = ? AND calendar_id = ?")
    .bind(Date.now(), row.integration_id, row.calendar_id)
    .run();
  const hub = c.env.DOCTOR_HUB.get(c.env.DOCTOR_HUB.idFromName(row.doctor_id));
  await hub.kick(row.doctor_id);
  return c.body(null, 204);
});
