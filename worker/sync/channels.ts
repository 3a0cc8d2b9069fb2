// Push channels: one per synced calendar, created at connect and renewed a day
// before expiry (new channel first, then the old one is stopped, so no gap).
// Expiry is the provider's word: the expiration watch returned, lowered by the one
// each notification carries (webhooks.ts); a channel past it is gone and re-created
// at once, and so is a channel the echo check (./cadence.ts) found silent: our own
// write was not echoed within a few minutes although the channel looked healthy.
// Only a SHA-256 hash of each channel's secret token is stored. Channels of
// calendars the doctor no longer syncs are stopped (no leaks, lesson 18).
import type { HubContext } from "../hub/work";
import { newId, randomSecret, sha256Hex } from "../ids";
import { NotFoundError, ReconnectRequiredError } from "../providers/http";
import { AccountBackoffError } from "./backoff";
import { channelHealthy, echoCheckAt, echoOverdue } from "./cadence";
import { syncedCalendarIds } from "./integrations";
import { calendarRows } from "./inbound";
import { describe } from "./outbound";
import { backingOff, recordIntegrationError, type IntegrationSession } from "./session";

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
  if (backingOff(s)) return s.backoff.until;
  for (const row of await calendarRows(ctx, s.integ.id)) {
    if (s.dead) return null;
    const now = Date.now();
    try {
      if (!wanted.has(row.calendar_id) || !address) {
        if (row.channel_id) await stopChannel(ctx, s, row.calendar_id, row.channel_id, row.channel_resource_id);
        continue;
      }
      const silent = echoOverdue(row, now);
      if (silent) {
        // Push is broken while the channel looks healthy: poll every 5 minutes from now
        // on (until a notification arrives) and replace the channel below.
        row.push_suspect_at = now;
        await ctx.env.DB.prepare("UPDATE integration_calendars SET push_suspect_at = ?, last_write_at = NULL WHERE integration_id = ? AND calendar_id = ?")
          .bind(now, s.integ.id, row.calendar_id)
          .run();
        console.warn("sync: push looks broken (own write not echoed); polling every 5 minutes and re-creating the channel", { integration: s.integ.id });
      }
      const healthy = channelHealthy(row, now) && !silent;
      if (healthy && (row.channel_expires_at ?? 0) - RENEW_BEFORE_MS > now) {
        next = Math.min(next ?? Infinity, (row.channel_expires_at ?? 0) - RENEW_BEFORE_MS, echoCheckAt(row, now) ?? Infinity);
        continue;
      }
      // A channel due for renewal that the provider can extend in place (Graph): one PATCH. If the
      // provider says it is gone (ended early), a new one is opened right below, at once.
      if (healthy && row.channel_id && row.channel_resource_id && s.provider.renew) {
        try {
          const r = await s.provider.renew(row.channel_id, row.channel_resource_id, CHANNEL_TTL_SECONDS);
          await ctx.env.DB.prepare("UPDATE integration_calendars SET channel_expires_at = ? WHERE integration_id = ? AND calendar_id = ? AND channel_id = ?")
            .bind(r.expiresAt, s.integ.id, row.calendar_id, row.channel_id)
            .run();
          next = Math.min(next ?? Infinity, r.expiresAt - RENEW_BEFORE_MS);
          console.log(`sync: push channel renewed in place for integration ${s.integ.id}, expires ${new Date(r.expiresAt).toISOString()}`);
          continue;
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
          console.warn("sync: the provider ended a push channel early; opening a new one now", { integration: s.integ.id });
          // Gone already: nothing to stop below; the calendar may have missed changes, read it.
          row.channel_resource_id = null;
          await ctx.env.DB.prepare("UPDATE integration_calendars SET last_notification_at = ? WHERE integration_id = ? AND calendar_id = ?").bind(Date.now(), s.integ.id, row.calendar_id).run();
        }
      }
      const id = newId();
      const token = randomSecret(32);
      const w = await s.provider.watch(row.calendar_id, { id, token, address, ttlSeconds: CHANNEL_TTL_SECONDS });
      await ctx.env.DB.prepare(
        // Without a healthy channel before, changes may have been missed: mark the calendar dirty.
        "UPDATE integration_calendars SET channel_id = ?, channel_resource_id = ?, channel_token_hash = ?, channel_expires_at = ?, last_notification_at = CASE WHEN ? THEN ? ELSE last_notification_at END WHERE integration_id = ? AND calendar_id = ?",
      )
        .bind(w.channelId, w.resourceId, await sha256Hex(token), w.expiresAt, healthy ? 0 : 1, now, s.integ.id, row.calendar_id)
        .run();
      next = Math.min(next ?? Infinity, w.expiresAt - RENEW_BEFORE_MS);
      console.log(`sync: push channel ${row.channel_id ? "renewed" : "opened"} for integration ${s.integ.id}, expires ${new Date(w.expiresAt).toISOString()}`);
      if (row.channel_id && row.channel_resource_id) await s.provider.unwatch(row.channel_id, row.channel_resource_id).catch(() => {});
    } catch (err) {
      if (err instanceof ReconnectRequiredError) return null;
      // Rate-limited: the account waits (backoff persisted by the gate); so do the channels.
      if (err instanceof AccountBackoffError || (s.backoff.until ?? 0) > Date.now()) return Math.min(next ?? Infinity, s.backoff.until ?? Date.now() + 60_000);
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
