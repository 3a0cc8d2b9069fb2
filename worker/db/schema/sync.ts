// External calendar sync (Google, Microsoft, CalDAV): the integrations, their calendars, the
// appointment ↔ external event links and the outbox the doctor's Durable Object drains.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { now } from "./columns.ts";

export const PROVIDERS = ["google", "microsoft", "caldav"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const calendarIntegrations = sqliteTable(
  "calendar_integrations",
  {
    id: text("id").primaryKey(),
    clinicId: text("clinic_id").notNull(),
    userId: text("user_id").notNull(),
    doctorId: text("doctor_id").notNull(),
    provider: text("provider", { enum: PROVIDERS }).notNull(),
    accountEmail: text("account_email").notNull().default(""),
    // AES-256-GCM sealed JSON of the tokens/credentials; never returned by any API.
    sealedTokens: text("sealed_tokens"),
    accessExpiresAt: integer("access_expires_at"),
    writeCalendarId: text("write_calendar_id"),
    busyCalendarIds: text("busy_calendar_ids").notNull().default("[]"), // JSON array
    // What an imported busy block may show: "none" (busy only, the default) or "title"
    // (the event's summary, trimmed) — the one detail the doctor may allow (issue 5).
    busyLabel: text("busy_label", { enum: ["none", "title"] }).notNull().default("none"),
    status: text("status", { enum: ["pending", "active", "needs_reconnect", "error", "disconnected"] })
      .notNull()
      .default("pending"),
    lastSyncAt: integer("last_sync_at"),
    lastError: text("last_error"),
    lastErrorAt: integer("last_error_at"),
    // JSON counters: { ok, failed, lastLatencyMs }
    metrics: text("metrics").notNull().default("{}"),
    // Issue 9 (migration 0006): the account's backoff (no call before this, either direction)
    // and "list our own events once" after a (re)connect.
    backoffUntil: integer("backoff_until"),
    ownListingDue: integer("own_listing_due").notNull().default(0),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
    // Outlook (migration 0007): tentative events block (1, default) or not; account kind for Teams links.
    blockTentative: integer("block_tentative").notNull().default(1),
    accountKind: text("account_kind", { enum: ["work_or_school", "personal"] }),
    // JSON array of appointment types that get a Teams meeting (work/school accounts only).
    teamsTypes: text("teams_types").notNull().default("[]"),
    // Sync, issue 17 (migration 0013): last full comparison with the provider (NULL = due),
    // and when the doctor was told changes are waiting (NULL = not in this outage).
    reconciledAt: integer("reconciled_at"),
    waitingNoticeAt: integer("waiting_notice_at"),
  },
  (t) => [uniqueIndex("integrations_doctor_provider_uq").on(t.doctorId, t.provider)],
);

// Per external calendar of an integration: incremental cursor and push channel.
export const integrationCalendars = sqliteTable(
  "integration_calendars",
  {
    integrationId: text("integration_id").notNull(),
    calendarId: text("calendar_id").notNull(),
    summary: text("summary").notNull().default(""),
    syncCursor: text("sync_cursor"),
    channelId: text("channel_id"),
    channelResourceId: text("channel_resource_id"),
    channelTokenHash: text("channel_token_hash"),
    channelExpiresAt: integer("channel_expires_at"),
    lastNotificationAt: integer("last_notification_at"),
    lastPolledAt: integer("last_polled_at"),
    // Issue 9 (migration 0006): echo check of our own writes; push judged broken since.
    lastWriteAt: integer("last_write_at"),
    pushSuspectAt: integer("push_suspect_at"),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.calendarId] }), index("intcal_channel_idx").on(t.channelId)],
);

// Appointment ↔ external event.
export const appointmentLinks = sqliteTable(
  "appointment_links",
  {
    appointmentId: text("appointment_id").notNull(),
    integrationId: text("integration_id").notNull(),
    externalId: text("external_id").notNull(),
    externalCalendarId: text("external_calendar_id").notNull(),
    etag: text("etag"),
    syncedVersion: integer("synced_version").notNull().default(0),
    syncedHash: text("synced_hash"),
    externalUpdatedAt: integer("external_updated_at"),
    state: text("state", { enum: ["pending", "synced", "error", "deleted"] }).notNull().default("pending"),
    lastError: text("last_error"),
    updatedAt: integer("updated_at").notNull().default(now),
    // Online-meeting join link the provider made for the event (Outlook/Teams; migration 0007).
    joinUrl: text("join_url"),
    // Sync, issue 17 (migration 0013): the provider copy's SEQUENCE when last read (CalDAV).
    externalSequence: integer("external_sequence"),
  },
  (t) => [
    primaryKey({ columns: [t.appointmentId, t.integrationId] }),
    index("links_external_idx").on(t.integrationId, t.externalId),
  ],
);

// Transactional outbox: written in the same D1 batch as the appointment change,
// drained by the doctor's Durable Object (single flight, alarm-driven retries).
export const syncOutbox = sqliteTable(
  "sync_outbox",
  {
    id: integer("id").primaryKey(), // no AUTOINCREMENT: rows are never deleted, so the ids are the same without its extra write (migration 0023)
    clinicId: text("clinic_id").notNull(),
    doctorId: text("doctor_id").notNull(),
    appointmentId: text("appointment_id").notNull(),
    op: text("op", { enum: ["upsert", "delete"] }).notNull(),
    version: integer("version").notNull(),
    state: text("state", { enum: ["pending", "done", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull().default(0),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [index("outbox_pending_idx").on(t.doctorId, t.nextAttemptAt).where(sql`state = 'pending'`)],
);
