// Integration rows as the engine needs them, token handling (sealed in D1,
// refreshed on demand), and the provider factory: the one place that maps a
// provider name to its CalendarProvider implementation.
import type { Env } from "../env";
import { seal, sealKeysFromEnv, unseal } from "../auth/token-seal";
import { noticeInsert } from "../notices/notices";
import { ReconnectRequiredError } from "../providers/http";
import type { CalendarProvider, TokenSource } from "../providers/provider";
import { GoogleCalendarClient, googleApiBase } from "../providers/google/client";
import { oauthConfig, refreshAccessToken, revokeToken, type TokenSet } from "../providers/google/oauth";
import type { SendOptions } from "../providers/http";
import { MicrosoftGraphClient, graphApiBase } from "../providers/microsoft/client";
import { microsoftOAuthConfig, refreshMicrosoftToken } from "../providers/microsoft/oauth";

/** How a provider refreshes and revokes a grant (token endpoint calls; no D1). */
export interface GrantOps {
  refresh(current: TokenSet): Promise<TokenSet>;
  revoke(current: TokenSet): Promise<void>;
}
export const googleGrant = (env: Env): GrantOps => ({
  refresh: (t) => refreshAccessToken(oauthConfig(env), t),
  revoke: (t) => revokeToken(oauthConfig(env), t.refreshToken),
});
/** Microsoft rotates refresh tokens (StoredTokens stores each new one) and has no per-app revoke endpoint. */
export const microsoftGrant = (env: Env): GrantOps => ({
  refresh: (t) => refreshMicrosoftToken(microsoftOAuthConfig(env), t),
  revoke: async () => {},
});
import { LazyCalDavProvider } from "../providers/caldav/factory";

export interface IntegrationRow {
  id: string;
  clinic_id: string;
  user_id: string;
  doctor_id: string;
  provider: "google" | "microsoft" | "caldav";
  account_email: string;
  sealed_tokens: string | null;
  write_calendar_id: string | null;
  busy_calendar_ids: string;
  /** "none" | "title": see ./busy-label.ts */
  busy_label: string;
  status: "pending" | "active" | "needs_reconnect" | "error" | "disconnected";
  last_sync_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  metrics: string;
  /** Issue 9: no call to this account before this (ms), see ./backoff.ts. */
  backoff_until?: number | null;
  /** Issue 9: 1 after a (re)connect until our own events were listed once (./reconnect.ts). */
  own_listing_due?: number;
  /** Issue 17: last full comparison of our events with our appointments (./full-reconcile.ts); NULL = due. */
  reconciled_at?: number | null;
  /** Issue 17: when the doctor was told that changes are waiting (./waiting.ts); NULL = not in this outage. */
  waiting_notice_at?: number | null;
  /** Outlook: 1 = tentative events block (default), 0 = they do not. */
  block_tentative?: number;
  /** Outlook: "work_or_school" | "personal" (Teams only for the former). */
  account_kind?: string | null;
  /** Outlook: JSON array of appointment types that get a Teams meeting. */
  teams_types?: string;
}

/** JSON string array from a column, [] when unreadable. */
export const stringsOf = (v: string | undefined | null): string[] => {
  try {
    const a = JSON.parse(v ?? "[]");
    return Array.isArray(a) ? a.filter((x) => typeof x === "string") : [];
  } catch {
    return [];
  }
};

export interface CalendarRow {
  integration_id: string;
  calendar_id: string;
  summary: string;
  sync_cursor: string | null;
  channel_id: string | null;
  channel_resource_id: string | null;
  channel_token_hash: string | null;
  channel_expires_at: number | null;
  last_notification_at: number | null;
  last_polled_at: number | null;
  /** Issue 9: our last write to this calendar (echo check, ./cadence.ts). */
  last_write_at?: number | null;
  /** Issue 9: push judged broken since (poll every 5 minutes until a notification arrives). */
  push_suspect_at?: number | null;
}

export const busyIdsOf = (i: IntegrationRow): string[] => {
  try {
    const v = JSON.parse(i.busy_calendar_ids);
    return Array.isArray(v) ? v.filter((x) => typeof x === "string") : [];
  } catch {
    return [];
  }
};

/** Calendars we read: every busy calendar plus the write calendar (our events moved in Google). */
export const syncedCalendarIds = (i: IntegrationRow) => [...new Set([...busyIdsOf(i), ...(i.write_calendar_id ? [i.write_calendar_id] : [])])];

export async function clinicZone(env: Env, clinicId: string): Promise<string> {
  const r = await env.DB.prepare("SELECT time_zone FROM clinics WHERE id = ?").bind(clinicId).first<{ time_zone: string }>();
  return r?.time_zone ?? "UTC";
}

export async function sealTokens(env: Env, integrationId: string, t: TokenSet): Promise<string> {
  return seal(JSON.stringify(t), integrationId, sealKeysFromEnv(env));
}

/**
 * Tokens of one integration: unsealed on demand, refreshed when (nearly) expired
 * or after a 401, re-sealed into D1 after every refresh. invalid_grant marks the
 * integration needs_reconnect (once) and tells the doctor; callers stop on
 * ReconnectRequiredError and keep their outbox rows pending (nothing lost).
 */
export class StoredTokens implements TokenSource {
  private tokens: TokenSet | null = null;
  private refreshing: Promise<string> | null = null;
  constructor(
    private readonly env: Env,
    private readonly integ: IntegrationRow,
    private readonly onReconnect: (reason: string) => Promise<void>,
    private readonly grant: GrantOps = googleGrant(env),
  ) {}

  private async load(): Promise<TokenSet> {
    if (!this.tokens) {
      if (!this.integ.sealed_tokens) throw new ReconnectRequiredError("no tokens stored", 0, "no_tokens");
      this.tokens = JSON.parse(await unseal(this.integ.sealed_tokens, this.integ.id, sealKeysFromEnv(this.env))) as TokenSet;
    }
    return this.tokens;
  }

  async accessToken(): Promise<string> {
    const t = await this.load();
    if (t.expiresAt - 60_000 <= Date.now()) return this.refresh();
    return t.accessToken;
  }

  refresh(): Promise<string> {
    this.refreshing ??= (async () => {
      try {
        const cur = await this.load();
        const next = await this.grant.refresh(cur);
        this.tokens = next;
        await this.env.DB.prepare("UPDATE calendar_integrations SET sealed_tokens = ?, access_expires_at = ?, updated_at = ? WHERE id = ?")
          .bind(await sealTokens(this.env, this.integ.id, next), next.expiresAt, Date.now(), this.integ.id)
          .run();
        return next.accessToken;
      } catch (err) {
        if (err instanceof ReconnectRequiredError) await this.onReconnect(err.message);
        throw err;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  async revoke(): Promise<void> {
    const t = await this.load().catch(() => null);
    if (t) await this.grant.revoke(t);
  }
}

/** Per-run metrics of one integration: provider call outcomes and latency. */
export class Metrics {
  ok = 0;
  failed = 0;
  lastLatencyMs: number | null = null;
  readonly onAttempt = (ms: number, status: number) => {
    this.lastLatencyMs = ms;
    if (status >= 200 && status < 300) this.ok++;
    // Expected protocol answers the engine resolves (issue 9): 409 = the id exists (→ patch),
    // 410 = cursor expired / already deleted (→ full listing / done), 412 = changed since our
    // etag (→ conflict policy). Not failures of the integration.
    else if (status === 409 || status === 410 || status === 412) return;
    else this.failed++;
  };
}

export async function flushMetrics(env: Env, integ: IntegrationRow, m: Metrics, success: boolean) {
  if (m.ok === 0 && m.failed === 0) return;
  const cur = (() => {
    try {
      return JSON.parse(integ.metrics) as { ok?: number; failed?: number; lastLatencyMs?: number };
    } catch {
      return {};
    }
  })();
  const next = { ok: (cur.ok ?? 0) + m.ok, failed: (cur.failed ?? 0) + m.failed, lastLatencyMs: m.lastLatencyMs ?? cur.lastLatencyMs ?? null };
  integ.metrics = JSON.stringify(next);
  const now = Date.now();
  await env.DB.prepare(
    success
      ? "UPDATE calendar_integrations SET metrics = ?, last_sync_at = ?, updated_at = ? WHERE id = ?"
      : "UPDATE calendar_integrations SET metrics = ?, updated_at = ? WHERE id = ?",
  )
    .bind(...(success ? [JSON.stringify(next), now, now, integ.id] : [JSON.stringify(next), now, integ.id]))
    .run();
}

/** The CalendarProvider for an integration. Outlook and iCloud are added here. */
export function providerFor(
  env: Env,
  integ: IntegrationRow,
  timeZone: string,
  onReconnect: (reason: string) => Promise<void>,
  opts: SendOptions = {},
): CalendarProvider {
  switch (integ.provider) {
    case "google":
      return new GoogleCalendarClient(googleApiBase(env), new StoredTokens(env, integ, onReconnect), timeZone, opts);
    case "microsoft":
      return new MicrosoftGraphClient(
        graphApiBase(env),
        new StoredTokens(env, integ, onReconnect, microsoftGrant(env)),
        timeZone,
        opts,
        { blockTentative: integ.block_tentative !== 0 },
        { workAccount: integ.account_kind === "work_or_school", teamsTypes: stringsOf(integ.teams_types) },
      );
    case "caldav":
      return new LazyCalDavProvider(env, integ, timeZone, onReconnect, opts);
    default:
      throw new Error(`provider ${integ.provider} is not implemented yet`);
  }
}

/**
 * Marks an integration "needs reconnect" (once), with a notice for the doctor and an
 * audit entry. Returns true when this call changed the status (so callers publish once).
 */
export async function markNeedsReconnect(env: Env, integ: IntegrationRow, reason: string): Promise<boolean> {
  const now = Date.now();
  const upd = await env.DB.prepare(
    "UPDATE calendar_integrations SET status = 'needs_reconnect', last_error = ?, last_error_at = ?, updated_at = ? WHERE id = ? AND status != 'needs_reconnect'",
  )
    .bind(`Reconnect needed: ${reason}`, now, now, integ.id)
    .run();
  if (!upd.meta.changes) return false;
  integ.status = "needs_reconnect";
  await env.DB.batch([
    noticeInsert(
      env.DB,
      {
        clinicId: integ.clinic_id,
        userId: integ.user_id,
        kind: "integration_reconnect",
        message: `Your ${labelOf(integ)} connection stopped working (access was revoked or expired). Reconnect it in Settings → Calendar integrations; changes made meanwhile are kept and will sync after reconnecting.`,
        entityType: "integration",
        entityId: integ.id,
      },
      now,
    ).statement,
    env.DB.prepare(
      "INSERT INTO audit_log (clinic_id, actor_user_id, actor_label, action, entity_type, entity_id, summary, at) VALUES (?, NULL, ?, 'integration.needs_reconnect', 'integration', ?, ?, ?)",
    ).bind(integ.clinic_id, `system:${integ.provider}-sync`, integ.id, JSON.stringify({ reason }), now),
  ]);
  return true;
}

export const label = (p: string) => (p === "google" ? "Google Calendar" : p === "microsoft" ? "Outlook" : "your CalDAV server");

/**
 * What notices call an integration's calendar (issue 17: every CalDAV server was "iCloud").
 * CalDAV: the server's host, taken from the write calendar's URL, and "iCloud" only when the
 * host is Apple's (caldav.icloud.com, pNN-caldav.icloud.com).
 */
export function labelOf(integ: { provider: string; write_calendar_id?: string | null }): string {
  if (integ.provider !== "caldav") return label(integ.provider);
  let host = "";
  try {
    host = integ.write_calendar_id ? new URL(integ.write_calendar_id).hostname.toLowerCase() : "";
  } catch {
    host = "";
  }
  if (!host) return label(integ.provider);
  return host === "icloud.com" || host.endsWith(".icloud.com") ? "iCloud" : host;
}
