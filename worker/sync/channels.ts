// Push channels: one per synced calendar, created at connect and renewed a day
// before expiry (new channel first, then the old one is stopped, so no gap).
// Only a SHA-256 hash of each channel's secret token is stored. Channels of
// calendars the doctor no longer syncs are stopped (no leaks, lesson 18).
import type { HubContext } from "../hub/work";
import { newId, randomSecret, sha256Hex } from "../ids";
import { ReconnectRequiredError } from "../providers/http";
import { syncedCalendarIds } from "./integrations";
import { calendarRows } from "./inbound";
import { describe } from "./outbound";
import { recordIntegrationError, type IntegrationSession } from "./session";

export const CHANNEL_TTL_SECONDS = 7 * 86_400;
export const RENEW_BEFORE_MS = 24 * 60 * 60_000;

export function webhookAddress(env: HubContext["env"], provider: string): string | null {
  const base = (env.WEBHOOK_BASE_URL ?? env.APP_URL).replace(/\/+$/, "");
  // Google delivers only to HTTPS with a valid certificate: without it we poll.
  return base.startsWith("https://") ? `${base}/api/webhooks/${provider}` : null;
}

/** Returns when channels next need attention (renewal time), or null. */
export async function ensureChannels(ctx: HubContext, s: IntegrationSession): Promise<number | null> {
  // No push at this provider (CalDAV): no channels; the poll covers it (inbound.ts).
  const address = s.provider.pushSupported === false ? null : webhookAddress(ctx.env, s.integ.provider);
  const wanted = new Set(syncedCalendarIds(s.integ));
  let next: number | null = null;
  for (const row of await calendarRows(ctx, s.integ.id)) {
    if (s.dead) return null;
    const now = Date.now();
    try {
      if (!wanted.has(row.calendar_id) || !address) {
        if (row.channel_id) await stopChannel(ctx, s, row.calendar_id, row.channel_id, row.channel_resource_id);
        continue;
      }
      if (row.channel_id && (row.channel_expires_at ?? 0) - RENEW_BEFORE_MS > now) {
        next = Math.min(next ?? Infinity, (row.channel_expires_at ?? 0) - RENEW_BEFORE_MS);
        continue;
      }
      const id = newId();
      const token = randomSecret(32);
      const w = await s.provider.watch(row.calendar_id, { id, token, address, ttlSeconds: CHANNEL_TTL_SECONDS });
      await ctx.env.DB.prepare(
        // Without a healthy channel before, changes may have been missed: mark the calendar dirty.
        "UPDATE integration_calendars SET channel_id = ?, channel_resource_id = ?, channel_token_hash = ?, channel_expires_at = ?, last_notification_at = CASE WHEN ? THEN ? ELSE last_notification_at END WHERE integration_id = ? AND calendar_id = ?",
      )
        .bind(w.channelId, w.resourceId, await sha256Hex(token), w.expiresAt, row.channel_id ? 0 : 1, now, s.integ.id, row.calendar_id)
        .run();
      next = Math.min(next ?? Infinity, w.expiresAt - RENEW_BEFORE_MS);
      if (row.channel_id && row.channel_resource_id) await s.provider.unwatch(row.channel_id, row.channel_resource_id).catch(() => {});
    } catch (err) {
      if (err instanceof ReconnectRequiredError) return null;
      // No channel: the 5-minute poll covers this calendar meanwhile.
      await recordIntegrationError(ctx, s, `push channel for "${row.summary}": ${describe(err)}`);
      next = Math.min(next ?? Infinity, Date.now() + 5 * 60_000);
    }
  }
  return next;
}

export async function stopChannel(ctx: HubContext, s: IntegrationSession, calendarId: string, channelId: string, resourceId: string | null) {
  if (resourceId) await s.provider.unwatch(channelId, resourceId).catch(() => {});
  await ctx.env.DB.prepare(
    "UPDATE integration_calendars SET channel_id = NULL, channel_resource_id = NULL, channel_token_hash = NULL, channel_expires_at = NULL WHERE integration_id = ? AND calendar_id = ?",
  )
    .bind(s.integ.id, calendarId)
    .run();
}
