// The provider-neutral contract every external calendar implements (Google now;
// Microsoft Graph and CalDAV next). The sync engine (worker/sync/**) only speaks
// this interface: mapping to a provider's wire format, paging, etags and auth all
// live behind it, so adding Outlook or iCloud is one more implementation, not
// one more engine.

export interface ExternalCalendar {
  id: string;
  summary: string;
  primary: boolean;
  /** True when we may create events in it (owner/writer). */
  canWrite: boolean;
  timeZone: string | null;
}

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** One changed item as the engine sees it, already normalized by the provider's mapping. */
export interface ExternalItem {
  /** Provider event id (for a recurring event: the instance id). */
  id: string;
  /** Deleted at the provider (cancelled / @removed / 404 in a sync report). */
  cancelled: boolean;
  etag: string | null;
  /** Last modification at the provider (epoch ms), for the conflict policy. */
  updatedMs: number | null;
  /** Set when the item is one of ours (our appointment id from private properties). */
  appointmentId: string | null;
  /** The event's own time span (null when cancelled or unparseable). */
  timing: { startMs: number; endMs: number; allDay: boolean } | null;
  /** True when it makes the doctor busy (not free/transparent, not declined, not cancelled). */
  blocks: boolean;
  /** The provider's title; only stored if the doctor allows labels. */
  title: string;
}

export interface ChangeSet {
  items: ExternalItem[];
  /** Opaque cursor for the next incremental call (Google nextSyncToken, Graph deltaLink, CalDAV sync-token). */
  nextCursor: string;
  /** True when this was a full listing of the window (no cursor, or after CursorInvalidError). */
  full: boolean;
}

/** What we write to the provider for an appointment; built by the provider's pure mapping. */
export interface OutboundAppointment {
  appointmentId: string;
  doctorId: string;
  clinicId: string;
  version: number;
  startMs: number;
  endMs: number;
  status: string;
  /** Link back into ACMS (requires log-in); never PHI. */
  url: string;
  timeZone: string;
}

export interface UpsertResult {
  id: string;
  etag: string | null;
  updatedMs: number | null;
}

export interface WatchResult {
  channelId: string;
  resourceId: string;
  expiresAt: number;
}

export interface CalendarProvider {
  readonly name: "google" | "microsoft" | "caldav";
  /** False when the provider has no push notifications (CalDAV): the engine then never calls watch() and polls. */
  readonly pushSupported?: boolean;
  listCalendars(): Promise<ExternalCalendar[]>;
  /**
   * Changes since `cursor` (all pages followed), or the full window when cursor is null.
   * Throws CursorInvalidError when the provider no longer accepts the cursor:
   * the caller then lists again with cursor null (full resync of the window).
   */
  listChanges(calendarId: string, cursor: string | null, window: TimeWindow): Promise<ChangeSet>;
  /** Current state of one event (also when cancelled); null when the provider does not know it. */
  getEvent(calendarId: string, eventId: string): Promise<ExternalItem | null>;
  /**
   * Create (deterministic id = appointment id, so a retried create cannot duplicate) or,
   * with `etag`, patch guarded by If-Match (throws PreconditionFailedError when the event changed).
   */
  upsertEvent(calendarId: string, appt: OutboundAppointment, etag: string | null): Promise<UpsertResult>;
  /** Delete; an already deleted/unknown event counts as done. With `etag`, guarded by If-Match. */
  deleteEvent(calendarId: string, eventId: string, etag: string | null): Promise<void>;
  watch(calendarId: string, channel: { id: string; token: string; address: string; ttlSeconds: number }): Promise<WatchResult>;
  unwatch(channelId: string, resourceId: string): Promise<void>;
  /** Revoke our grant at the provider (disconnect). Best effort. */
  revoke(): Promise<void>;
}

/** The cursor is no longer valid (Google 410 fullSyncRequired, Graph 410 syncStateNotFound, CalDAV valid-sync-token). */
export class CursorInvalidError extends Error {
  constructor(message = "sync cursor is no longer valid; a full resync is required") {
    super(message);
    this.name = "CursorInvalidError";
  }
}
