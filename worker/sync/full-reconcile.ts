// Our appointments compared with the provider's events (issue #17 "never lose or resurrect
// an event"): once after a connect that makes a new integration row (the first connect, or one
// after a disconnect, which deletes the row) and then daily (RECONCILE_EVERY_MS), from ONE listing
// of our own events in the write calendar (provider.listOwnEvents, or a full listing of the
// calendar for providers without it). Runs before the outbox drain, so nothing ACMS writes
// overwrites an edit made at the provider before it was judged.
//
// provider → ACMS, per listed event of ours that no link knows (e.g. after a disconnect
// deleted the links):
//   - its appointment is cancelled, deleted, another doctor's, or already has another
//     event → the event is deleted at the provider (it would block the doctor's own calendar
//     forever: the bug was an appointment cancelled while disconnected staying live);
//   - its appointment is another clinic's (the doctor works there too and shares the calendar),
//     or an id this D1 never had in this clinic → left alone: that clinic's to judge, and busy
//     time here (./other-clinics.ts, inbound.ts);
//   - it shows the appointment → the link is recorded, 0 requests;
//   - its time differs → judged by the same policy as any provider edit: a newer provider
//     move is taken like the doctor's own edit (accepted: sync_moved notice; refused by
//     working hours or a clash: set back, sync_rejected notice); an older one is overwritten
//     with ACMS's time (one PATCH guarded by its etag). Before, it was silently reverted.
// ACMS → provider:
//   - a synced link whose event the listing does not have → the event was deleted there:
//     re-created, and the doctor told (policy.ts recreate_external). Only for appointments
//     starting inside the listed window (7 days back to 400 ahead): later ones were not listed;
//   - upcoming appointments with no synced event (a write an older version gave up on, a
//     link in error) → queued again (backfill.ts).
// Linked events that changed are the incremental reads' business (inbound.ts applyOwnEvent).
// The decisions are applied inside the doctor's lock; provider deletions are sent after it.
import type { HubContext } from "../hub/work";
import { getAppointment } from "../appointments/queries";
import type { ExternalItem } from "../providers/provider";
import { backfillStatement } from "./backfill";
import { labelOf } from "./integrations";
import { linkByExternal, linkOf, shownHash, upsertLinkStatement } from "./links";
import { resolveSync } from "./policy";
import { acmsSideOf, extSideOf, notice, requeuePushStatements, runWithNotice, takeExternalTiming } from "./reconcile";
import { showsAppointment } from "./reconnect";
import { backingOff, type IntegrationSession } from "./session";
import { otherClinicsAppointments } from "./other-clinics";
import { WINDOW_AHEAD_MS, WINDOW_PAST_MS } from "./window";

/**
 * A full comparison at least this often, and at once on a new integration row (reconciled_at is
 * NULL). Re-authorising an existing row (a dead grant) keeps reconciled_at: that reconnect gets
 * the cheap own-event listing (./reconnect.ts), and this comparison at its usual time.
 */
export const RECONCILE_EVERY_MS = 24 * 60 * 60_000;

export const reconcileDueAt = (s: IntegrationSession) => (s.integ.reconciled_at ?? 0) + RECONCILE_EVERY_MS;

/** Compares our events with our appointments when due; returns when it is next due. */
export async function reconcileWithProvider(ctx: HubContext, s: IntegrationSession): Promise<number | null> {
  const cal = s.integ.write_calendar_id;
  if (!cal || s.dead) return null;
  const now = Date.now();
  if (reconcileDueAt(s) > now) return reconcileDueAt(s);
  if (backingOff(s)) return s.backoff.until;
  const startedAt = now;
  const window = { startMs: now - WINDOW_PAST_MS, endMs: now + WINDOW_AHEAD_MS };
  let items: ExternalItem[];
  try {
    items = s.provider.listOwnEvents
      ? await s.provider.listOwnEvents(cal, window, s.integ.doctor_id)
      : (await s.provider.listChanges(cal, null, window)).items.filter((i) => i.appointmentId);
  } catch (err) {
    // Not fatal: writes stay idempotent; the account's backoff or the next run retries.
    console.warn("sync: reconciliation listing failed", { integration: s.integ.id, err: String(err) });
    s.failed = true;
    return backingOff(s) ? s.backoff.until : now + 5 * 60_000;
  }
  // The outbox drain after a (re)connect uses the same listing (./reconnect.ts), not a second one.
  if (s.provider.listOwnEvents && s.integ.own_listing_due) s.own = new Map(items.filter((i) => i.appointmentId).map((i) => [i.appointmentId!, i]));
  // Events of another clinic's appointments (the doctor works there too, same calendar) are that
  // clinic's to judge: never adopted, never deleted here (./other-clinics.ts). One batched read.
  const foreign = await otherClinicsAppointments(ctx.env, s.integ.clinic_id, items.filter((i) => i.appointmentId).map((i) => i.appointmentId!));
  await ctx.exclusive(async () => {
    for (const item of items) {
      if (item.appointmentId && foreign.has(item.appointmentId)) continue;
      const link = await linkByExternal(ctx.env, s.integ.id, item.id);
      if (link && link.external_calendar_id === cal && link.state !== "deleted") continue;
      try {
        await adoptOwnEvent(ctx, s, cal, item);
      } catch (err) {
        console.error(`sync: reconciling event ${item.id} failed`, err); // one bad item must not stop the rest
      }
    }
    await repairMissing(ctx, s, cal, items, startedAt, window.endMs);
    await ctx.env.DB.prepare("UPDATE calendar_integrations SET reconciled_at = ? WHERE id = ?").bind(startedAt, s.integ.id).run();
    s.integ.reconciled_at = startedAt;
  });
  await deleteOrphans(s);
  return startedAt + RECONCILE_EVERY_MS;
}

/** A link written this recently may not be in a listing that started meanwhile: not judged "deleted there". */
const FRESH_LINK_MS = 60_000;

async function adoptOwnEvent(ctx: HubContext, s: IntegrationSession, calendarId: string, item: ExternalItem): Promise<void> {
  const integ = s.integ;
  if (item.cancelled || !item.appointmentId) return;
  const env = ctx.env;
  // Another clinic's appointments were skipped by the caller: this clinic's (or a deleted one of it).
  const appt = await getAppointment(env.DB, integ.clinic_id, item.appointmentId);
  const link = await linkOf(env, item.appointmentId, integ.id);
  const duplicate = link?.state === "synced" && link.external_id !== item.id;
  if (!appt || appt.status === "cancelled" || appt.doctorId !== integ.doctor_id || duplicate) {
    s.orphans.push({ calendarId, eventId: item.id });
    return;
  }
  const video = await env.DB.prepare("SELECT url FROM appointment_video WHERE appointment_id = ?").bind(appt.id).first<{ url: string }>();
  const hash = shownHash({ startMs: Date.parse(appt.start), endMs: Date.parse(appt.end), status: appt.status, timeZone: s.tz, videoUrl: video?.url ?? null });
  const linkTo = (state: "synced" | "pending") =>
    upsertLinkStatement(env, {
      appointmentId: appt.id,
      integrationId: integ.id,
      externalId: item.id,
      externalCalendarId: calendarId,
      etag: item.etag,
      syncedVersion: state === "synced" ? appt.version : 0,
      syncedHash: state === "synced" ? hash : null,
      externalUpdatedAt: item.updatedMs,
      state,
      lastError: null,
    });
  if (showsAppointment(item, appt)) {
    await env.DB.batch([linkTo("synced")]);
    return;
  }
  // The event is ours from now on (its id, its etag), whatever the policy decides below.
  await env.DB.batch([linkTo("pending")]);
  const sameTiming = item.timing != null && item.timing.startMs === Date.parse(appt.start) && item.timing.endMs === Date.parse(appt.end);
  // Nothing is known of the last agreement: a provider edit counts when the event's time differs
  // from ACMS's, and the later edit wins (no conflict notice: which side changed is unknown).
  const outcome = sameTiming
    ? ({ action: "push_acms", conflict: false } as const)
    : resolveSync(acmsSideOf(appt), { syncedVersion: appt.version, externalUpdatedMs: null, syncedStartMs: null, syncedEndMs: null }, extSideOf(item));
  if (outcome.action === "take_external_timing") return takeExternalTiming(ctx, integ, s.tz, appt, item, calendarId, false);
  await runWithNotice(ctx, requeuePushStatements(ctx, integ, appt, calendarId, item.etag, item.updatedMs, item.sequence ?? null), null);
}

/** After listing our events: repair what the provider lost, queue what never arrived. */
async function repairMissing(ctx: HubContext, s: IntegrationSession, calendarId: string, items: ExternalItem[], startedAt: number, listedUntil: number) {
  const integ = s.integ;
  const env = ctx.env;
  const seen = new Set(items.filter((i) => !i.cancelled).map((i) => i.id));
  // Only appointments inside the listed window can be missing from the listing: one starting
  // after its end (> 400 days ahead) was never listed, so it was "put back" every day (a
  // notice, a write without etag and, at Outlook, a second event each day).
  const lost = (
    await env.DB.prepare(
      `SELECT l.appointment_id, l.external_id FROM appointment_links l JOIN appointments a ON a.id = l.appointment_id
       WHERE l.integration_id = ? AND l.external_calendar_id = ? AND l.state = 'synced' AND l.updated_at < ?
         AND a.doctor_id = ? AND a.status != 'cancelled' AND a.end_ms > ? AND a.start_ms < ?`,
    )
      .bind(integ.id, calendarId, startedAt - FRESH_LINK_MS, integ.doctor_id, startedAt, listedUntil)
      .all<{ appointment_id: string; external_id: string }>()
  ).results.filter((l) => !seen.has(l.external_id));
  const where = labelOf(integ);
  for (const l of lost) {
    const appt = await getAppointment(env.DB, integ.clinic_id, l.appointment_id);
    if (!appt) continue;
    await runWithNotice(
      ctx,
      requeuePushStatements(ctx, integ, appt, calendarId, null, null),
      notice(integ, appt, "sync_recreated", "sync.recreated",
        `An ACMS appointment was missing from ${where}. ACMS keeps appointments until they are cancelled in ACMS, so it was put back in ${where}. Cancel it in ACMS if it should not take place.`,
        { found: "reconciliation" }),
    );
  }
  await env.DB.batch([backfillStatement(env, integ.id, integ.doctor_id, calendarId, Date.now())]);
}

/** Deletes the events adoptOwnEvent found orphaned (outside the lock). A failure is retried at the next listing. */
async function deleteOrphans(s: IntegrationSession) {
  const todo = s.orphans.splice(0);
  for (const o of todo) {
    try {
      await s.provider.deleteEvent(o.calendarId, o.eventId, null);
      console.log(`sync: removed an event of ours with no live appointment behind it (integration ${s.integ.id})`);
    } catch (err) {
      console.warn("sync: removing an orphaned event failed; the next full listing tries again", { integration: s.integ.id, err: String(err) });
    }
  }
}
