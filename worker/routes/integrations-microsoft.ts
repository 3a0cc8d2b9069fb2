// Connecting Outlook / Microsoft 365 (Microsoft identity platform v2, code flow + PKCE):
//   POST /api/integrations/microsoft/connect   doctor, for themself → {authorizeUrl}
//   GET  /api/integrations/microsoft/callback  Microsoft redirects the doctor's browser here
//   GET  /api/integrations/microsoft/:id/options  {blockTentative, accountKind, teamsAvailable} (owner or admin)
//   PATCH /api/integrations/microsoft/:id/options {blockTentative?, teamsTypes?} (owner)
//   GET  /api/integrations/microsoft/appointments/:id/meeting  {joinUrl, reason} for the details panel (staff)
// Everything after connecting (choose calendars, disconnect, health) is the
// provider-neutral /api/integrations/:id in ./integrations.ts.
// Same rules as Google: the signed, expiring state carries the PKCE verifier
// sealed (nothing stored server-side), tokens are sealed in D1 and never returned.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Env } from "../env";
import { seal, sealKeysFromEnv, unseal } from "../auth/token-seal";
import { signPurposeToken, verifyPurposeToken } from "../auth/session";
import { ApiError, badRequest, forbidden, notFound } from "../errors";
import { newId } from "../ids";
import { csrf, requireRole, requireSession } from "../middleware/session";
import { jsonBody } from "../validate";
import { idOf } from "./path-id";
import { newPkce } from "../providers/google/oauth";
import { ReconnectRequiredError } from "../providers/http";
import { MicrosoftGraphClient, graphApiBase } from "../providers/microsoft/client";
import { exchangeMicrosoftCode, microsoftAuthorizeUrl, microsoftConfigured, microsoftOAuthConfig } from "../providers/microsoft/oauth";
import { busyIdsOf, clinicZone, microsoftGrant, sealTokens, StoredTokens, stringsOf, type IntegrationRow } from "../sync/integrations";
import { teamsDecision } from "../providers/microsoft/mapping";
import { getAppointment } from "../appointments/queries";
import { backfillStatement } from "../sync/backfill";
import { makeDb } from "../db/client";
import { actorOf, auditInsert } from "../db/audit";

const STATE_PURPOSE = "microsoft-oauth-state";
const STATE_TTL_SECONDS = 10 * 60;

const redirectUri = (env: Env) => `${env.APP_URL.replace(/\/+$/, "")}/api/integrations/microsoft/callback`;
const settingsUrl = (env: Env, q: string) => `${env.APP_URL.replace(/\/+$/, "")}/settings/integrations?${q}`;

export const microsoftIntegrationRoutes = new Hono<AppEnv>();
microsoftIntegrationRoutes.use("*", requireSession, csrf);

microsoftIntegrationRoutes.post("/connect", requireRole("doctor"), async (c) => {
  const u = c.var.user;
  if (!u.doctorId) throw forbidden("Only a doctor can connect their own calendar.");
  if (!microsoftConfigured(c.env)) throw new ApiError(409, "not_configured", "Outlook sync is not set up for this clinic (no Microsoft app registered).");
  if ((c.req.header("content-length") ?? "0") !== "0") await jsonBody(c, z.strictObject({}));
  const pkce = await newPkce();
  const v = await seal(pkce.verifier, `pkce:${u.userId}`, sealKeysFromEnv(c.env));
  const state = await signPurposeToken({ sub: u.userId, doc: u.doctorId, clinic: u.clinicId, v }, STATE_PURPOSE, c.env.SESSION_SECRET, STATE_TTL_SECONDS);
  return c.json({ authorizeUrl: microsoftAuthorizeUrl(microsoftOAuthConfig(c.env), { redirectUri: redirectUri(c.env), state, challenge: pkce.challenge, loginHint: u.email }) });
});

microsoftIntegrationRoutes.get("/callback", requireRole("doctor"), async (c) => {
  const env = c.env;
  const u = c.var.user;
  const q = c.req.query();
  const payload = q.state && q.state.length < 4096 ? await verifyPurposeToken(q.state, STATE_PURPOSE, env.SESSION_SECRET) : null;
  if (!payload || payload.sub !== u.userId || payload.doc !== u.doctorId || typeof payload.v !== "string")
    throw badRequest("The connection request is invalid or has expired. Start again from Settings.");
  if (q.error) return c.redirect(settingsUrl(env, `integration=microsoft&result=${q.error === "access_denied" ? "denied" : "error"}`), 302);
  if (!q.code || q.code.length > 4096) throw badRequest("Microsoft did not return an authorization code.");
  const verifier = await unseal(payload.v, `pkce:${u.userId}`, sealKeysFromEnv(env));
  let tokens;
  try {
    tokens = await exchangeMicrosoftCode(microsoftOAuthConfig(env), q.code, verifier, redirectUri(env));
  } catch (err) {
    if (err instanceof ReconnectRequiredError) throw new ApiError(400, "oauth_failed", "Microsoft refused the authorization code. Start again from Settings.");
    throw new ApiError(502, "provider_unavailable", "Microsoft could not be reached. Try again in a moment.");
  }
  const doctorId = u.doctorId!;
  const existing = await env.DB.prepare("SELECT * FROM calendar_integrations WHERE doctor_id = ? AND provider = 'microsoft'").bind(doctorId).first<IntegrationRow>();
  const id = existing?.id ?? newId();
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO calendar_integrations (id, clinic_id, user_id, doctor_id, provider, sealed_tokens, access_expires_at, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'microsoft', ?, ?, 'pending', ?, ?)
     ON CONFLICT (doctor_id, provider) DO UPDATE SET sealed_tokens = excluded.sealed_tokens, access_expires_at = excluded.access_expires_at,
       user_id = excluded.user_id, updated_at = excluded.updated_at`,
  )
    .bind(id, u.clinicId, u.userId, doctorId, await sealTokens(env, id, tokens), tokens.expiresAt, now, now)
    .run();
  const row = (await env.DB.prepare("SELECT * FROM calendar_integrations WHERE id = ?").bind(id).first<IntegrationRow>())!;
  const graph = new MicrosoftGraphClient(graphApiBase(env), new StoredTokens(env, row, async () => {}, microsoftGrant(env)), await clinicZone(env, u.clinicId));
  let me, calendars;
  try {
    me = await graph.me();
    calendars = await graph.listCalendars();
  } catch {
    throw new ApiError(502, "provider_unavailable", "Connected, but Outlook's calendar list could not be read. Try connecting again.");
  }
  const primary = calendars.find((x) => x.primary) ?? calendars[0];
  const ids = new Set(calendars.map((x) => x.id));
  const writable = new Set(calendars.filter((x) => x.canWrite).map((x) => x.id));
  // Write calendar: the one chosen before (if still writable), else the default one if we may edit it.
  const writeId =
    row.write_calendar_id && writable.has(row.write_calendar_id)
      ? row.write_calendar_id
      : primary && writable.has(primary.id)
        ? primary.id
        : (calendars.find((x) => x.canWrite)?.id ?? null);
  const busy = busyIdsOf(row).filter((x) => ids.has(x));
  await env.DB.batch([
    ...calendars.map((cal) =>
      env.DB.prepare(
        "INSERT INTO integration_calendars (integration_id, calendar_id, summary) VALUES (?, ?, ?) ON CONFLICT (integration_id, calendar_id) DO UPDATE SET summary = excluded.summary",
      ).bind(id, cal.id, cal.summary),
    ),
    env.DB.prepare(
      "UPDATE calendar_integrations SET account_email = ?, account_kind = ?, write_calendar_id = ?, busy_calendar_ids = ?, status = 'active', last_error = NULL, last_error_at = NULL, own_listing_due = 1, updated_at = ? WHERE id = ?",
    ).bind(me.email, me.workAccount ? "work_or_school" : "personal", writeId, JSON.stringify(busy.length ? busy : primary ? [primary.id] : []), Date.now(), id),
    // Upcoming appointments booked before connecting go to Outlook too.
    ...(writeId ? [backfillStatement(env, id, doctorId, writeId)] : []),
  ]);
  await auditInsert(makeDb(env.DB), u.clinicId, actorOf(u), existing ? "integration.reconnect" : "integration.connect", "integration", id, {
    provider: "microsoft",
    account: me.email,
    accountKind: me.workAccount ? "work_or_school" : "personal",
  });
  const hub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId));
  await hub.publish(doctorId, { kind: "integration", op: "updated", doctorId, record: { id, provider: "microsoft", status: "active" } });
  await hub.kick(doctorId); // subscriptions, first sync, and any outbox rows that waited for a reconnect
  return c.redirect(settingsUrl(env, "integration=microsoft&result=connected"), 302);
});

type OptionsRow = IntegrationRow & { block_tentative: number; account_kind: string | null; teams_types: string };

async function outlookIntegration(c: { env: Env; var: { user: AppEnv["Variables"]["user"] } }, id: string, write: boolean): Promise<OptionsRow> {
  const u = c.var.user;
  const row = await c.env.DB.prepare("SELECT * FROM calendar_integrations WHERE id = ? AND clinic_id = ? AND provider = 'microsoft'").bind(id, u.clinicId).first<OptionsRow>();
  if (!row) throw notFound("Integration");
  if (row.user_id === u.userId) return row;
  if (u.role === "admin") {
    if (write) throw forbidden("Only the doctor who connected this calendar can change it.");
    return row;
  }
  throw notFound("Integration");
}

const optionsDto = (r: OptionsRow) => ({
  blockTentative: r.block_tentative !== 0,
  accountKind: r.account_kind,
  // Microsoft makes Teams meetings only for work or school accounts.
  teamsAvailable: r.account_kind === "work_or_school",
  teamsTypes: stringsOf(r.teams_types),
});

microsoftIntegrationRoutes.get("/:id/options", async (c) => {
  const row = await outlookIntegration(c, idOf(c.req.param("id"), "Integration"), false);
  return c.json({ options: optionsDto(row) });
});

microsoftIntegrationRoutes.patch("/:id/options", async (c) => {
  const env = c.env;
  const row = await outlookIntegration(c, idOf(c.req.param("id"), "Integration"), true);
  const body = await jsonBody(
    c,
    z
      .strictObject({ blockTentative: z.boolean().optional(), teamsTypes: z.array(z.string().trim().min(1).max(64)).max(20).optional() })
      .refine((b) => b.blockTentative !== undefined || b.teamsTypes !== undefined, "send blockTentative and/or teamsTypes"),
  );
  const value = body.blockTentative === undefined ? row.block_tentative : body.blockTentative ? 1 : 0;
  const before = stringsOf(row.teams_types);
  const types = body.teamsTypes ? [...new Set(body.teamsTypes)] : before;
  const added = types.filter((t) => !before.includes(t));
  if (body.teamsTypes && (added.length || types.length !== before.length)) {
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("UPDATE calendar_integrations SET teams_types = ?, updated_at = ? WHERE id = ?").bind(JSON.stringify(types), now, row.id),
      // Upcoming appointments of a newly chosen type get their Teams meeting: re-push them
      // (link pending + an outbox row, as the engine's requeue does).
      ...(added.length
        ? [
            env.DB.prepare(
              `UPDATE appointment_links SET state = 'pending', updated_at = ?1 WHERE integration_id = ?2 AND state = 'synced' AND appointment_id IN
                 (SELECT id FROM appointments WHERE doctor_id = ?3 AND status != 'cancelled' AND end_ms > ?1 AND type IN (SELECT value FROM json_each(?4)))`,
            ).bind(now, row.id, row.doctor_id, JSON.stringify(added)),
            env.DB.prepare(
              `INSERT INTO sync_outbox (clinic_id, doctor_id, appointment_id, op, version, created_at, updated_at)
               SELECT clinic_id, doctor_id, id, 'upsert', version, ?1, ?1 FROM appointments
               WHERE doctor_id = ?2 AND status != 'cancelled' AND end_ms > ?1 AND type IN (SELECT value FROM json_each(?3))`,
            ).bind(now, row.doctor_id, JSON.stringify(added)),
          ]
        : []),
    ]);
    await auditInsert(makeDb(env.DB), c.var.user.clinicId, actorOf(c.var.user), "integration.update", "integration", row.id, { teamsTypes: types });
    await env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(row.doctor_id)).kick(row.doctor_id);
  }
  if (value !== row.block_tentative) {
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("UPDATE calendar_integrations SET block_tentative = ?, updated_at = ? WHERE id = ?").bind(value, now, row.id),
      // Every calendar is listed in full once, so each tentative event is judged by the new setting.
      env.DB.prepare("UPDATE integration_calendars SET sync_cursor = NULL WHERE integration_id = ?").bind(row.id),
    ]);
    await auditInsert(makeDb(env.DB), c.var.user.clinicId, actorOf(c.var.user), "integration.update", "integration", row.id, { blockTentative: body.blockTentative });
    await env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(row.doctor_id)).kick(row.doctor_id);
  }
  return c.json({ options: optionsDto({ ...row, block_tentative: value, teams_types: JSON.stringify(types) }) });
});

microsoftIntegrationRoutes.get("/appointments/:id/meeting", async (c) => {
  const u = c.var.user;
  const appt = await getAppointment(c.env.DB, u.clinicId, idOf(c.req.param("id"), "Appointment"));
  if (!appt || (u.role === "doctor" && appt.doctorId !== u.doctorId)) throw notFound("Appointment");
  const row = await c.env.DB.prepare("SELECT * FROM calendar_integrations WHERE doctor_id = ? AND provider = 'microsoft' AND clinic_id = ?")
    .bind(appt.doctorId, u.clinicId)
    .first<OptionsRow>();
  if (!row) return c.json({ meeting: null });
  const link = await c.env.DB.prepare("SELECT join_url, state FROM appointment_links WHERE appointment_id = ? AND integration_id = ?")
    .bind(appt.id, row.id)
    .first<{ join_url: string | null; state: string }>();
  if (link?.join_url) return c.json({ meeting: { joinUrl: link.join_url, reason: null } });
  const d = teamsDecision({ appointmentType: appt.type }, { workAccount: row.account_kind === "work_or_school", teamsTypes: stringsOf(row.teams_types) });
  const reason = d.teams ? "The Teams link appears once the appointment is synced to Outlook." : d.reason;
  return c.json({ meeting: { joinUrl: null, reason } });
});
