// Cheap (re)connect (issue 9). After a connect or reconnect every upcoming
// appointment is queued (backfill.ts), and many of them may already be in the
// calendar from an earlier connection. Writing each blindly cost insert → 409 → GET →
// PATCH (3–4 requests per appointment). Instead the engine lists OUR events in the
// write calendar once (provider.listOwnEvents: by our private property, one request
// per page of up to 2500 at Google) and then, per appointment:
//   - the event shows exactly what ACMS would write → record the link, 0 requests;
//   - it exists but differs (or was deleted there)  → one PATCH guarded by its etag;
//   - it does not exist                            → one insert.
// Providers without listOwnEvents keep the idempotent write path.
import type { Appointment } from "../appointments/model";
import type { HubContext } from "../hub/work";
import type { ExternalItem } from "../providers/provider";
import { WINDOW_AHEAD_MS, WINDOW_PAST_MS } from "./window";
import type { IntegrationSession } from "./session";

/** Loads s.own once per run while the integration's own listing is due. Failures leave it null (writes stay idempotent). */
export async function loadOwnEvents(s: IntegrationSession): Promise<void> {
  if (!s.integ.own_listing_due || s.own || !s.provider.listOwnEvents || !s.integ.write_calendar_id) return;
  const now = Date.now();
  try {
    const items = await s.provider.listOwnEvents(s.integ.write_calendar_id, { startMs: now - WINDOW_PAST_MS, endMs: now + WINDOW_AHEAD_MS }, s.integ.doctor_id);
    s.own = new Map(items.filter((i) => i.appointmentId).map((i) => [i.appointmentId!, i]));
  } catch (err) {
    console.warn("sync: listing our own events failed; writing without it", { integration: s.integ.id, err: String(err) });
  }
}

/** The event already shows what ACMS would write for this appointment. */
export function showsAppointment(ev: ExternalItem, a: Appointment): boolean {
  return (
    !ev.cancelled &&
    ev.timing != null &&
    ev.timing.startMs === Date.parse(a.start) &&
    ev.timing.endMs === Date.parse(a.end) &&
    (ev.shownStatus === undefined || ev.shownStatus === a.status)
  );
}

/** Done with the listing once the outbox has nothing left for this doctor. */
export async function finishOwnListing(ctx: HubContext, sessions: IntegrationSession[]) {
  for (const s of sessions) {
    // Providers without listOwnEvents: the (re)connect's first read of the write calendar did the reconciling.
    if (!s.own && s.provider.listOwnEvents) continue;
    const left = await ctx.env.DB.prepare("SELECT 1 FROM sync_outbox WHERE doctor_id = ? AND state = 'pending' LIMIT 1").bind(ctx.doctorId).first();
    if (left) continue;
    await ctx.env.DB.prepare("UPDATE calendar_integrations SET own_listing_due = 0 WHERE id = ?").bind(s.integ.id).run();
    s.integ.own_listing_due = 0;
    s.own = null;
  }
}
