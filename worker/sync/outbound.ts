// Outbound: drains the doctor's sync_outbox into every active integration.
// - Rows are hints; the appointment's CURRENT state decides the call (so several
//   rows for one appointment coalesce into one request: create+reschedule before
//   a drain = one insert at the latest version).
// - Idempotent: event id = appointment id; a lost insert answer is retried as a
//   patch (409 → GET → PATCH); patches/deletes carry If-Match with our last etag.
// - 412 (changed in the provider since our last sync) → the conflict policy.
// - Provider fetches happen OUTSIDE the doctor's lock; results are applied inside.
// - Writes only when something the provider shows changed (issue 9): a patient-,
//   notes- or reason-only edit bumps the link's synced version with 0 requests
//   (links.ts shownHash).
// - The account's backoff (./backoff.ts) holds every row for that account without
//   counting an attempt; the first row that met the rate limit counts one.
// - After a (re)connect our own events are listed once and only what differs is
//   written (./reconnect.ts).
// - Every write stamps integration_calendars.last_write_at (taken BEFORE the call, so
//   an echo notification can never look older than it): the echo check (./cadence.ts).
// - Failures: retryable → exponential backoff with jitter (≥ Retry-After), capped at
//   15 minutes, and NEVER given up while the appointment is ahead (issue 17: a 51-minute
//   outage used to drop writes after 12 tries); only a write for a past or deleted
//   appointment stops after MAX_ATTEMPTS, with a visible reason. A failing write marks
//   the integration unhealthy (lastError) and, after a while, tells the doctor (./waiting.ts);
//   the daily reconciliation (./full-reconcile.ts) repairs whatever still differs.
//   Permanent → failed at once with the reason on the row, the link and the integration;
//   dead grant → rows stay pending until the doctor reconnects.
import type { HubContext } from "../hub/work";
import type { Appointment } from "../appointments/model";
import { getAppointment } from "../appointments/queries";
import { ProviderError, PreconditionFailedError, ReconnectRequiredError, backoffMs } from "../providers/http";
import { AccountBackoffError } from "./backoff";
import type { OutboundAppointment, UpsertResult } from "../providers/provider";
import { appointmentUrl } from "../ics/render";
import { resolveSync } from "./policy";
import { hadVideo, linkErrorStatement, linkOf, shownHash, upsertLinkStatement, type LinkRow } from "./links";
import { acmsSideOf, extSideOf, lastSyncOf, notice, runWithNotice, takeExternalTiming } from "./reconcile";
import { backingOff, recordIntegrationError, type IntegrationSession } from "./session";
import { finishOwnListing, loadOwnEvents, showsAppointment } from "./reconnect";
import type { SyncNotice } from "./notify";
import { labelOf, type IntegrationRow } from "./integrations";
import { providerVideoLinkStatements } from "../video/provider-link";
import { tellWaiting } from "./waiting";

/** Tries after which a write for an appointment that is over (or deleted) stops; upcoming ones never stop. */
export const MAX_ATTEMPTS = 12;
/** The longest wait between two tries of a failing write. */
export const MAX_RETRY_WAIT_MS = 15 * 60_000;
const BATCH = 100;

interface OutboxRow {
  id: number;
  clinic_id: string;
  appointment_id: string;
  attempts: number;
  next_attempt_at: number;
}

/** What to do in D1 after the provider calls for one appointment (inside the lock). */
type Apply = (ctx: HubContext) => Promise<void>;

/** The integration columns a pushed event is shaped by (where it goes, whether it carries a Teams meeting). */
const PUSH_SETTINGS = ["id", "status", "write_calendar_id", "account_kind", "teams_types"] as const;
const pushSettingsOf = (rows: Partial<IntegrationRow>[]) => JSON.stringify(rows.map((r) => PUSH_SETTINGS.map((k) => r[k] ?? null)));

export async function drainOutbox(ctx: HubContext, all: IntegrationRow[], sessions: IntegrationSession[]): Promise<number | null> {
  const env = ctx.env;
  const now = Date.now();
  // No calendar connected: nothing to send (openSessions closed the rows with the reason).
  if (all.length === 0) return null;
  const live = sessions.filter((s) => !s.dead && s.integ.write_calendar_id);
  if (live.length === 0) return null; // reconnect needed / not set up yet: rows wait, nothing lost
  // The rows to send, and the settings they will be sent with as they are now (one batch: one
  // snapshot). A settings change made since this run opened its sessions (a doctor choosing
  // Teams types, another write calendar) queues rows of its own for the appointments it affects;
  // sent with this run's older settings, they would be closed having pushed the old shape (an
  // Outlook event without its Teams meeting). Then this drain sends nothing and asks for a run
  // at once (the hub's alarm), which opens its sessions with the new settings. Both reads are in
  // id order (sessionReads, ./session.ts), so equal settings compare equal.
  const [outbox, settings] = await env.DB.batch([
    env.DB.prepare("SELECT id, clinic_id, appointment_id, attempts, next_attempt_at FROM sync_outbox WHERE doctor_id = ? AND state = 'pending' ORDER BY id LIMIT ?").bind(
      ctx.doctorId,
      BATCH,
    ),
    env.DB.prepare(`SELECT ${PUSH_SETTINGS.join(", ")} FROM calendar_integrations WHERE doctor_id = ? ORDER BY id`).bind(ctx.doctorId),
  ]);
  if (pushSettingsOf(settings.results as IntegrationRow[]) !== pushSettingsOf(all)) return Date.now();
  const rows = outbox.results as OutboxRow[];
  for (const s of live) if (!backingOff(s)) await loadOwnEvents(s);
  const groups = new Map<string, OutboxRow[]>();
  for (const r of rows) groups.set(r.appointment_id, [...(groups.get(r.appointment_id) ?? []), r]);

  for (const [appointmentId, group] of groups) {
    if (group.every((r) => r.next_attempt_at > now)) continue; // backing off (a fresh row, e.g. a requeue, runs now)
    const clinicId = group[0].clinic_id;
    const maxId = Math.max(...group.map((r) => r.id));
    const attempts = Math.max(...group.map((r) => r.attempts));
    const appt = await getAppointment(env.DB, clinicId, appointmentId);
    const applies: Apply[] = [];
    let retryable: ProviderError | Error | null = null;
    let permanent: ProviderError | null = null;
    let waiting = false;
    for (const s of live) {
      // Dead grant, or the account backing off: the row waits (no attempt counted).
      if (s.dead || backingOff(s)) {
        waiting = true;
        continue;
      }
      try {
        applies.push(await pushOne(ctx, s, appointmentId, appt));
      } catch (err) {
        if (err instanceof ReconnectRequiredError || err instanceof AccountBackoffError) waiting = true;
        else if (err instanceof ProviderError && !err.retryable) {
          permanent = err;
          applies.push(async (c) => {
            await c.env.DB.batch([linkErrorStatement(c.env, appointmentId, s.integ.id, s.integ.write_calendar_id!, describe(err))]);
            await recordIntegrationError(c, s, `${labelOf(s.integ)}: ${describe(err)}`);
          });
        } else {
          retryable = err as Error;
          // A failing write makes the integration unhealthy, not only a failing read (once per run).
          if (!s.failed) await recordIntegrationError(ctx, s, `${labelOf(s.integ)}: changes could not be written (${describe(err)}); retrying`);
          s.failed = true;
        }
      }
    }
    await ctx.exclusive(async () => {
      for (const a of applies) await a(ctx);
      const t = Date.now();
      if (permanent) {
        await env.DB.prepare("UPDATE sync_outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE doctor_id = ? AND appointment_id = ? AND state = 'pending' AND id <= ?")
          .bind(describe(permanent), t, ctx.doctorId, appointmentId, maxId)
          .run();
      } else if (retryable) {
        const err = retryable as Error;
        const n = attempts + 1;
        // Never dropped while the appointment is ahead; the patient and the doctor rely on it.
        const over = appt == null || Date.parse(appt.end) <= t;
        if (n >= MAX_ATTEMPTS && over) {
          const reason = `gave up after ${n} attempts: ${describe(err)}`;
          await env.DB.batch([
            env.DB.prepare("UPDATE sync_outbox SET state = 'failed', attempts = ?, last_error = ?, updated_at = ? WHERE doctor_id = ? AND appointment_id = ? AND state = 'pending' AND id <= ?")
              .bind(n, reason, t, ctx.doctorId, appointmentId, maxId),
            ...live.map((s) => linkErrorStatement(env, appointmentId, s.integ.id, s.integ.write_calendar_id!, reason)),
          ]);
        } else {
          const wait = Math.max((err as ProviderError).retryAfterMs ?? 0, backoffMs(n, 2_000, MAX_RETRY_WAIT_MS));
          await env.DB.prepare("UPDATE sync_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE doctor_id = ? AND appointment_id = ? AND state = 'pending' AND id <= ?")
            .bind(n, t + wait, describe(err), t, ctx.doctorId, appointmentId, maxId)
            .run();
        }
      } else if (!waiting) {
        await env.DB.prepare("UPDATE sync_outbox SET state = 'done', last_error = NULL, updated_at = ? WHERE doctor_id = ? AND appointment_id = ? AND state = 'pending' AND id <= ?")
          .bind(t, ctx.doctorId, appointmentId, maxId)
          .run();
      }
    });
  }
  if (rows.length < BATCH) await finishOwnListing(ctx, live);
  await tellWaiting(ctx, live.map((s) => s.integ));
  if (live.every((s) => s.dead)) return null;
  const next = await env.DB.prepare("SELECT MIN(next_attempt_at) AS at FROM sync_outbox WHERE doctor_id = ? AND state = 'pending'")
    .bind(ctx.doctorId)
    .first<{ at: number | null }>();
  const at = next?.at ?? null;
  // Rows held only by an account's backoff are due again when it ends, not now (no busy alarm loop).
  const held = live.filter((s) => !s.dead && backingOff(s)).map((s) => s.backoff.until!);
  return at == null || held.length === 0 ? at : Math.max(at, Math.min(...held));
}

export const describe = (err: unknown) =>
  err instanceof ProviderError ? `${err.status || ""} ${err.reason || err.name}: ${err.message}`.trim() : String((err as Error)?.message ?? err);

function outbound(ctx: HubContext, appt: Appointment, tz: string, videoUrl: string | null): OutboundAppointment {
  return {
    appointmentId: appt.id,
    doctorId: appt.doctorId,
    clinicId: appt.clinicId,
    version: appt.version,
    startMs: Date.parse(appt.start),
    endMs: Date.parse(appt.end),
    status: appt.status,
    url: appointmentUrl(ctx.env.APP_URL, appt.id),
    timeZone: tz,
    appointmentType: appt.type,
    videoUrl,
  };
}

/** Provider calls for one appointment and one integration (outside the lock); returns the D1 apply step. */
async function pushOne(ctx: HubContext, s: IntegrationSession, appointmentId: string, appt: Appointment | null): Promise<Apply> {
  const integ = s.integ;
  const cal = integ.write_calendar_id!;
  const link = await linkOf(ctx.env, appointmentId, integ.id);
  const wanted = appt != null && appt.status !== "cancelled" && appt.doctorId === integ.doctor_id;

  const wroteAt = Date.now();
  // A link into a calendar the integration no longer has (the account was replaced by a
  // reconnect, or the calendar is gone) is never deleted through the provider: these
  // credentials belong elsewhere (a CalDAV password sent to the old server). It is only
  // marked deleted here.
  // An event being replaced for a new meeting (renewMeeting) has its link marked deleted BEFORE its
  // DELETE is sent; until the new event exists, that DELETE may still be owed.
  const retiring = link != null && link.state === "deleted" && link.join_url != null && s.provider.ownMeetings === true;
  const linkReachable =
    link != null && (link.state !== "deleted" || retiring) && (link.external_calendar_id === cal || (await hasCalendar(ctx, integ.id, link.external_calendar_id)));
  if (!wanted) {
    if (!link || (link.state === "deleted" && !retiring)) return async () => {};
    if (linkReachable) {
      try {
        await s.provider.deleteEvent(link.external_calendar_id, link.external_id, link.etag);
      } catch (err) {
        // Changed in the provider meanwhile: the status is ACMS's to decide, delete anyway.
        if (!(err instanceof PreconditionFailedError)) throw err;
        await s.provider.deleteEvent(link.external_calendar_id, link.external_id, null);
      }
    }
    return async (c) => {
      await c.env.DB.batch([
        wroteStatement(c, integ.id, link.external_calendar_id, wroteAt),
        upsertLinkStatement(c.env, {
          appointmentId,
          integrationId: integ.id,
          externalId: link.external_id,
          externalCalendarId: link.external_calendar_id,
          etag: null,
          syncedVersion: appt?.version ?? link.synced_version,
          syncedHash: null,
          externalUpdatedAt: link.external_updated_at,
          state: "deleted",
          lastError: null,
        }),
        // The event is gone, and its meeting with it.
        c.env.DB.prepare("UPDATE appointment_links SET join_url = NULL WHERE appointment_id = ? AND integration_id = ?").bind(appointmentId, integ.id),
      ]);
    };
  }

  const a = appt!;
  const video = await ctx.env.DB.prepare("SELECT url FROM appointment_video WHERE appointment_id = ?").bind(a.id).first<{ url: string }>();
  const videoUrl = video?.url ?? null;
  const body = outbound(ctx, a, s.tz, videoUrl);
  // The provider's copy had a higher SEQUENCE (another client edited it): never write a lower one.
  if (link?.external_sequence != null) body.sequenceAtLeast = link.external_sequence + 1;
  // The event carries a meeting the provider made (Teams) that is no longer the appointment's video
  // link: staff replaced the patient, and worker/video/effect.ts gave the visit a new room in the
  // same batch as that change, because the old patient has the meeting's link. Any update of the
  // event would bring the same meeting back (the provider keeps it for the event's life): the event
  // is replaced by a new one, with a new meeting. Before that (or if it keeps failing) the
  // appointment's link stays the new room; the old meeting's link is never stored again.
  if (s.provider.ownMeetings && link?.join_url && link.external_calendar_id === cal && videoUrl !== link.join_url)
    return renewMeeting(ctx, s, link, a, body, videoUrl, wroteAt);
  if (link && link.state === "synced" && link.external_calendar_id === cal) {
    // Nothing the provider shows changed (patient, notes, reason, type): no request. A version
    // already written is skipped only if what it showed is still what we would write: a video
    // link turned on or off (no new version, worker/video/toggle.ts) while a push of this version
    // was in flight must still go out after it.
    const same = link.synced_hash === shownHash(body);
    if (same) return link.synced_version >= a.version ? async () => {} : (c) => markSynced(c, link, a.version);
  }
  // The event was written with a video link the visit no longer has: providers that patch
  // (Google) clear where they put it.
  if (!videoUrl && hadVideo(link?.synced_hash ?? null)) body.clearsVideo = true;
  let current: LinkRow | null = link;
  let knownEtag: string | null | undefined;
  const own = s.own?.get(a.id);
  if (s.own && (!link || link.state !== "synced") && (!link || link.external_calendar_id === cal)) {
    // Reconnect: our event's current state is known from the one listing.
    if (own && showsAppointment(own, a)) {
      const synced: LinkRow = { appointment_id: a.id, integration_id: integ.id, external_id: own.id, external_calendar_id: cal, etag: own.etag,
        synced_version: 0, synced_hash: shownHash(body), external_updated_at: own.updatedMs, state: "synced", last_error: null };
      return (c) => markSynced(c, synced, a.version);
    }
    knownEtag = own ? own.etag : null; // differs → one guarded PATCH; absent → one insert
  }
  if (link && link.external_calendar_id !== cal && link.state !== "deleted") {
    // The doctor picked another write calendar: move the event (delete there, insert here).
    // Not one of the integration's calendars any more: forget it there, create here.
    if (linkReachable) await s.provider.deleteEvent(link.external_calendar_id, link.external_id, null);
    current = null;
  }
  let conflictNotice: SyncNotice | null = null;
  let result;
  try {
    result = await s.provider.upsertEvent(
      cal,
      body,
      knownEtag !== undefined ? knownEtag : current?.state === "deleted" ? null : (current?.etag ?? null),
      current?.external_id ?? null,
    );
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
    // The event changed in the provider since our last sync: decide by the policy.
    const ext = await s.provider.getEvent(cal, current?.external_id ?? own?.id ?? a.id);
    if (ext?.sequence != null) body.sequenceAtLeast = Math.max(body.sequenceAtLeast ?? 0, ext.sequence + 1);
    if (ext && !ext.cancelled && ext.timing) {
      const outcome = resolveSync(acmsSideOf(a), lastSyncOf(current), extSideOf(ext));
      if (outcome.action === "take_external_timing")
        return (c) => takeExternalTiming(c, integ, s.tz, a, ext, cal, outcome.conflict);
      if (outcome.action === "push_acms" && outcome.conflict) conflictNotice = acmsWonNotice(integ, a, ext);
    }
    // No link (the event was known only from the reconnect listing): its id is the listed one's.
    result = await s.provider.upsertEvent(cal, body, ext && !ext.cancelled ? ext.etag : null, current?.external_id ?? own?.id ?? null);
  }
  return appliedWrite(integ, a, cal, body, result, videoUrl, wroteAt, conflictNotice);
}

/** The D1 step after a write of `body` that the provider answered with `r` (inside the lock). */
function appliedWrite(integ: IntegrationRow, a: Appointment, cal: string, body: OutboundAppointment, r: UpsertResult, videoUrl: string | null, wroteAt: number, conflictNotice: SyncNotice | null): Apply {
  const appointmentId = a.id;
  return async (c) => {
    await runWithNotice(c, [
      wroteStatement(c, integ.id, cal, wroteAt),
      upsertLinkStatement(c.env, {
        appointmentId,
        integrationId: integ.id,
        externalId: r.id,
        externalCalendarId: cal,
        etag: r.etag,
        syncedVersion: a.version,
        syncedHash: shownHash(body),
        externalUpdatedAt: r.updatedMs,
        state: "synced",
        lastError: null,
      }),
      // An online-meeting link the provider made (Teams) is kept with the link; it is not PHI.
      ...(r.joinUrl !== undefined
        ? [c.env.DB.prepare("UPDATE appointment_links SET join_url = ? WHERE appointment_id = ? AND integration_id = ?").bind(r.joinUrl, appointmentId, integ.id)]
        : []),
      // ...and becomes the appointment's video link (reminders, patient page, .ics, an updated invite),
      // unless that link changed while the provider was called (a patient replaced meanwhile: the
      // meeting is the old patient's; the next push makes a new one, renewMeeting).
      ...(r.joinUrl ? providerVideoLinkStatements(c.env.DB, { appointmentId, clinicId: integ.clinic_id }, "teams", r.joinUrl, videoUrl) : []),
    ], conflictNotice);
  };
}

/**
 * Replaces the appointment's event by a new one, for a new provider-made meeting (see pushOne).
 * Never two events in the doctor's calendar: the old one is deleted first and the new one created
 * only after that succeeded; a failure of either throws (retried by the outbox like any write) and
 * the next try does the same: the DELETE again (an event already gone counts as done), then the
 * create, whose id is found again if its answer was lost (Graph: our property look-up, and a
 * transactionId that is the same on every retry). The link says the event is going before the
 * DELETE is sent (state 'deleted', inside the lock), so the provider's notification of our own
 * delete is not taken for the doctor deleting the appointment there (inbound.ts skips deleted
 * links: no "put back" of the old event, no notice). The link's join_url stays the old meeting's
 * until the new event exists: that is what keeps this step due on a retry.
 * The DELETE is guarded by the etag last read: a change the doctor made in their calendar since
 * (a move; its notification is skipped while the link says 'deleted') answers 412, and is judged
 * by the policy like any write's 412: the doctor's later move is taken (the appointment moves, and
 * the replacement is made at the new time by the push that follows), or ACMS's later edit wins
 * and the event is replaced as planned.
 */
async function renewMeeting(ctx: HubContext, s: IntegrationSession, link: LinkRow, a: Appointment, body: OutboundAppointment, videoUrl: string | null, wroteAt: number): Promise<Apply> {
  const integ = s.integ;
  const cal = link.external_calendar_id;
  if (link.state !== "deleted")
    await ctx.exclusive(() =>
      ctx.env.DB.batch([
        wroteStatement(ctx, integ.id, cal, wroteAt),
        ctx.env.DB.prepare("UPDATE appointment_links SET state = 'deleted', updated_at = ? WHERE appointment_id = ? AND integration_id = ? AND external_id = ?").bind(
          Date.now(),
          a.id,
          integ.id,
          link.external_id,
        ),
      ]),
    );
  let conflictNotice: SyncNotice | null = null;
  try {
    await s.provider.deleteEvent(cal, link.external_id, link.etag);
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
    const ext = await s.provider.getEvent(cal, link.external_id);
    if (ext && !ext.cancelled && ext.timing) {
      const outcome = resolveSync(acmsSideOf(a), lastSyncOf(link), extSideOf(ext));
      // The link goes back to 'synced' at the provider's etag (takeExternalTiming), the meeting
      // still the old one: the push after the move replaces the event at its new time. A "move"
      // to the time the appointment already has changes nothing (no new version, no push to
      // follow): the replacement goes on now.
      const sameTime = ext.timing.startMs === Date.parse(a.start) && ext.timing.endMs === Date.parse(a.end);
      if (outcome.action === "take_external_timing" && !sameTime) return (c) => takeExternalTiming(c, integ, s.tz, a, ext, cal, outcome.conflict);
      if (outcome.action === "push_acms" && outcome.conflict) conflictNotice = acmsWonNotice(integ, a, ext);
    }
    await s.provider.deleteEvent(cal, link.external_id, ext && !ext.cancelled ? ext.etag : null);
  }
  console.log(`sync: event of appointment ${a.id} replaced for a new meeting (integration ${integ.id})`);
  // No etag: a create. The old id tells a provider with server-made ids that this create replaces it
  // (Graph: a transactionId of its own, not the one the old event was made with).
  const r = await s.provider.upsertEvent(cal, body, null, link.external_id);
  return appliedWrite(integ, a, cal, body, r, videoUrl, wroteAt, conflictNotice);
}

/** Both sides changed and ACMS's edit is the later: the doctor is told their calendar was updated. */
function acmsWonNotice(integ: IntegrationRow, a: Appointment, ext: { updatedMs: number | null }): SyncNotice {
  return notice(integ, a, "sync_conflict", "sync.conflict",
    `An appointment was changed both in ACMS and in ${labelOf(integ)}. The later edit (in ACMS) wins; ${labelOf(integ)} was updated.`,
    { winner: "acms", externalUpdated: ext.updatedMs, acmsUpdated: a.updatedAt });
}

/** Whether the calendar is (still) one of the integration's (integration_calendars). */
async function hasCalendar(ctx: HubContext, integrationId: string, calendarId: string): Promise<boolean> {
  return (await ctx.env.DB.prepare("SELECT 1 AS x FROM integration_calendars WHERE integration_id = ? AND calendar_id = ?").bind(integrationId, calendarId).first()) != null;
}

/** Our write to this calendar, for the echo check (cadence.ts): the time taken before the call. */
function wroteStatement(c: HubContext, integrationId: string, calendarId: string, at: number) {
  return c.env.DB.prepare("UPDATE integration_calendars SET last_write_at = ? WHERE integration_id = ? AND calendar_id = ?").bind(at, integrationId, calendarId);
}

/** The provider already shows this version: record it as synced without a request. */
async function markSynced(c: HubContext, l: LinkRow, version: number) {
  await c.env.DB.batch([
    upsertLinkStatement(c.env, {
      appointmentId: l.appointment_id,
      integrationId: l.integration_id,
      externalId: l.external_id,
      externalCalendarId: l.external_calendar_id,
      etag: l.etag,
      syncedVersion: version,
      syncedHash: l.synced_hash,
      externalUpdatedAt: l.external_updated_at,
      state: "synced",
      lastError: null,
    }),
  ]);
}
