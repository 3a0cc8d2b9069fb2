// One sync run's view of a doctor's integrations: the provider client, metrics
// and whether the grant is dead (then everything for it waits, nothing is lost).
import type { HubContext } from "../hub/work";
import type { CalendarProvider } from "../providers/provider";
import { clinicZone, flushMetrics, integrationsOfDoctor, markNeedsReconnect, Metrics, providerFor, type IntegrationRow } from "./integrations";

export interface IntegrationSession {
  integ: IntegrationRow;
  provider: CalendarProvider;
  metrics: Metrics;
  tz: string;
  /** Set when the grant died during this run (needs reconnect). */
  dead: boolean;
  /** Set when a provider call failed in this run (for last_sync_at). */
  failed: boolean;
}

export async function openSessions(ctx: HubContext): Promise<{ all: IntegrationRow[]; live: IntegrationSession[] }> {
  const all = await integrationsOfDoctor(ctx.env, ctx.doctorId);
  const live: IntegrationSession[] = [];
  for (const integ of all) {
    if (integ.status !== "active") continue;
    const tz = await clinicZone(ctx.env, integ.clinic_id);
    const metrics = new Metrics();
    const s: IntegrationSession = { integ, provider: null as unknown as CalendarProvider, metrics, tz, dead: false, failed: false };
    s.provider = providerFor(ctx.env, integ, tz, async (reason) => {
      s.dead = true;
      if (await markNeedsReconnect(ctx.env, integ, reason))
        await ctx.publish({ kind: "integration", op: "updated", doctorId: integ.doctor_id, record: { id: integ.id, provider: integ.provider, status: "needs_reconnect" } });
    }, { onAttempt: metrics.onAttempt });
    live.push(s);
  }
  return { all, live };
}

export async function closeSessions(ctx: HubContext, sessions: IntegrationSession[]) {
  for (const s of sessions) await flushMetrics(ctx.env, s.integ, s.metrics, !s.failed && !s.dead);
}

export async function recordIntegrationError(ctx: HubContext, s: IntegrationSession, message: string) {
  s.failed = true;
  const now = Date.now();
  await ctx.env.DB.prepare("UPDATE calendar_integrations SET last_error = ?, last_error_at = ?, updated_at = ? WHERE id = ?")
    .bind(message.slice(0, 500), now, now, s.integ.id)
    .run();
}
