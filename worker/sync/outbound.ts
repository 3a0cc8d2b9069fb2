// Outbound: drains the doctor's sync_outbox into every active integration.
// - Rows are hints; the appointment's CURRENT state decides the call (so several
//   rows for one appointment coalesce into one request: create+reschedule before
//   a drain = one insert at the latest version).
// - Idempotent: event id = appointment id; a lost insert answer is retried as a
//   patch (409 → GET → PATCH); patches/deletes carry If-Match with our last etag.
// - 412 (changed in the provider since our last sync) → the conflict policy.
// - Provider fetches happen OUTSIDE the doctor's lock; results are applied inside.
// - Failures: retryable → exponential backoff with jitter (≥ Retry-After), given
//   up after MAX_ATTEMPTS with a visible reason; permanent → failed at once with
//   the reason on the row, the link and the integration; dead grant → rows stay
//   pending until the doctor reconnects. Nothing is dropped silently.
import type { HubContext } from "../hub/work";
import type { Appointment } from "../appointments/model";
import { getAppointment } from "../appointments/queries";
import { ProviderError, PreconditionFailedError, ReconnectRequiredError, backoffMs } from "../providers/http";
import type { OutboundAppointment } from "../providers/provider";
import { appointmentUrl } from "../ics/render";
import { resolveSync } from "./policy";
import { linkErrorStatement, linkOf, timingHash, upsertLinkStatement, type LinkRow } from "./links";
import { acmsSideOf, extSideOf, lastSyncOf, notice, runWithNotice, takeExternalTiming } from "./reconcile";
import { recordIntegrationError, type IntegrationSession } from "./session";
import type { SyncNotice } from "./notify";
import { label, type IntegrationRow } from "./integrations";

export const MAX_ATTEMPTS = 12;
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

export async function drainOutbox(ctx: HubContext, all: IntegrationRow[], sessions: IntegrationSession[]): Promise<number | null> {
  const env = ctx.env;
  const now = Date.now();
  if (all.length === 0) {
    // No calendar connected: nothing to send; close the rows with the reason.
    await env.DB.prepare("UPDATE sync_outbox SET state = 'done', last_error = 'no calendar integration', updated_at = ? WHERE doctor_id = ? AND state = 'pending'")
      .bind(now, ctx.doctorId)
      .run();
    return null;
  }
  const live = sessions.filter((s) => !s.dead && s.integ.write_calendar_id);
  if (live.length === 0) return null; // reconnect needed / not set up yet: rows wait, nothing lost
  const rows = (
    await env.DB.prepare(
      "SELECT id, clinic_id, appointment_id, attempts, next_attempt_at FROM sync_outbox WHERE doctor_id = ? AND state = 'pending' ORDER BY id LIMIT ?",
    )
      .bind(ctx.doctorId, BATCH)
      .all<OutboxRow>()
  ).results;
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
      if (s.dead) {
        waiting = true;
        continue;
      }
      try {
        applies.push(await pushOne(ctx, s, appointmentId, appt));
      } catch (err) {
        if (err instanceof ReconnectRequiredError) waiting = true;
        else if (err instanceof ProviderError && !err.retryable) {
          permanent = err;
          applies.push(async (c) => {
            await c.env.DB.batch([linkErrorStatement(c.env, appointmentId, s.integ.id, s.integ.write_calendar_id!, describe(err))]);
            await recordIntegrationError(c, s, `${label(s.integ.provider)}: ${describe(err)}`);
          });
        } else {
          retryable = err as Error;
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
        if (n >= MAX_ATTEMPTS) {
          const reason = `gave up after ${n} attempts: ${describe(err)}`;
          await env.DB.batch([
            env.DB.prepare("UPDATE sync_outbox SET state = 'failed', attempts = ?, last_error = ?, updated_at = ? WHERE doctor_id = ? AND appointment_id = ? AND state = 'pending' AND id <= ?")
              .bind(n, reason, t, ctx.doctorId, appointmentId, maxId),
            ...live.map((s) => linkErrorStatement(env, appointmentId, s.integ.id, s.integ.write_calendar_id!, reason)),
          ]);
        } else {
          const wait = Math.max((err as ProviderError).retryAfterMs ?? 0, backoffMs(n, 2_000, 15 * 60_000));
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
  if (live.every((s) => s.dead)) return null;
  const next = await env.DB.prepare("SELECT MIN(next_attempt_at) AS at FROM sync_outbox WHERE doctor_id = ? AND state = 'pending'")
    .bind(ctx.doctorId)
    .first<{ at: number | null }>();
  return next?.at ?? null;
}

export const describe = (err: unknown) =>
  err instanceof ProviderError ? `${err.status || ""} ${err.reason || err.name}: ${err.message}`.trim() : String((err as Error)?.message ?? err);

function outbound(ctx: HubContext, appt: Appointment, tz: string): OutboundAppointment {
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
  };
}

/** Provider calls for one appointment and one integration (outside the lock); returns the D1 apply step. */
async function pushOne(ctx: HubContext, s: IntegrationSession, appointmentId: string, appt: Appointment | null): Promise<Apply> {
  const integ = s.integ;
  const cal = integ.write_calendar_id!;
  const link = await linkOf(ctx.env, appointmentId, integ.id);
  const wanted = appt != null && appt.status !== "cancelled" && appt.doctorId === integ.doctor_id;

  if (!wanted) {
    if (!link || link.state === "deleted") return async () => {};
    try {
      await s.provider.deleteEvent(link.external_calendar_id, link.external_id, link.etag);
    } catch (err) {
      // Changed in the provider meanwhile: the status is ACMS's to decide, delete anyway.
      if (!(err instanceof PreconditionFailedError)) throw err;
      await s.provider.deleteEvent(link.external_calendar_id, link.external_id, null);
    }
    return async (c) => {
      await c.env.DB.batch([
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
      ]);
    };
  }

  const a = appt!;
  if (link && link.state === "synced" && link.synced_version >= a.version && link.external_calendar_id === cal) return async () => {};
  let current: LinkRow | null = link;
  if (link && link.external_calendar_id !== cal && link.state !== "deleted") {
    // The doctor picked another write calendar: move the event (delete there, insert here).
    await s.provider.deleteEvent(link.external_calendar_id, link.external_id, null);
    current = null;
  }
  const body = outbound(ctx, a, s.tz);
  let conflictNotice: SyncNotice | null = null;
  let result;
  try {
    result = await s.provider.upsertEvent(cal, body, current?.state === "deleted" ? null : (current?.etag ?? null), current?.external_id ?? null);
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
    // The event changed in the provider since our last sync: decide by the policy.
    const ext = await s.provider.getEvent(cal, current!.external_id);
    if (ext && !ext.cancelled && ext.timing) {
      const outcome = resolveSync(acmsSideOf(a), lastSyncOf(current), extSideOf(ext));
      if (outcome.action === "take_external_timing")
        return (c) => takeExternalTiming(c, integ, s.tz, a, ext, cal, outcome.conflict);
      if (outcome.action === "push_acms" && outcome.conflict)
        conflictNotice = notice(integ, a, "sync_conflict", "sync.conflict",
          `An appointment was changed both in ACMS and in ${label(integ.provider)}. The later edit (in ACMS) wins; ${label(integ.provider)} was updated.`,
          { winner: "acms", externalUpdated: ext.updatedMs, acmsUpdated: a.updatedAt });
    }
    result = await s.provider.upsertEvent(cal, body, ext && !ext.cancelled ? ext.etag : null, current!.external_id);
  }
  const r = result;
  return async (c) => {
    await runWithNotice(c, [
      upsertLinkStatement(c.env, {
        appointmentId,
        integrationId: integ.id,
        externalId: r.id,
        externalCalendarId: cal,
        etag: r.etag,
        syncedVersion: a.version,
        syncedHash: timingHash(body.startMs, body.endMs),
        externalUpdatedAt: r.updatedMs,
        state: "synced",
        lastError: null,
      }),
      // An online-meeting link the provider made (Teams) is kept with the link; it is not PHI.
      ...(r.joinUrl !== undefined
        ? [c.env.DB.prepare("UPDATE appointment_links SET join_url = ? WHERE appointment_id = ? AND integration_id = ?").bind(r.joinUrl, appointmentId, integ.id)]
        : []),
    ], conflictNotice);
  };
}
