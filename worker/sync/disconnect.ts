// Disconnecting an integration (issue #17 "never lose or resurrect an event").
//
// Order matters. Deleting our events while the sync still runs made the provider's
// delete notifications reach the engine, which judged each as "the doctor deleted an
// appointment's event" and RE-CREATED it (policy.ts recreate_external): after a
// disconnect 12 of 49 Google / up to 54 Outlook events were live again with no
// integration behind them, and link rows written by that run outlived the integration.
// So:
//   1. status = 'disconnected' first: no new sync run opens a session for it
//      (session.ts takes only 'active'), and webhooks ignore it;
//   2. wait for the doctor's hub to finish the run that may have started before (1),
//      so nothing of that run lands after the rows are gone;
//   3. stop push channels / subscriptions;
//   4. with removeEvents: delete every event of ours, found by the links AND by a
//      listing of the write calendar (an event whose link was never written, e.g. a
//      create whose answer was lost, is ours too: "0 of our events left"); events of
//      another clinic where the doctor also works (same calendar) are left alone;
//   5. revoke the grant, then delete the local rows (links, calendars, blocks, integration).
import type { Env } from "../env";
import { hubFor } from "../hub/doctor-hub";
import type { CalendarProvider } from "../providers/provider";
import { clinicZone, providerFor, type CalendarRow, type IntegrationRow } from "./integrations";
import { WINDOW_AHEAD_MS, WINDOW_PAST_MS } from "./window";
import type { LinkRow } from "./links";

export interface DisconnectResult {
  removedEvents: number;
  problems: string[];
  /** Imported busy blocks that were deleted (the caller tells open screens). */
  removedBlockIds: string[];
}

/** Problems kept for the audit row and the answer: the first few are enough to act on. */
const MAX_PROBLEMS = 5;

export async function disconnectIntegration(env: Env, row: IntegrationRow, removeEvents: boolean): Promise<DisconnectResult> {
  const problems: string[] = [];
  const note = (what: string, err: unknown) => {
    if (problems.length < MAX_PROBLEMS) problems.push(`${what}: ${String((err as Error)?.message ?? err)}`);
  };
  await env.DB.prepare("UPDATE calendar_integrations SET status = 'disconnected', updated_at = ? WHERE id = ?").bind(Date.now(), row.id).run();
  await hubFor(env, row.doctor_id).idle();

  let removed = 0;
  if (row.sealed_tokens) {
    const provider = providerFor(env, row, await clinicZone(env, row.clinic_id), async () => {});
    const cals = (await env.DB.prepare("SELECT * FROM integration_calendars WHERE integration_id = ? AND channel_id IS NOT NULL").bind(row.id).all<CalendarRow>()).results;
    for (const cal of cals) if (cal.channel_resource_id) await provider.unwatch(cal.channel_id!, cal.channel_resource_id).catch((e) => note("stopping push", e));
    if (removeEvents) {
      try {
        removed = await removeOurEvents(env, row, provider, note);
      } catch (err) {
        // A dead grant cannot remove events; the local data goes anyway and the answer says so.
        note("removing events", err);
      }
    }
    await provider.revoke().catch((e) => note("revoking access", e));
  }
  const blocks = (await env.DB.prepare("SELECT id FROM blocked_times WHERE integration_id = ?").bind(row.id).all<{ id: string }>()).results;
  await env.DB.batch([
    env.DB.prepare("DELETE FROM integration_calendars WHERE integration_id = ?").bind(row.id),
    env.DB.prepare("DELETE FROM appointment_links WHERE integration_id = ?").bind(row.id),
    env.DB.prepare("DELETE FROM blocked_times WHERE integration_id = ?").bind(row.id),
    env.DB.prepare("DELETE FROM calendar_integrations WHERE id = ?").bind(row.id),
  ]);
  return { removedEvents: removed, problems, removedBlockIds: blocks.map((b) => b.id) };
}

/** Deletes every event of ours this integration knows of or can find; returns how many. */
async function removeOurEvents(env: Env, row: IntegrationRow, provider: CalendarProvider, note: (what: string, err: unknown) => void): Promise<number> {
  const targets = new Map<string, { calendarId: string; eventId: string }>();
  const links = (await env.DB.prepare("SELECT * FROM appointment_links WHERE integration_id = ? AND state != 'deleted'").bind(row.id).all<LinkRow>()).results;
  for (const l of links) targets.set(`${l.external_calendar_id}\n${l.external_id}`, { calendarId: l.external_calendar_id, eventId: l.external_id });
  if (row.write_calendar_id) {
    const now = Date.now();
    const window = { startMs: now - WINDOW_PAST_MS, endMs: now + WINDOW_AHEAD_MS };
    try {
      const items = provider.listOwnEvents
        ? await provider.listOwnEvents(row.write_calendar_id, window, row.doctor_id)
        : (await provider.listChanges(row.write_calendar_id, null, window)).items;
      const ours = await appointmentsOfDoctor(env, row.clinic_id, row.doctor_id, items.filter((i) => i.appointmentId && !i.cancelled).map((i) => i.appointmentId!));
      for (const i of items)
        if (i.appointmentId && !i.cancelled && ours(i.appointmentId)) targets.set(`${row.write_calendar_id}\n${i.id}`, { calendarId: row.write_calendar_id, eventId: i.id });
    } catch (err) {
      note("listing our events", err);
    }
  }
  let removed = 0;
  for (const t of targets.values()) {
    try {
      await provider.deleteEvent(t.calendarId, t.eventId, null);
      removed++;
    } catch (err) {
      note(`deleting event ${t.eventId}`, err);
    }
  }
  return removed;
}

/**
 * Which of these appointment ids are this doctor's events to remove: the doctor's own
 * appointments, and deleted appointments of this clinic (the audit log keeps their ids). Another
 * doctor's or another clinic's appointment in the same calendar is left alone, and so is an id
 * this clinic never had (another deployment's ACMS): the doctor's busy time, not ours
 * (./other-clinics.ts). One batched read (json_each, 500 ids a statement).
 */
export async function appointmentsOfDoctor(env: Env, clinicId: string, doctorId: string, ids: string[]): Promise<(id: string) => boolean> {
  const all = [...new Set(ids)];
  const ours = new Set<string>();
  if (all.length) {
    const res = await env.DB.batch(
      Array.from({ length: Math.ceil(all.length / 500) }, (_, i) =>
        env.DB.prepare(
          `SELECT j.value AS id FROM json_each(?3) j
           WHERE EXISTS (SELECT 1 FROM appointments a WHERE a.id = j.value AND a.clinic_id = ?1 AND a.doctor_id = ?2)
              OR (NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = j.value)
                  AND EXISTS (SELECT 1 FROM audit_log l WHERE l.entity_type = 'appointment' AND l.entity_id = j.value AND l.clinic_id = ?1))`,
        ).bind(clinicId, doctorId, JSON.stringify(all.slice(i * 500, (i + 1) * 500))),
      ),
    );
    for (const r of res) for (const row of r.results as { id: string }[]) ours.add(row.id);
  }
  return (id) => ours.has(id);
}
