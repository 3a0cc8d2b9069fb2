// Applying the conflict policy's decisions for OUR events (appointment ↔ provider
// event). Called inside the doctor's write lock (ctx.exclusive). Appointment
// changes go through the one write path (appointments/write.ts) with origin =
// the provider, and the link update rides in the same D1 batch (`extra`), so the
// outbox row that change writes is already recognised as in sync: no echo push.
import { appointmentLinks } from "../db/schema";
import type { HubContext } from "../hub/work";
import type { Appointment } from "../appointments/model";
import { appointmentLiveChanges } from "../appointments/live";
import { systemCaller, updateAppointment } from "../appointments/write";
import type { ChangeOrigin } from "../appointments/effects";
import type { ExternalItem } from "../providers/provider";
import type { AcmsSide, ExternalSide, LastSync } from "./policy";
import type { IntegrationRow } from "./integrations";
import { labelOf } from "./integrations";
import { linkOf, shownHash, timingOf, type LinkRow } from "./links";
import { noticeStatements, publishNotice, type SyncNotice } from "./notify";
import { noticeInsert } from "../notices/notices";
import { checkBookingRules } from "../scheduling/rules";
import { parseWorkingHours } from "../scheduling/working-hours";

export const acmsSideOf = (a: Appointment): AcmsSide => ({
  version: a.version,
  updatedAtMs: Date.parse(a.updatedAt),
  startMs: Date.parse(a.start),
  endMs: Date.parse(a.end),
  active: a.status !== "cancelled",
});

export const lastSyncOf = (l: LinkRow | null): LastSync => {
  const t = timingOf(l?.synced_hash ?? null);
  return { syncedVersion: l?.synced_version ?? 0, externalUpdatedMs: l?.external_updated_at ?? null, syncedStartMs: t.startMs, syncedEndMs: t.endMs };
};

export const extSideOf = (i: ExternalItem): ExternalSide => ({
  cancelled: i.cancelled,
  updatedMs: i.updatedMs,
  startMs: i.timing?.startMs ?? null,
  endMs: i.timing?.endMs ?? null,
});

const fmt = (ms: number, tz: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: tz, dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));

export function notice(integ: IntegrationRow, appt: Appointment, kind: string, action: string, message: string, summary: Record<string, unknown>): SyncNotice {
  return {
    clinicId: integ.clinic_id,
    userId: integ.user_id,
    doctorId: integ.doctor_id,
    kind,
    message,
    appointmentId: appt.id,
    action,
    summary,
    actorLabel: `system:${integ.provider}-sync`,
  };
}

/** Ask the outbox drain to (re)write ACMS's state to the provider, guarded by `etag`. */
export function requeuePushStatements(
  ctx: HubContext,
  integ: IntegrationRow,
  appt: Appointment,
  calendarId: string,
  etag: string | null,
  externalUpdatedAt: number | null,
  /** The provider copy's SEQUENCE (CalDAV), so the write over it goes higher (issue 17). */
  externalSequence: number | null = null,
) {
  const now = Date.now();
  return [
    ctx.env.DB.prepare(
      `INSERT INTO appointment_links (appointment_id, integration_id, external_id, external_calendar_id, etag, synced_version, external_updated_at, state, updated_at, external_sequence)
       VALUES (?, ?, ?, ?, ?, 0, ?, 'pending', ?, ?)
       ON CONFLICT (appointment_id, integration_id) DO UPDATE SET etag = excluded.etag, state = 'pending',
         external_updated_at = excluded.external_updated_at, updated_at = excluded.updated_at,
         external_sequence = COALESCE(excluded.external_sequence, external_sequence)`,
    ).bind(appt.id, integ.id, appt.id, calendarId, etag, externalUpdatedAt, now, externalSequence),
    ctx.env.DB.prepare(
      "INSERT INTO sync_outbox (clinic_id, doctor_id, appointment_id, op, version, created_at, updated_at) VALUES (?, ?, ?, 'upsert', ?, ?, ?)",
    ).bind(appt.clinicId, appt.doctorId, appt.id, appt.version, now, now),
  ];
}

export async function runWithNotice(ctx: HubContext, stmts: D1PreparedStatement[], n: SyncNotice | null) {
  const built = n ? noticeStatements(ctx.env, n) : null;
  await ctx.env.DB.batch([...stmts, ...(built?.statements ?? [])]);
  if (n && built) await publishNotice(ctx, n, built.id);
}

/**
 * A time change made at the provider is judged like the doctor's own edit in ACMS
 * (issue 9): the same booking rules (scheduling/rules.ts checkBookingRules with the
 * doctor's working hours, no admin override), then the write path's own overlap
 * check (other appointments, blocked time). Returns the refusal, or null.
 */
async function refusalAsDoctorEdit(ctx: HubContext, appt: Appointment, startMs: number, endMs: number) {
  const d = await ctx.env.DB.prepare("SELECT d.working_hours, c.time_zone FROM doctors d JOIN clinics c ON c.id = d.clinic_id WHERE d.id = ?")
    .bind(appt.doctorId)
    .first<{ working_hours: string; time_zone: string }>();
  if (!d) return null; // the write path answers not_found itself
  return checkBookingRules({ startMs, endMs, zone: d.time_zone, workingHours: parseWorkingHours(d.working_hours), allowOutsideHours: false });
}

/**
 * An accepted move at the provider changed a patient's appointment: the doctor AND the
 * front desk get a notice (not only an audit row). The patient's invite goes out as an
 * update by the write path's own effect (email/outbox.ts: a move → REQUEST, SEQUENCE+1).
 */
async function noticeAcceptedMove(ctx: HubContext, integ: IntegrationRow, tz: string, before: Appointment, after: Appointment) {
  const where = labelOf(integ);
  const message = `An appointment was moved in ${where} from ${fmt(Date.parse(before.start), tz)} to ${fmt(Date.parse(after.start), tz)}. ACMS took the new time; the patient is sent an updated invitation.`;
  const n = notice(integ, after, "sync_moved", "sync.moved", message, {
    from: before.start,
    to: after.start,
    end: after.end,
  });
  const desk = (
    await ctx.env.DB.prepare("SELECT id FROM users WHERE clinic_id = ? AND role = 'receptionist' AND disabled = 0").bind(integ.clinic_id).all<{ id: string }>()
  ).results;
  const now = Date.now();
  const extra = desk.map((u) => noticeInsert(ctx.env.DB, { clinicId: integ.clinic_id, userId: u.id, kind: "sync_moved", message, entityType: "appointment", entityId: after.id }, now));
  const built = noticeStatements(ctx.env, n, now);
  await ctx.env.DB.batch([...built.statements, ...extra.map((e) => e.statement)]);
  await publishNotice(ctx, n, built.id);
  for (const [i, u] of desk.entries()) await publishNotice(ctx, { ...n, userId: u.id }, extra[i].notice.id);
}

/**
 * Moves the appointment to the provider's timing (the provider's edit is newer),
 * judged like the doctor's own edit: outside working hours, on blocked time or on
 * another appointment → ACMS keeps its time, pushes it back and tells the doctor.
 */
export async function takeExternalTiming(
  ctx: HubContext,
  integ: IntegrationRow,
  tz: string,
  appt: Appointment,
  item: ExternalItem,
  calendarId: string,
  conflict: boolean,
): Promise<void> {
  const t = item.timing!;
  const now = Date.now();
  const moved = t.startMs !== Date.parse(appt.start) || t.endMs !== Date.parse(appt.end);
  const refused = moved ? await refusalAsDoctorEdit(ctx, appt, t.startMs, t.endMs) : null;
  if (refused) return rejectExternalTiming(ctx, integ, tz, appt, item, calendarId, refused);
  // A conflict: ACMS had changes the provider never got (a status, a video link). The provider's
  // time is taken, but the link keeps the version last written and records what the provider
  // shows (its new time, the rest as last written), so the next drain writes ACMS's other
  // changes instead of taking the event as in sync.
  const prior = conflict ? await linkOf(ctx.env, appt.id, integ.id) : null;
  const r = await updateAppointment(
    ctx.env,
    systemCaller(`${integ.provider}-sync`),
    appt.clinicId,
    appt.id,
    { version: appt.version, startMs: t.startMs, endMs: t.endMs },
    {
      origin: integ.provider as ChangeOrigin,
      now,
      extra: (db, change) => {
        // The link now records what the provider has, whether or not it existed before.
        const synced = {
          etag: item.etag,
          syncedVersion: prior ? Math.min(prior.synced_version, appt.version - 1) : change.after!.version,
          syncedHash: prior
            ? shownByProvider(prior.synced_hash, t)
            : shownHash({ startMs: t.startMs, endMs: t.endMs, status: change.after!.status, timeZone: tz }),
          externalUpdatedAt: item.updatedMs,
          state: "synced" as const,
          lastError: null,
          updatedAt: now,
        };
        return [
          db
            .insert(appointmentLinks)
            .values({ appointmentId: appt.id, integrationId: integ.id, externalId: item.id, externalCalendarId: calendarId, ...synced })
            .onConflictDoUpdate({ target: [appointmentLinks.appointmentId, appointmentLinks.integrationId], set: synced }),
        ];
      },
    },
  );
  const where = labelOf(integ);
  if (r.ok) {
    for (const ch of appointmentLiveChanges(r.change)) await ctx.publish(ch);
    if (!r.unchanged) await noticeAcceptedMove(ctx, integ, tz, appt, r.appointment);
    if (conflict) {
      const n = notice(integ, r.appointment, "sync_conflict", "sync.conflict",
        `An appointment was changed both in ACMS and in ${where}. The later edit (in ${where}) wins: it is now ${fmt(t.startMs, tz)}.`,
        { winner: integ.provider, start: new Date(t.startMs).toISOString(), end: new Date(t.endMs).toISOString(), externalUpdated: item.updatedMs, acmsUpdated: appt.updatedAt });
      await runWithNotice(ctx, [], n);
    }
    return;
  }
  if (r.error.code === "version_conflict" || r.error.code === "not_found") return; // changed meanwhile: the next run re-decides
  // The provider's time is not bookable in ACMS (slot taken / blocked): ACMS keeps its time.
  await rejectExternalTiming(ctx, integ, tz, appt, item, calendarId, r.error);
}

/** What the provider shows after its own move: the moved time, the rest as we last wrote it (links.ts shownHash form). */
function shownByProvider(lastWritten: string | null, t: { startMs: number; endMs: number }): string {
  const rest = lastWritten?.match(/^\d+\|\d+(\|[\s\S]*)$/)?.[1];
  return `${t.startMs}|${t.endMs}${rest ?? "|unknown"}`;
}

async function rejectExternalTiming(
  ctx: HubContext,
  integ: IntegrationRow,
  tz: string,
  appt: Appointment,
  item: ExternalItem,
  calendarId: string,
  why: { code: string; message: string },
) {
  const t = item.timing!;
  const where = labelOf(integ);
  const n = notice(integ, appt, "sync_rejected", "sync.rejected",
    `An appointment moved in ${where} to ${fmt(t.startMs, tz)} could not be moved in ACMS (${why.message}). It stays at ${fmt(Date.parse(appt.start), tz)} and ${where} was set back.`,
    { code: why.code, proposedStart: new Date(t.startMs).toISOString() });
  await runWithNotice(ctx, requeuePushStatements(ctx, integ, appt, calendarId, item.etag, item.updatedMs, item.sequence ?? null), n);
}
