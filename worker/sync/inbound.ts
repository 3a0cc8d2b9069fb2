// Inbound: incremental sync of the doctor's selected calendars.
// A calendar is synced when it has no cursor yet, when a push notification marked
// it dirty (last_notification_at > last_polled_at), or when its poll is due
// (./cadence.ts: every 5 minutes without a healthy channel or while the echo check
// says push is broken; hourly at the calendar's own minute with one, since push can
// be lost; a full listing of the window daily, so its far end keeps up as time
// moves). Nothing is called while the account backs off (./backoff.ts): the
// calendar stays dirty and is read when the backoff ends.
// A 410/invalid cursor → full listing of the window,
// which replaces that calendar's imported busy blocks (no duplicates: every row is
// keyed by (integration_id, external_id)) and never touches appointments.
// The cursor is saved only after its items are applied, so a run cut short (DO
// evicted) simply repeats from the old cursor; applying is idempotent.
import type { HubContext } from "../hub/work";
import { getAppointment } from "../appointments/queries";
import { CursorInvalidError, type ChangeSet, type ExternalItem } from "../providers/provider";
import { ProviderError, ReconnectRequiredError } from "../providers/http";
import { resolveSync } from "./policy";
import { busyIdsOf, labelOf, syncedCalendarIds, type CalendarRow } from "./integrations";
import { linkByExternal, upsertLinkStatement } from "./links";
import { acmsSideOf, extSideOf, lastSyncOf, notice, requeuePushStatements, runWithNotice, takeExternalTiming } from "./reconcile";
import { backingOff, recordIntegrationError, type IntegrationSession } from "./session";
import { describe } from "./outbound";
import { blockExternalId, dropUnseenBlocks, linksOf, storeBusyItems } from "./busy-store";
import { AccountBackoffError } from "./backoff";
import { otherClinicsAppointments } from "./other-clinics";
import { channelHealthy, nextCursorPollAt, POLL_WITH_PUSH_MS, POLL_WITHOUT_PUSH_MS } from "./cadence";
import { WINDOW_AHEAD_MS, WINDOW_PAST_MS } from "./window";

export { channelHealthy, POLL_WITHOUT_PUSH_MS };
/** With a healthy channel: the hourly cheap cursor read (was a 6-hourly reconciliation before issue 9). */
export const RECONCILE_WITH_PUSH_MS = POLL_WITH_PUSH_MS;
/** How far back and ahead we mirror (sync/window.ts). */
export { WINDOW_AHEAD_MS, WINDOW_PAST_MS };

/** A full listing of the window at least this often, so the window's far end catches up as time moves. */
export const FULL_RESYNC_EVERY_MS = 24 * 60 * 60_000;

/**
 * The stored cursor is "<ms of the last full listing>~<provider cursor>": the provider's
 * cursor stays opaque, and the engine knows when the window was last listed in full.
 */
export function parseCursor(stored: string | null): { fullAt: number; cursor: string | null } {
  const m = stored?.match(/^(\d+)~([\s\S]*)$/);
  if (!m) return { fullAt: 0, cursor: stored };
  return { fullAt: Number(m[1]), cursor: m[2] };
}
export const storeCursor = (fullAt: number, cursor: string) => `${fullAt}~${cursor}`;

export { blockExternalId };

/** When this calendar next needs a sync without any notification. */
export function nextPollAt(row: CalendarRow, now: number): number {
  if (!row.sync_cursor) return now;
  return Math.min(nextCursorPollAt(row, now), parseCursor(row.sync_cursor).fullAt + FULL_RESYNC_EVERY_MS);
}

export function isDue(row: CalendarRow, now: number): boolean {
  return !row.sync_cursor || (row.last_notification_at ?? 0) > (row.last_polled_at ?? 0) || nextPollAt(row, now) <= now;
}

export async function calendarRows(ctx: HubContext, integrationId: string): Promise<CalendarRow[]> {
  return (await ctx.env.DB.prepare("SELECT * FROM integration_calendars WHERE integration_id = ?").bind(integrationId).all<CalendarRow>()).results;
}

/** Pulls changes for every due calendar; returns when it next wants to run. */
export async function syncInbound(ctx: HubContext, s: IntegrationSession): Promise<{ next: number | null; pulled: boolean }> {
  const wanted = new Set(syncedCalendarIds(s.integ));
  const busy = new Set(busyIdsOf(s.integ));
  let next: number | null = null;
  let pulled = false;
  // The account is backing off: no call at all; dirty calendars stay dirty until it ends.
  if (backingOff(s)) return { next: s.backoff.until, pulled };
  for (const row of await calendarRows(ctx, s.integ.id)) {
    if (!wanted.has(row.calendar_id) || s.dead) continue;
    if (backingOff(s)) return { next: earliestOf(next, s.backoff.until), pulled };
    const now = Date.now();
    if (!isDue(row, now)) {
      // Nothing changed this row since calendarRows read it: no second read needed
      // (this runs on every hub kick, i.e. after every appointment change).
      next = Math.min(next ?? Infinity, nextPollAt(row, now));
      continue;
    }
    try {
      await syncCalendar(ctx, s, row, busy.has(row.calendar_id));
      pulled = true;
    } catch (err) {
      if (err instanceof ReconnectRequiredError) return { next: null, pulled };
      // Rate-limited now (backoff persisted by the gate) or already backing off: stop here.
      if (err instanceof AccountBackoffError || backingOff(s)) return { next: earliestOf(next, s.backoff.until), pulled };
      await recordIntegrationError(ctx, s, `${labelOf(s.integ)} sync of "${row.summary}": ${describe(err)}`);
      const retryIn = err instanceof ProviderError && err.retryAfterMs ? err.retryAfterMs : 60_000;
      next = Math.min(next ?? Infinity, Date.now() + retryIn);
      continue;
    }
    // The sync moved the cursor and last_polled_at: read them back for the next poll time.
    const fresh = await ctx.env.DB.prepare("SELECT * FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?")
      .bind(s.integ.id, row.calendar_id)
      .first<CalendarRow>();
    if (fresh) next = Math.min(next ?? Infinity, nextPollAt(fresh, Date.now()));
  }
  return { next, pulled };
}

const earliestOf = (a: number | null, b: number | null) => (a == null ? b : b == null ? a : Math.min(a, b));

async function syncCalendar(ctx: HubContext, s: IntegrationSession, row: CalendarRow, isBusy: boolean) {
  // Everything that arrives from now on is not covered by this listing: mark it
  // so a notification during the fetch causes one more run.
  const startedAt = Date.now() - 1;
  const window = { startMs: startedAt - WINDOW_PAST_MS, endMs: startedAt + WINDOW_AHEAD_MS };
  const stored = parseCursor(row.sync_cursor);
  const cursor = stored.fullAt + FULL_RESYNC_EVERY_MS > startedAt ? stored.cursor : null;
  let changes: ChangeSet;
  try {
    changes = await s.provider.listChanges(row.calendar_id, cursor, window);
  } catch (err) {
    if (!(err instanceof CursorInvalidError)) throw err;
    changes = await s.provider.listChanges(row.calendar_id, null, window);
  }
  const fullAt = changes.full ? startedAt : stored.fullAt;
  console.log(`sync: read integration ${s.integ.id} (${changes.full ? "full listing" : "cursor"}): ${changes.items.length} change(s)`);
  await ctx.exclusive(async () => {
    // The label setting can change while we listed (PATCH /api/integrations/:id clears
    // labels and resets cursors): decide labels with the current one, and below save
    // the cursor only if it still holds, so a change mid-run ends in one more full listing.
    const setting = await ctx.env.DB.prepare("SELECT busy_label FROM calendar_integrations WHERE id = ?").bind(s.integ.id).first<{ busy_label: string }>();
    if (setting) s.integ.busy_label = setting.busy_label;
    // Links of every item in one read, busy blocks stored in one write batch (./busy-store.ts).
    const links = await linksOf(ctx, s.integ.id, changes.items.map((i) => i.id));
    const isLinked = (item: ExternalItem) => links.get(item.id)?.external_calendar_id === row.calendar_id;
    // Marked as ACMS's but another clinic's (the doctor works there too and shares this calendar):
    // one batched read, only for marked events no link of ours knows (./other-clinics.ts).
    const foreign = await otherClinicsAppointments(ctx.env, s.integ.clinic_id, changes.items.filter((i) => i.appointmentId && !isLinked(i)).map((i) => i.appointmentId!));
    const busyItems: ExternalItem[] = [];
    // Our own events (linked, or marked as this clinic's): never busy blocks, and a block stored for
    // one before it was known as ours (a create whose answer was lost, a reconnect) is removed.
    const ours = new Set<string>();
    for (const item of changes.items) {
      const linked = isLinked(item);
      const otherClinics = !linked && item.appointmentId != null && foreign.has(item.appointmentId);
      if (linked || (item.appointmentId && !otherClinics)) ours.add(item.id);
      try {
        if (linked) await applyOwnEvent(ctx, s, row.calendar_id, item);
        // Another clinic's appointment: the doctor's busy time like any event, shown as "busy" only
        // (its title is never stored, whatever the label setting: nothing of that clinic leaks here).
        else if (otherClinics) {
          if (isBusy) busyItems.push({ ...item, title: "" });
        }
        // Ours (by private property) but not linked to this integration: an earlier connection's
        // event; it is an appointment already in ACMS, never a busy block.
        else if (!item.appointmentId && isBusy) busyItems.push(item);
      } catch (err) {
        // One bad item must not stop the rest (lesson 10): log it and go on.
        console.error(`sync: item ${item.id} of calendar ${row.calendar_id} failed`, err);
      }
    }
    const ourIds = isBusy ? [...ours] : [];
    try {
      await storeBusyItems(ctx, s, row.calendar_id, busyItems, ourIds);
    } catch (err) {
      // The batch is one transaction: find the bad item by storing one at a time.
      console.error(`sync: bulk busy write of calendar ${row.calendar_id} failed; item by item`, err);
      for (const item of busyItems) await storeBusyItems(ctx, s, row.calendar_id, [item]).catch((e) => console.error(`sync: item ${item.id} failed`, e));
      await storeBusyItems(ctx, s, row.calendar_id, [], ourIds).catch((e) => console.error(`sync: removing blocks of our events failed`, e));
    }
    if (changes.full) await dropUnseenBlocks(ctx, s, row.calendar_id, changes.items, ours);
    await ctx.env.DB.prepare(
      `UPDATE integration_calendars SET sync_cursor = ?, last_polled_at = ? WHERE integration_id = ? AND calendar_id = ?
         AND (SELECT busy_label FROM calendar_integrations WHERE id = ?) = ?`,
    )
      .bind(storeCursor(fullAt, changes.nextCursor), startedAt, s.integ.id, row.calendar_id, s.integ.id, s.integ.busy_label)
      .run();
  });
}

/** One of our events came back changed: the conflict policy decides (inside the lock). */
async function applyOwnEvent(ctx: HubContext, s: IntegrationSession, calendarId: string, item: ExternalItem) {
  const integ = s.integ;
  const link = await linkByExternal(ctx.env, integ.id, item.id);
  if (!link || link.state === "deleted") return;
  if (link.etag && item.etag === link.etag) return; // our own write echoed back
  const appt = await getAppointment(ctx.env.DB, integ.clinic_id, link.appointment_id);
  if (!appt) return; // deleted in ACMS: the outbox deletes it in the provider
  const outcome = resolveSync(acmsSideOf(appt), lastSyncOf(link), extSideOf(item));
  const where = labelOf(integ);
  switch (outcome.action) {
    case "none":
      // e.g. a colour change: remember the new etag so our next patch is not refused.
      await ctx.env.DB.prepare("UPDATE appointment_links SET etag = ?, external_updated_at = ?, updated_at = ? WHERE appointment_id = ? AND integration_id = ?")
        .bind(item.etag, item.updatedMs, Date.now(), link.appointment_id, integ.id)
        .run();
      return;
    case "take_external_timing":
      return takeExternalTiming(ctx, integ, s.tz, appt, item, calendarId, outcome.conflict);
    case "push_acms":
      return runWithNotice(
        ctx,
        requeuePushStatements(ctx, integ, appt, calendarId, item.etag, item.updatedMs, item.sequence ?? null),
        outcome.conflict
          ? notice(integ, appt, "sync_conflict", "sync.conflict", `An appointment was changed both in ACMS and in ${where}. The later edit (in ACMS) wins; ${where} will be updated.`, { winner: "acms", externalUpdated: item.updatedMs, acmsUpdated: appt.updatedAt })
          : null,
      );
    case "recreate_external":
      return runWithNotice(
        ctx,
        requeuePushStatements(ctx, integ, appt, calendarId, null, item.updatedMs),
        notice(integ, appt, "sync_recreated", "sync.recreated",
          `An ACMS appointment was deleted in ${where}. ACMS keeps appointments until they are cancelled in ACMS, so it was put back in ${where}. Cancel it in ACMS if it should not take place.`,
          { externalUpdated: item.updatedMs }),
      );
    case "forget_link":
      await ctx.env.DB.batch([
        upsertLinkStatement(ctx.env, {
          appointmentId: link.appointment_id,
          integrationId: integ.id,
          externalId: link.external_id,
          externalCalendarId: link.external_calendar_id,
          etag: null,
          syncedVersion: appt.version,
          syncedHash: null,
          externalUpdatedAt: item.updatedMs,
          state: "deleted",
          lastError: null,
        }),
      ]);
      return;
  }
}
