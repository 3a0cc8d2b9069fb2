// Calendar integrations: connect (OAuth with PKCE), choose calendars, disconnect,
// and health for staff. Tokens never leave the server: no answer carries them,
// sealed or not (see dto()).
//   GET    /api/integrations                 own (doctor) | all of the clinic (admin) | status only (receptionist)
//   POST   /api/integrations/google/connect  doctor, for themself → {authorizeUrl}
//   GET    /api/integrations/google/callback Google redirects the doctor's browser here
//   PATCH  /api/integrations/:id             {writeCalendarId?, busyCalendarIds?, busyLabel?} (owner)
//   DELETE /api/integrations/:id[?removeEvents=true] (owner or admin)
//   GET    /api/admin/integrations           admin: health + metrics of every doctor's integration
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Env, SessionUser } from "../env";
import { seal, sealKeysFromEnv, unseal } from "../auth/token-seal";
import { signPurposeToken, verifyPurposeToken } from "../auth/session";
import { ApiError, badRequest, forbidden, notFound, validationError } from "../errors";
import { newId } from "../ids";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { jsonBody, queryOf } from "../validate";
import { idOf } from "./path-id";
import { authorizeUrl, exchangeCode, newPkce, oauthConfig } from "../providers/google/oauth";
import { ReconnectRequiredError } from "../providers/http";
import { busyIdsOf, clinicZone, providerFor, sealTokens, type CalendarRow, type IntegrationRow } from "../sync/integrations";
import { channelHealthy } from "../sync/inbound";
import type { LinkRow } from "../sync/links";
import { backfillStatement } from "../sync/backfill";
import { BUSY_LABEL_SETTINGS } from "../sync/busy-label";
import { BLOCKED_COLUMNS, toBlockedTime, type BlockedTimeRow } from "../appointments/model";
import { makeDb } from "../db/client";
import { GOOGLE_NOT_CONFIGURED, googleConfigured } from "./integration-providers";
import { actorOf, auditInsert } from "../db/audit";

// A server without Google OAuth credentials answers a clear 503 (the settings page shows
// this sentence), not the 500 of a missing configuration.
const googleNotConfigured = () => new ApiError(503, "provider_not_configured", GOOGLE_NOT_CONFIGURED);

const STATE_PURPOSE = "google-oauth-state";
const STATE_TTL_SECONDS = 10 * 60;

const redirectUri = (env: Env) => `${env.APP_URL.replace(/\/+$/, "")}/api/integrations/google/callback`;
const settingsUrl = (env: Env, q: string) => `${env.APP_URL.replace(/\/+$/, "")}/settings/integrations?${q}`;

async function hub(env: Env, doctorId: string) {
  return env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId));
}

interface Health {
  ok: number;
  failed: number;
  successRate: number | null;
  lastLatencyMs: number | null;
  queueDepth: number;
}

function metricsOf(i: IntegrationRow, queueDepth: number): Health {
  let m: { ok?: number; failed?: number; lastLatencyMs?: number | null } = {};
  try {
    m = JSON.parse(i.metrics);
  } catch {
    /* empty */
  }
  const ok = m.ok ?? 0;
  const failed = m.failed ?? 0;
  return { ok, failed, successRate: ok + failed ? ok / (ok + failed) : null, lastLatencyMs: m.lastLatencyMs ?? null, queueDepth };
}

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

/** The one place integration rows become JSON: tokens are never included. */
function dto(i: IntegrationRow, cals: CalendarRow[], queueDepth: number, view: "full" | "status") {
  const now = Date.now();
  // Healthy: active, and no error since the last successful sync (the error stays visible).
  const healthy = i.status === "active" && (i.last_error_at == null || (i.last_sync_at ?? 0) > i.last_error_at);
  if (view === "status")
    return { id: i.id, doctorId: i.doctor_id, provider: i.provider, status: i.status, healthy, lastSyncAt: iso(i.last_sync_at) };
  return {
    id: i.id,
    doctorId: i.doctor_id,
    provider: i.provider,
    accountEmail: i.account_email,
    status: i.status,
    healthy,
    writeCalendarId: i.write_calendar_id,
    busyCalendarIds: busyIdsOf(i),
    busyLabel: i.busy_label,
    calendars: cals.map((c) => ({ id: c.calendar_id, summary: c.summary, push: channelHealthy(c, now), lastSyncedAt: iso(c.last_polled_at) })),
    lastSyncAt: iso(i.last_sync_at),
    lastError: i.last_error,
    lastErrorAt: iso(i.last_error_at),
    metrics: metricsOf(i, queueDepth),
  };
}

async function loadDtos(env: Env, where: string, binds: unknown[], view: "full" | "status") {
  const rows = (await env.DB.prepare(`SELECT * FROM calendar_integrations WHERE ${where} ORDER BY created_at`).bind(...binds).all<IntegrationRow>()).results;
  const out = [];
  for (const i of rows) {
    const [cals, depth] = await env.DB.batch([
      env.DB.prepare("SELECT * FROM integration_calendars WHERE integration_id = ? ORDER BY summary").bind(i.id),
      env.DB.prepare("SELECT COUNT(*) AS n FROM sync_outbox WHERE doctor_id = ? AND state = 'pending'").bind(i.doctor_id),
    ]);
    out.push(dto(i, cals.results as CalendarRow[], (depth.results[0] as { n: number }).n, view));
  }
  return out;
}

async function ownIntegration(env: Env, user: SessionUser, id: string, allowAdmin: boolean): Promise<IntegrationRow> {
  const row = await env.DB.prepare("SELECT * FROM calendar_integrations WHERE id = ? AND clinic_id = ?").bind(id, user.clinicId).first<IntegrationRow>();
  if (!row) throw notFound("Integration");
  if (row.user_id === user.userId) return row;
  if (allowAdmin && user.role === "admin") return row;
  if (user.role === "admin") throw forbidden("Only the doctor who connected this calendar can change it.");
  throw notFound("Integration");
}

async function audit(env: Env, user: SessionUser, action: string, id: string, summary: Record<string, unknown>) {
  await auditInsert(makeDb(env.DB), user.clinicId, actorOf(user), action, "integration", id, summary);
}

export const integrationRoutes = new Hono<AppEnv>();
integrationRoutes.use("*", requireSession, csrf);

integrationRoutes.get("/", async (c) => {
  const u = c.var.user;
  if (u.role === "doctor") return c.json({ integrations: await loadDtos(c.env, "user_id = ? AND clinic_id = ?", [u.userId, u.clinicId], "full") });
  return c.json({ integrations: await loadDtos(c.env, "clinic_id = ?", [u.clinicId], u.role === "admin" ? "full" : "status") });
});

integrationRoutes.post("/google/connect", requireRole("doctor"), async (c) => {
  const u = c.var.user;
  if (!u.doctorId) throw forbidden("Only a doctor can connect their own calendar.");
  if ((c.req.header("content-length") ?? "0") !== "0") await jsonBody(c, z.strictObject({}));
  if (!googleConfigured(c.env)) throw googleNotConfigured();
  const cfg = oauthConfig(c.env);
  const pkce = await newPkce();
  // The PKCE verifier travels inside the signed state, encrypted (AES-GCM, bound to the
  // user): nothing to store server-side, and neither Google nor the browser can read it.
  const v = await seal(pkce.verifier, `pkce:${u.userId}`, sealKeysFromEnv(c.env));
  const state = await signPurposeToken({ sub: u.userId, doc: u.doctorId, clinic: u.clinicId, v }, STATE_PURPOSE, c.env.SESSION_SECRET, STATE_TTL_SECONDS);
  return c.json({ authorizeUrl: authorizeUrl(cfg, { redirectUri: redirectUri(c.env), state, challenge: pkce.challenge }) });
});

integrationRoutes.get("/google/callback", requireRole("doctor"), async (c) => {
  const env = c.env;
  if (!googleConfigured(env)) throw googleNotConfigured();
  const u = c.var.user;
  const q = c.req.query();
  const payload = q.state ? await verifyPurposeToken(q.state, STATE_PURPOSE, env.SESSION_SECRET) : null;
  if (!payload || payload.sub !== u.userId || payload.doc !== u.doctorId || typeof payload.v !== "string")
    throw badRequest("The connection request is invalid or has expired. Start again from Settings.");
  if (q.error) return c.redirect(settingsUrl(env, `integration=google&result=${encodeURIComponent(q.error === "access_denied" ? "denied" : "error")}`), 302);
  if (!q.code) throw badRequest("Google did not return an authorization code.");
  const verifier = await unseal(payload.v, `pkce:${u.userId}`, sealKeysFromEnv(env));
  let tokens;
  try {
    tokens = await exchangeCode(oauthConfig(env), q.code, verifier, redirectUri(env));
  } catch (err) {
    if (err instanceof ReconnectRequiredError) throw new ApiError(400, "oauth_failed", "Google refused the authorization code. Start again from Settings.");
    throw new ApiError(502, "provider_unavailable", "Google could not be reached. Try again in a moment.");
  }
  const doctorId = u.doctorId!;
  const existing = await env.DB.prepare("SELECT * FROM calendar_integrations WHERE doctor_id = ? AND provider = 'google'").bind(doctorId).first<IntegrationRow>();
  const id = existing?.id ?? newId();
  const now = Date.now();
  const sealed = await sealTokens(env, id, tokens);
  await env.DB.prepare(
    `INSERT INTO calendar_integrations (id, clinic_id, user_id, doctor_id, provider, sealed_tokens, access_expires_at, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'google', ?, ?, 'pending', ?, ?)
     ON CONFLICT (doctor_id, provider) DO UPDATE SET sealed_tokens = excluded.sealed_tokens, access_expires_at = excluded.access_expires_at,
       user_id = excluded.user_id, updated_at = excluded.updated_at`,
  )
    .bind(id, u.clinicId, u.userId, doctorId, sealed, tokens.expiresAt, now, now)
    .run();
  const row = (await env.DB.prepare("SELECT * FROM calendar_integrations WHERE id = ?").bind(id).first<IntegrationRow>())!;
  const provider = providerFor(env, row, await clinicZone(env, u.clinicId), async () => {});
  let calendars;
  try {
    calendars = await provider.listCalendars();
  } catch {
    throw new ApiError(502, "provider_unavailable", "Connected, but Google's calendar list could not be read. Try connecting again.");
  }
  const primary = calendars.find((x) => x.primary) ?? calendars[0];
  const ids = new Set(calendars.map((x) => x.id));
  const writeId = row.write_calendar_id && ids.has(row.write_calendar_id) ? row.write_calendar_id : (primary?.id ?? null);
  const busy = busyIdsOf(row).filter((x) => ids.has(x));
  await env.DB.batch([
    ...calendars.map((cal) =>
      env.DB.prepare(
        "INSERT INTO integration_calendars (integration_id, calendar_id, summary) VALUES (?, ?, ?) ON CONFLICT (integration_id, calendar_id) DO UPDATE SET summary = excluded.summary",
      ).bind(id, cal.id, cal.summary),
    ),
    env.DB.prepare(
      "UPDATE calendar_integrations SET account_email = ?, write_calendar_id = ?, busy_calendar_ids = ?, status = 'active', last_error = NULL, last_error_at = NULL, own_listing_due = 1, updated_at = ? WHERE id = ?",
    ).bind(primary?.id ?? "", writeId, JSON.stringify(busy.length ? busy : primary ? [primary.id] : []), Date.now(), id),
    // Upcoming appointments booked before connecting (or changed while disconnected) go to Google too;
    // own_listing_due: the engine first lists our events there once and writes only what differs.
    ...(writeId ? [backfillStatement(env, id, doctorId, writeId)] : []),
  ]);
  await audit(env, u, existing ? "integration.reconnect" : "integration.connect", id, { provider: "google", account: primary?.id ?? "" });
  const h = await hub(env, doctorId);
  await h.publish(doctorId, { kind: "integration", op: "updated", doctorId, record: { id, provider: "google", status: "active" } });
  await h.kick(doctorId); // channels, first sync, and any outbox rows that waited for a reconnect
  return c.redirect(settingsUrl(env, "integration=google&result=connected"), 302);
});

const PatchBody = z
  .strictObject({
    writeCalendarId: z.string().min(1).max(1024).optional(),
    busyCalendarIds: z.array(z.string().min(1).max(1024)).max(50).optional(),
    // What imported busy blocks show: "none" (busy only) or "title" (the event's title).
    busyLabel: z.enum(BUSY_LABEL_SETTINGS).optional(),
  })
  .refine(
    (b) => b.writeCalendarId !== undefined || b.busyCalendarIds !== undefined || b.busyLabel !== undefined,
    "send writeCalendarId, busyCalendarIds and/or busyLabel",
  );

integrationRoutes.patch("/:id", async (c) => {
  const env = c.env;
  const u = c.var.user;
  const row = await ownIntegration(env, u, idOf(c.req.param("id"), "Integration"), false);
  const body = await jsonBody(c, PatchBody);
  const known = new Set(
    (await env.DB.prepare("SELECT calendar_id FROM integration_calendars WHERE integration_id = ?").bind(row.id).all<{ calendar_id: string }>()).results.map((r) => r.calendar_id),
  );
  const unknown = [...(body.writeCalendarId ? [body.writeCalendarId] : []), ...(body.busyCalendarIds ?? [])].filter((x) => !known.has(x));
  if (unknown.length) throw validationError("Unknown calendar.", unknown.map((x) => ({ path: "calendarId", message: `${x} is not a calendar of this account` })));
  const before = busyIdsOf(row);
  const busy = body.busyCalendarIds ? [...new Set(body.busyCalendarIds)] : before;
  const removed = before.filter((x) => !busy.includes(x));
  const added = busy.filter((x) => !before.includes(x));
  const now = Date.now();
  const busyLabel = body.busyLabel ?? row.busy_label;
  const labelChanged = busyLabel !== row.busy_label;
  // Labels that must go when the doctor withdraws permission: cleared at once (not at the
  // next sync, which may be offline), and open screens told below.
  const unlabelled =
    labelChanged && busyLabel === "none"
      ? (await env.DB.prepare(`SELECT ${BLOCKED_COLUMNS} FROM blocked_times WHERE integration_id = ? AND label != ''`).bind(row.id).all<BlockedTimeRow>()).results
      : [];
  await env.DB.batch([
    env.DB.prepare("UPDATE calendar_integrations SET write_calendar_id = ?, busy_calendar_ids = ?, busy_label = ?, updated_at = ? WHERE id = ?").bind(
      body.writeCalendarId ?? row.write_calendar_id,
      JSON.stringify(busy),
      busyLabel,
      now,
      row.id,
    ),
    ...(unlabelled.length ? [env.DB.prepare("UPDATE blocked_times SET label = '', updated_at = ? WHERE integration_id = ? AND label != ''").bind(now, row.id)] : []),
    // A new label setting: every calendar is listed in full once, so each block's label
    // is written (or cleared) by the setting now in force.
    ...(labelChanged ? [env.DB.prepare("UPDATE integration_calendars SET sync_cursor = NULL WHERE integration_id = ?").bind(row.id)] : []),
    // A calendar that stops blocking takes its imported busy time with it.
    ...removed.map((cal) =>
      env.DB.prepare("DELETE FROM blocked_times WHERE integration_id = ? AND substr(external_id, 1, ?) = ?").bind(row.id, cal.length + 2, `${cal}::`),
    ),
    // A calendar that starts blocking is read in full once.
    ...added.map((cal) => env.DB.prepare("UPDATE integration_calendars SET sync_cursor = NULL WHERE integration_id = ? AND calendar_id = ?").bind(row.id, cal)),
    // A new write calendar: upcoming appointments move there (delete in the old, insert in the new).
    ...(body.writeCalendarId && body.writeCalendarId !== row.write_calendar_id ? [backfillStatement(env, row.id, row.doctor_id, body.writeCalendarId, now)] : []),
  ]);
  await audit(env, u, "integration.update", row.id, { writeCalendarId: body.writeCalendarId ?? row.write_calendar_id, busyCalendarIds: busy, busyLabel });
  const h = await hub(env, row.doctor_id);
  for (const b of unlabelled)
    await h.publish(row.doctor_id, { kind: "blocked", op: "updated", doctorId: row.doctor_id, record: { ...toBlockedTime(b), label: "" } });
  await h.kick(row.doctor_id);
  const [out] = await loadDtos(env, "id = ?", [row.id], "full");
  return c.json({ integration: out });
});

integrationRoutes.delete("/:id", async (c) => {
  const env = c.env;
  const u = c.var.user;
  const row = await ownIntegration(env, u, idOf(c.req.param("id"), "Integration"), true);
  const { removeEvents } = queryOf(c, z.strictObject({ removeEvents: z.enum(["true", "false"]).optional() }));
  let removed = 0;
  const problems: string[] = [];
  if (row.sealed_tokens) {
    const provider = providerFor(env, row, await clinicZone(env, row.clinic_id), async () => {});
    try {
      if (removeEvents === "true") {
        const links = (await env.DB.prepare("SELECT * FROM appointment_links WHERE integration_id = ? AND state != 'deleted'").bind(row.id).all<LinkRow>()).results;
        for (const l of links) {
          await provider.deleteEvent(l.external_calendar_id, l.external_id, null);
          removed++;
        }
      }
      const cals = (await env.DB.prepare("SELECT * FROM integration_calendars WHERE integration_id = ? AND channel_id IS NOT NULL").bind(row.id).all<CalendarRow>()).results;
      for (const cal of cals) if (cal.channel_resource_id) await provider.unwatch(cal.channel_id!, cal.channel_resource_id).catch(() => {});
      await provider.revoke();
    } catch (err) {
      // A dead grant cannot remove events or revoke; the local data goes anyway.
      problems.push(String((err as Error).message ?? err));
    }
  }
  const blocks = (await env.DB.prepare("SELECT id FROM blocked_times WHERE integration_id = ?").bind(row.id).all<{ id: string }>()).results;
  await env.DB.batch([
    env.DB.prepare("DELETE FROM integration_calendars WHERE integration_id = ?").bind(row.id),
    env.DB.prepare("DELETE FROM appointment_links WHERE integration_id = ?").bind(row.id),
    env.DB.prepare("DELETE FROM blocked_times WHERE integration_id = ?").bind(row.id),
    env.DB.prepare("DELETE FROM calendar_integrations WHERE id = ?").bind(row.id),
  ]);
  await audit(env, u, "integration.disconnect", row.id, { provider: row.provider, removeEvents: removeEvents === "true", removedEvents: removed, problems });
  const h = await hub(env, row.doctor_id);
  for (const b of blocks) await h.publish(row.doctor_id, { kind: "blocked", op: "deleted", doctorId: row.doctor_id, record: { id: b.id, doctorId: row.doctor_id } });
  await h.publish(row.doctor_id, { kind: "integration", op: "updated", doctorId: row.doctor_id, record: { id: row.id, provider: row.provider, status: "disconnected" } });
  await h.kick(row.doctor_id); // closes outbox rows that have no integration left
  return c.json({ disconnected: true, removedEvents: removed, problems });
});

export const adminIntegrationRoutes = new Hono<AppEnv>();
adminIntegrationRoutes.use("*", requireSession, csrf, requireRole("admin"));
adminIntegrationRoutes.get("/", async (c) => c.json({ integrations: await loadDtos(c.env, "clinic_id = ?", [c.var.user.clinicId], "full") }));
