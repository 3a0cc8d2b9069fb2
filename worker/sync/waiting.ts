// Changes waiting to reach the doctor's calendar (issue #17 "the outbox gives up silently").
// During a 51-minute CalDAV outage every pending write stopped after 12 tries and the
// integration showed healthy with an empty queue. Now a write is never dropped while its
// appointment is ahead (outbound.ts), and this module makes the wait visible:
//   - `waitingOf` counts it: appointments with a pending write ("N changes waiting" in
//     Settings) and those whose write has failed at least once (health turns unhealthy);
//   - `tellWaiting` gives the doctor ONE notice per outage once a write has been failing
//     for WAITING_NOTICE_AFTER_MS, and re-arms when everything has landed.
// Counts only, never appointment details: the notice is not a PHI channel.
import type { Env } from "../env";
import type { HubContext } from "../hub/work";
import { noticeInsert } from "../notices/notices";
import { labelOf, type IntegrationRow } from "./integrations";

/** A write failing this long is worth the doctor's attention (short blips retry unseen). */
export const WAITING_NOTICE_AFTER_MS = 15 * 60_000;

export interface Waiting {
  /** Appointments with a change not yet at the provider. */
  waiting: number;
  /** Of those, how many failed at least once (not merely queued a moment ago). */
  failing: number;
  /** When the oldest failing change was made (ms), null when none fails. */
  failingSince: number | null;
}

export function waitingStatement(env: Env, doctorId: string) {
  return env.DB.prepare(
    `SELECT COUNT(DISTINCT appointment_id) AS waiting,
            COUNT(DISTINCT CASE WHEN attempts > 0 THEN appointment_id END) AS failing,
            MIN(CASE WHEN attempts > 0 THEN created_at END) AS failingSince
     FROM sync_outbox WHERE doctor_id = ? AND state = 'pending'`,
  ).bind(doctorId);
}

export async function waitingOf(env: Env, doctorId: string): Promise<Waiting> {
  const r = await waitingStatement(env, doctorId).first<Waiting>();
  return { waiting: r?.waiting ?? 0, failing: r?.failing ?? 0, failingSince: r?.failingSince ?? null };
}

/** After a drain: one notice per outage per integration, re-armed when nothing fails any more. */
export async function tellWaiting(ctx: HubContext, integrations: IntegrationRow[]) {
  if (!integrations.length) return;
  const w = await waitingOf(ctx.env, ctx.doctorId);
  const now = Date.now();
  for (const integ of integrations) {
    if (w.failing === 0) {
      if (integ.waiting_notice_at != null) {
        await ctx.env.DB.prepare("UPDATE calendar_integrations SET waiting_notice_at = NULL WHERE id = ?").bind(integ.id).run();
        integ.waiting_notice_at = null;
      }
      continue;
    }
    if (integ.waiting_notice_at != null || w.failingSince == null || now - w.failingSince < WAITING_NOTICE_AFTER_MS) continue;
    const where = labelOf(integ);
    const since = new Date(w.failingSince).toISOString().slice(11, 16);
    const message = `${w.waiting} ${w.waiting === 1 ? "change is" : "changes are"} waiting to reach ${where}: it has not accepted them since ${since} UTC${integ.last_error ? ` (${integ.last_error.slice(0, 160)})` : ""}. ACMS keeps retrying and nothing is lost; check the connection in Settings → Calendar integrations if this goes on.`;
    const n = noticeInsert(ctx.env.DB, { clinicId: integ.clinic_id, userId: integ.user_id, kind: "sync_waiting", message, entityType: "integration", entityId: integ.id }, now);
    // Only the first run that claims the outage sends the notice (no duplicates across runs).
    const claimed = await ctx.env.DB.prepare("UPDATE calendar_integrations SET waiting_notice_at = ? WHERE id = ? AND waiting_notice_at IS NULL").bind(now, integ.id).run();
    if (!claimed.meta.changes) continue;
    integ.waiting_notice_at = now;
    await ctx.env.DB.batch([
      n.statement,
      ctx.env.DB.prepare(
        "INSERT INTO audit_log (clinic_id, actor_user_id, actor_label, action, entity_type, entity_id, summary, at) VALUES (?, NULL, ?, 'sync.waiting', 'integration', ?, ?, ?)",
      ).bind(integ.clinic_id, `system:${integ.provider}-sync`, integ.id, JSON.stringify({ waiting: w.waiting, failing: w.failing, since: w.failingSince }), now),
    ]);
    await ctx.publish({ kind: "notice", op: "created", doctorId: integ.doctor_id, record: { ...n.notice, userId: integ.user_id } });
  }
}
