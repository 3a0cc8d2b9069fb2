// Calendar integrations: connect (OAuth with PKCE), choose calendars, disconnect,
// and health for staff. Tokens never leave the server: no answer carries them,
// sealed or not (see dto()).
//   GET    /api/integrations                 own (doctor) | all of the clinic (admin) | status only (receptionist)
//   POST   /api/integrations/google/connect  doctor, for themself → {authorizeUrl}  (./integrations-oauth.ts)
//   GET    /api/integrations/google/callback Google redirects the doctor's browser here
//   PATCH  /api/integrations/:id             {writeCalendarId?, busyCalendarIds?, busyLabel?} (owner)
//   DELETE /api/integrations/:id[?removeEvents=true] (owner or admin)
//   GET    /api/admin/integrations           admin: health + metrics of every doctor's integration
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Env, SessionUser } from "../env";
import { forbidden, notFound, validationError } from "../errors";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { jsonBody, queryOf } from "../validate";
import { idOf } from "./path-id";
import { oauthConnectRoutes } from "./integrations-oauth";
import { googleConnector } from "../providers/google/connect";
import { busyIdsOf, clinicZone, providerFor, type CalendarRow, type IntegrationRow } from "../sync/integrations";
import { channelHealthy } from "../sync/inbound";
import type { LinkRow } from "../sync/links";
import { backfillStatement } from "../sync/backfill";
import { disconnectIntegration } from "../sync/disconnect";
import { waitingStatement, type Waiting } from "../sync/waiting";
import { BUSY_LABEL_SETTINGS } from "../sync/busy-label";
import { BLOCKED_COLUMNS, toBlockedTime, type BlockedTimeRow } from "../appointments/model";
import { makeDb } from "../db/client";
import { actorOf, auditInsert } from "../db/audit";

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
function dto(i: IntegrationRow, cals: CalendarRow[], queueDepth: number, view: "full" | "status", w: Waiting) {
  const now = Date.now();
  // Healthy: active, no error since the last successful sync (the error stays visible), and no
  // write failing (worker/sync/waiting.ts: failing writes count, not only failing reads).
  const healthy = i.status === "active" && (i.last_error_at == null || (i.last_sync_at ?? 0) > i.last_error_at) && w.failing === 0;
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
    /** Appointments whose change has not reached this calendar yet ("N changes waiting"). */
    waitingChanges: w.waiting,
  };
}

async function loadDtos(env: Env, where: string, binds: unknown[], view: "full" | "status") {
  const rows = (await env.DB.prepare(`SELECT * FROM calendar_integrations WHERE ${where} ORDER BY created_at`).bind(...binds).all<IntegrationRow>()).results;
  const out = [];
  for (const i of rows) {
    const [cals, depth, waiting] = await env.DB.batch([
      env.DB.prepare("SELECT * FROM integration_calendars WHERE integration_id = ? ORDER BY summary").bind(i.id),
      env.DB.prepare("SELECT COUNT(*) AS n FROM sync_outbox WHERE doctor_id = ? AND state = 'pending'").bind(i.doctor_id),
      waitingStatement(env, i.doctor_id),
    ]);
    out.push(dto(i, cals.results as CalendarRow[], (depth.results[0] as { n: number }).n, view, waiting.results[0] as Waiting));
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

// Connect and callback: the one OAuth flow (./integrations-oauth.ts) with Google's parts.
integrationRoutes.route("/google", oauthConnectRoutes(googleConnector));

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
  // Sync stopped first, then events removed, then rows (worker/sync/disconnect.ts).
  const { removedEvents: removed, problems, removedBlockIds } = await disconnectIntegration(env, row, removeEvents === "true");
  const blocks = removedBlockIds.map((id) => ({ id }));
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
