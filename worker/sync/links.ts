// appointment_links: which provider event mirrors which appointment, with the
// etag / version / timing / provider `updated` of the last agreement (the
// conflict policy's "last synced state").
import type { Env } from "../env";


export interface LinkRow {
  appointment_id: string;
  integration_id: string;
  external_id: string;
  external_calendar_id: string;
  etag: string | null;
  synced_version: number;
  synced_hash: string | null;
  external_updated_at: number | null;
  state: "pending" | "synced" | "error" | "deleted";
  last_error: string | null;
  /** Issue 17: the provider copy's SEQUENCE when last read (CalDAV), so our write never goes lower. */
  external_sequence?: number | null;
  /** The join link of the online meeting the provider made for the event (Outlook's Teams), if any. */
  join_url?: string | null;
}

/** The synced timing, stored as "startMs|endMs" in synced_hash. */
export const timingHash = (startMs: number, endMs: number) => `${startMs}|${endMs}`;
/**
 * Everything our event at the provider shows of an appointment (issue 9): timing, the
 * status (Google: colour) and the zone, as "startMs|endMs|status|zone" in synced_hash
 * after a write. An ACMS change that leaves it equal (patient, notes, reason, type)
 * sends nothing to the provider. The link URL is fixed per appointment.
 */
/** What the provider's event shows of an appointment; a change to it (and only that) needs a write. The video link joins only when there is one, so hashes of other appointments stay as they were. */
export const shownHash = (o: { startMs: number; endMs: number; status: string; timeZone: string; videoUrl?: string | null }) =>
  `${o.startMs}|${o.endMs}|${o.status}|${o.timeZone}${o.videoUrl ? `|${o.videoUrl}` : ""}`;
/** Whether a shownHash (or the provider-side form reconcile.ts stores) recorded a video link. */
export const hadVideo = (hash: string | null) => (hash?.split("|").length ?? 0) > 4;
export function timingOf(hash: string | null): { startMs: number | null; endMs: number | null } {
  const m = hash?.match(/^(\d+)\|(\d+)(?:\|[\s\S]*)?$/);
  return m ? { startMs: Number(m[1]), endMs: Number(m[2]) } : { startMs: null, endMs: null };
}

export async function linkOf(env: Env, appointmentId: string, integrationId: string): Promise<LinkRow | null> {
  return env.DB.prepare("SELECT * FROM appointment_links WHERE appointment_id = ? AND integration_id = ?")
    .bind(appointmentId, integrationId)
    .first<LinkRow>();
}

export async function linkByExternal(env: Env, integrationId: string, externalId: string): Promise<LinkRow | null> {
  return env.DB.prepare("SELECT * FROM appointment_links WHERE integration_id = ? AND external_id = ?")
    .bind(integrationId, externalId)
    .first<LinkRow>();
}

export interface LinkUpdate {
  appointmentId: string;
  integrationId: string;
  externalId: string;
  externalCalendarId: string;
  etag: string | null;
  syncedVersion: number;
  syncedHash: string | null;
  externalUpdatedAt: number | null;
  state: LinkRow["state"];
  lastError: string | null;
}

export function upsertLinkStatement(env: Env, u: LinkUpdate, now = Date.now()): D1PreparedStatement {
  return env.DB.prepare(
    `INSERT INTO appointment_links (appointment_id, integration_id, external_id, external_calendar_id, etag, synced_version, synced_hash, external_updated_at, state, last_error, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (appointment_id, integration_id) DO UPDATE SET external_id = excluded.external_id,
       external_calendar_id = excluded.external_calendar_id, etag = excluded.etag, synced_version = excluded.synced_version,
       synced_hash = excluded.synced_hash, external_updated_at = excluded.external_updated_at, state = excluded.state,
       last_error = excluded.last_error, updated_at = excluded.updated_at`,
  ).bind(
    u.appointmentId,
    u.integrationId,
    u.externalId,
    u.externalCalendarId,
    u.etag,
    u.syncedVersion,
    u.syncedHash,
    u.externalUpdatedAt,
    u.state,
    u.lastError,
    now,
  );
}

export function linkErrorStatement(env: Env, appointmentId: string, integrationId: string, calendarId: string, error: string, now = Date.now()) {
  return env.DB.prepare(
    `INSERT INTO appointment_links (appointment_id, integration_id, external_id, external_calendar_id, state, last_error, updated_at)
     VALUES (?, ?, ?, ?, 'error', ?, ?)
     ON CONFLICT (appointment_id, integration_id) DO UPDATE SET state = 'error', last_error = excluded.last_error, updated_at = excluded.updated_at`,
  ).bind(appointmentId, integrationId, appointmentId, calendarId, error, now);
}
