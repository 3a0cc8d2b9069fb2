// One sync run's view of a doctor's integrations: the provider client (behind the
// account's backoff gate), metrics and whether the grant is dead (then everything for
// it waits, nothing is lost).
import type { HubContext } from "../hub/work";
import type { CalendarProvider, ExternalItem } from "../providers/provider";
import { clinicZone, flushMetrics, labelOf, markNeedsReconnect, Metrics, providerFor, type IntegrationRow } from "./integrations";
import { gateProvider, inBackoff, type BackoffState } from "./backoff";
import { waitingOf } from "./waiting";

export interface IntegrationSession {
  integ: IntegrationRow;
  provider: CalendarProvider;
  metrics: Metrics;
  tz: string;
  /** Set when the grant died during this run (needs reconnect). */
  dead: boolean;
  /** Set when a provider call failed in this run (for last_sync_at). */
  failed: boolean;
  /** The account's backoff (persisted in calendar_integrations.backoff_until). */
  backoff: BackoffState;
  /** After a (re)connect: our own events in the write calendar by appointment id (./reconnect.ts). */
  own: Map<string, ExternalItem> | null;
  /** Events of ours with no live appointment behind them, deleted after the lock (./full-reconcile.ts). */
  orphans: { calendarId: string; eventId: string }[];
}

/**
 * The statements that open a sync run: the doctor's integrations, and closing the outbox rows of
 * a doctor with none (nothing to send them to). Most doctors have no calendar connected and this
 * runs after each of their bookings, so they are the work's `reads`: they travel in the hub's one
 * shared batch with the other work's "what is due" reads (hub/work.ts), no round trip of their
 * own (issue #18).
 */
export function sessionReads(env: HubContext["env"], doctorId: string, now: number): D1PreparedStatement[] {
  return [
    env.DB.prepare("SELECT * FROM calendar_integrations WHERE doctor_id = ? ORDER BY id").bind(doctorId),
    env.DB.prepare(
      "UPDATE sync_outbox SET state = 'done', last_error = 'no calendar integration', updated_at = ?2 WHERE doctor_id = ?1 AND state = 'pending' " +
        "AND NOT EXISTS (SELECT 1 FROM calendar_integrations WHERE doctor_id = ?1)",
    ).bind(doctorId, now),
  ];
}

/** The run's integrations from what sessionReads returned (read alone when the caller has not). */
export async function openSessions(ctx: HubContext, read?: D1Result[]): Promise<{ all: IntegrationRow[]; live: IntegrationSession[] }> {
  const [rows] = read ?? (await ctx.env.DB.batch(sessionReads(ctx.env, ctx.doctorId, Date.now())));
  const all = rows.results as IntegrationRow[];
  const live: IntegrationSession[] = [];
  for (const integ of all) {
    if (integ.status !== "active") continue;
    const tz = await clinicZone(ctx.env, integ.clinic_id);
    const metrics = new Metrics();
    const backoff: BackoffState = { until: integ.backoff_until ?? null };
    const s: IntegrationSession = { integ, provider: null as unknown as CalendarProvider, metrics, tz, dead: false, failed: false, backoff, own: null, orphans: [] };
    const raw = providerFor(ctx.env, integ, tz, async (reason) => {
      s.dead = true;
      if (await markNeedsReconnect(ctx.env, integ, reason))
        await ctx.publish({ kind: "integration", op: "updated", doctorId: integ.doctor_id, record: { id: integ.id, provider: integ.provider, status: "needs_reconnect" } });
    }, { onAttempt: metrics.onAttempt });
    s.provider = gateProvider(raw, backoff, async (until, cause) => {
      s.failed = true;
      const now = Date.now();
      await ctx.env.DB.prepare(
        "UPDATE calendar_integrations SET backoff_until = MAX(COALESCE(backoff_until, 0), ?), last_error = ?, last_error_at = ?, updated_at = ? WHERE id = ?",
      )
        .bind(until, `${labelOf(integ)} asked us to wait (${cause.message}); no calls to this account until ${new Date(until).toISOString()}`, now, now, integ.id)
        .run();
    });
    live.push(s);
  }
  return { all, live };
}

/** True while this session's account must not be called. */
export const backingOff = (s: IntegrationSession, now = Date.now()) => inBackoff(s.backoff, now);

export async function closeSessions(ctx: HubContext, sessions: IntegrationSession[]) {
  // Writes still failing (waiting for a retry) keep the integration unhealthy even when this
  // run's reads went through (issue 17: "healthy with an empty queue" during an outage).
  const writesFailing = sessions.length ? (await waitingOf(ctx.env, ctx.doctorId)).failing > 0 : false;
  for (const s of sessions) {
    const success = !s.failed && !s.dead && !writesFailing;
    await flushMetrics(ctx.env, s.integ, s.metrics, success);
    // Healthy again (calls made, none failed): the old error is history, not the current state.
    if (success && s.metrics.ok > 0 && (s.integ.last_error != null || s.integ.backoff_until != null)) {
      await ctx.env.DB.prepare(
        "UPDATE calendar_integrations SET last_error = NULL, last_error_at = NULL, backoff_until = NULL WHERE id = ? AND status = 'active' AND COALESCE(backoff_until, 0) <= ?",
      )
        .bind(s.integ.id, Date.now())
        .run();
    }
  }
}

export async function recordIntegrationError(ctx: HubContext, s: IntegrationSession, message: string) {
  s.failed = true;
  const now = Date.now();
  await ctx.env.DB.prepare("UPDATE calendar_integrations SET last_error = ?, last_error_at = ?, updated_at = ? WHERE id = ?")
    .bind(message.slice(0, 500), now, now, s.integ.id)
    .run();
}
