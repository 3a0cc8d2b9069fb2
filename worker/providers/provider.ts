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
  /**
   * Optional (issue 9), for OUR events only: the ACMS status the event shows, when the
   * provider's mapping can tell (Google: its colour). Lets a reconnect see that an event
   * already shows what ACMS would write. Leave undefined when the mapping cannot tell:
   * then timing alone decides.
   */
  shownStatus?: string | null;
  /** Optional (issue 17), for OUR events where the format has one (CalDAV SEQUENCE): our write over it must not go lower. */
  sequence?: number | null;
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
  /** The appointment's type (e.g. "video"): a provider may attach an online meeting for some types. Never PHI. */
  appointmentType?: string;
  /** The visit's video link (Jitsi/Teams, worker/video/): not PHI, so the doctor's own calendar shows it too. */
  videoUrl?: string | null;
  /**
   * Issue 17: the lowest SEQUENCE this write may carry (the server's + 1), when the server's
   * copy had a higher one than ours (another client edited it, e.g. a refused move set back).
   * Providers with a SEQUENCE (CalDAV) write max(ours, this); others ignore it.
   */
  sequenceAtLeast?: number;
  /** The event was last written with a video link the visit no longer has (providers that patch must clear it). */
  clearsVideo?: boolean;
}

export interface UpsertResult {
  id: string;
  etag: string | null;
  updatedMs: number | null;
  /** Join link of an online meeting the provider made for the event (Teams); undefined: the provider has none. */
  joinUrl?: string | null;
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
  /**
   * True when the provider itself makes an online meeting for some events (Outlook: a Teams
   * meeting, returned as UpsertResult.joinUrl) and keeps it for the event's whole life: updates
   * of the event always bring the same meeting back. A meeting that must not survive (the
   * appointment's patient was replaced: the old patient has its link) then needs the event
   * deleted and created anew; the engine does that only for such providers (sync/outbound.ts
   * renewMeeting). Providers whose meetings are ours (Jitsi links written into the event) leave it unset.
   */
  readonly ownMeetings?: boolean;
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
   * `existingId` is the event id the engine last linked (null if none): providers whose ids are
   * server-assigned (Graph) need it to patch; providers with deterministic ids may ignore it.
   */
  upsertEvent(calendarId: string, appt: OutboundAppointment, etag: string | null, existingId?: string | null): Promise<UpsertResult>;
  /** Delete; an already deleted/unknown event counts as done. With `etag`, guarded by If-Match. */
  deleteEvent(calendarId: string, eventId: string, etag: string | null): Promise<void>;
  watch(calendarId: string, channel: { id: string; token: string; address: string; ttlSeconds: number }): Promise<WatchResult>;
  unwatch(channelId: string, resourceId: string): Promise<void>;
  /**
   * Optional (issue 17): extend a live channel in place (Graph: PATCH the subscription's
   * expiry). Throws NotFoundError when the provider ended it early: the engine then opens a
   * new one at once. Without it, renewal opens a new channel and stops the old one.
   */
  renew?(channelId: string, resourceId: string, ttlSeconds: number): Promise<WatchResult>;
  /** Revoke our grant at the provider (disconnect). Best effort. */
  revoke(): Promise<void>;
  /**
   * Optional (issue 9, cheap reconnect): every event of OURS for `doctorId` in `calendarId`
   * overlapping the window (marked by our private properties: `appointmentId` set), cancelled ones
   * included where the provider keeps them, in as few requests as the provider allows
   * (Google: privateExtendedProperty filter, 2500 per page). The engine calls it once
   * after a (re)connect and then writes only what differs. Without it, a reconnect
   * writes every upcoming appointment (still idempotent, just more requests).
   */
  listOwnEvents?(calendarId: string, window: TimeWindow, doctorId: string): Promise<ExternalItem[]>;
}

/**
 * Where an OAuth provider client gets its access token (Google, Microsoft): the current token,
 * a refreshed one after a 401 (throws ReconnectRequiredError when the grant is dead), and
 * revocation at disconnect. worker/sync/integrations.ts StoredTokens keeps them sealed in D1.
 */
export interface TokenSource {
  accessToken(): Promise<string>;
  refresh(): Promise<string>;
  revoke(): Promise<void>;
}

/** The cursor is no longer valid (Google 410 fullSyncRequired, Graph 410 syncStateNotFound, CalDAV valid-sync-token). */
export class CursorInvalidError extends Error {
  constructor(message = "sync cursor is no longer valid; a full resync is required") {
    super(message);
    this.name = "CursorInvalidError";
  }
}
