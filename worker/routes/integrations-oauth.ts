// Connecting a calendar account over OAuth (authorization code + PKCE): ONE flow for every OAuth
// provider; the provider's parts (configured?, authorize URL, code exchange, the account and its
// calendars) come through providers/oauth-connector.ts from google/connect.ts and
// microsoft/connect.ts. Mounted under each provider's path, behind the parent's session + CSRF:
//   POST /api/integrations/<provider>/connect   doctor, for themself → {authorizeUrl}
//   GET  /api/integrations/<provider>/callback  the provider redirects the doctor's browser here
//
// - The state is a signed, expiring purpose token bound to the user and doctor; it carries the
//   PKCE verifier sealed (AES-GCM, bound to the user): nothing stored server-side, and neither
//   the provider nor the browser can read it.
// - The account and its calendars are read with the new tokens BEFORE anything is written, so a
//   refused code or an unreadable calendar list leaves no row behind.
// - Then one D1 batch: the integration (tokens sealed with the integration id as context), its
//   calendars, and the back-fill of upcoming appointments; then the audit entry, a live update
//   and a kick of the doctor's hub (first sync, channels/subscriptions, waiting outbox rows).
// - The doctor lands on the settings page with ?integration=<provider>&result=connected|denied|error.
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv, Env } from "../env";
import { seal, sealKeysFromEnv, unseal } from "../auth/token-seal";
import { signPurposeToken, verifyPurposeToken } from "../auth/session";
import { ApiError, badRequest, forbidden } from "../errors";
import { newId } from "../ids";
import { requireRole } from "../middleware/session";
import { jsonBody } from "../validate";
import { ReconnectRequiredError } from "../providers/http";
import { SCOPE_NOT_GRANTED } from "../providers/google/oauth";
import { chooseWriteCalendar, freshTokens, newPkce, type ConnectedAccount, type OAuthConnector } from "../providers/oauth-connector";
import type { TokenSet } from "../providers/oauth-tokens";
import { busyIdsOf, clinicZone, sealTokens, type IntegrationRow } from "../sync/integrations";
import { backfillStatement } from "../sync/backfill";
import { makeDb } from "../db/client";
import { actorOf, auditInsert } from "../db/audit";

const STATE_TTL_SECONDS = 10 * 60;
/** Longest state or code we look at: real ones are a few hundred characters; bounded work on hostile input. */
const MAX_PARAM = 4096;

const statePurpose = (k: OAuthConnector) => `${k.name}-oauth-state`;
const appUrl = (env: Env) => env.APP_URL.replace(/\/+$/, "");
const redirectUri = (env: Env, k: OAuthConnector) => `${appUrl(env)}/api/integrations/${k.name}/callback`;
const settingsUrl = (env: Env, k: OAuthConnector, result: "connected" | "denied" | "error") =>
  `${appUrl(env)}/settings/integrations?integration=${k.name}&result=${result}`;

// A server without the provider's OAuth app answers a clear 503 (the settings page shows the
// sentence), not the 500 of a missing configuration.
export const notConfiguredReason = (k: OAuthConnector) => `${k.product} isn't set up on this server.`;
function requireConfigured(env: Env, k: OAuthConnector) {
  if (!k.configured(env)) throw new ApiError(503, "provider_not_configured", notConfiguredReason(k));
}

/** The connect + callback routes for one OAuth provider. */
export function oauthConnectRoutes(k: OAuthConnector) {
  return new Hono<AppEnv>()
    .post("/connect", requireRole("doctor"), async (c) => {
      const u = c.var.user;
      if (!u.doctorId) throw forbidden("Only a doctor can connect their own calendar.");
      if ((c.req.header("content-length") ?? "0") !== "0") await jsonBody(c, z.strictObject({}));
      requireConfigured(c.env, k);
      const pkce = await newPkce();
      const v = await seal(pkce.verifier, `pkce:${u.userId}`, sealKeysFromEnv(c.env));
      const state = await signPurposeToken({ sub: u.userId, doc: u.doctorId, clinic: u.clinicId, v }, statePurpose(k), c.env.SESSION_SECRET, STATE_TTL_SECONDS);
      return c.json({ authorizeUrl: k.authorizeUrl(c.env, { redirectUri: redirectUri(c.env, k), state, challenge: pkce.challenge, loginHint: u.email }) });
    })
    .get("/callback", requireRole("doctor"), (c) => callback(c, k));
}

async function callback(c: Context<AppEnv>, k: OAuthConnector) {
  const env = c.env;
  requireConfigured(env, k);
  const u = c.var.user;
  const q = c.req.query();
  const payload = q.state && q.state.length <= MAX_PARAM ? await verifyPurposeToken(q.state, statePurpose(k), env.SESSION_SECRET) : null;
  if (!payload || payload.sub !== u.userId || payload.doc !== u.doctorId || typeof payload.v !== "string")
    throw badRequest("The connection request is invalid or has expired. Start again from Settings.");
  if (q.error) return c.redirect(settingsUrl(env, k, q.error === "access_denied" ? "denied" : "error"), 302);
  if (!q.code || q.code.length > MAX_PARAM) throw badRequest(`${k.company} did not return an authorization code.`);
  const verifier = await unseal(payload.v, `pkce:${u.userId}`, sealKeysFromEnv(env));
  let tokens: TokenSet;
  try {
    tokens = await k.exchangeCode(env, q.code, verifier, redirectUri(env, k));
  } catch (err) {
    // The doctor unticked a calendar permission on the consent screen (granular consent): we could
    // not write appointments, so nothing is stored and they are asked to allow it (prompt=consent
    // shows every permission again). The grant is not revoked: on a reconnect it is the same grant
    // the working integration holds.
    if (err instanceof ReconnectRequiredError && err.reason === SCOPE_NOT_GRANTED)
      throw new ApiError(
        400,
        "calendar_access_not_granted",
        `${k.company} did not give access to your calendar, so appointments cannot be written to ${k.product}. Connect again from Settings and, on ${k.company}'s screen, allow every calendar permission asked for.`,
      );
    if (err instanceof ReconnectRequiredError) throw new ApiError(400, "oauth_failed", `${k.company} refused the authorization code. Start again from Settings.`);
    throw new ApiError(502, "provider_unavailable", `${k.company} could not be reached. Try again in a moment.`);
  }
  let account: ConnectedAccount;
  try {
    account = await k.account(env, freshTokens(tokens), await clinicZone(env, u.clinicId));
  } catch {
    throw new ApiError(502, "provider_unavailable", `${k.product}'s calendar list could not be read. Try connecting again.`);
  }
  const doctorId = u.doctorId!;
  const { id, reconnect } = await saveIntegration(env, k, u.clinicId, u.userId, doctorId, tokens, account);
  await auditInsert(makeDb(env.DB), u.clinicId, actorOf(u), reconnect ? "integration.reconnect" : "integration.connect", "integration", id, {
    provider: k.name,
    account: account.email,
    ...(account.kind ? { accountKind: account.kind } : {}),
  });
  const hub = env.DOCTOR_HUB.get(env.DOCTOR_HUB.idFromName(doctorId));
  await hub.publish(doctorId, { kind: "integration", op: "updated", doctorId, record: { id, provider: k.name, status: "active" } });
  await hub.kick(doctorId); // channels/subscriptions, first sync, and any outbox rows that waited for a reconnect
  return c.redirect(settingsUrl(env, k, "connected"), 302);
}

/**
 * Creates or (reconnect) renews the doctor's integration with this provider in one D1 batch.
 * A reconnect keeps the integration id, the write calendar if still writable, and the busy
 * calendars the account still has; own_listing_due makes the engine list our events there once
 * and write only what differs (sync/reconnect.ts).
 */
async function saveIntegration(
  env: Env,
  k: OAuthConnector,
  clinicId: string,
  userId: string,
  doctorId: string,
  tokens: TokenSet,
  account: ConnectedAccount,
): Promise<{ id: string; reconnect: boolean }> {
  const existing = await env.DB.prepare("SELECT * FROM calendar_integrations WHERE doctor_id = ? AND provider = ?").bind(doctorId, k.name).first<IntegrationRow>();
  const id = existing?.id ?? newId();
  const now = Date.now();
  const { calendars } = account;
  const ids = new Set(calendars.map((x) => x.id));
  const primary = calendars.find((x) => x.primary) ?? calendars[0];
  const writeId = chooseWriteCalendar(existing?.write_calendar_id ?? null, calendars);
  const kept = existing ? busyIdsOf(existing).filter((x) => ids.has(x)) : [];
  const busy = kept.length ? kept : primary ? [primary.id] : [];
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO calendar_integrations (id, clinic_id, user_id, doctor_id, provider, sealed_tokens, access_expires_at, account_email, account_kind,
         write_calendar_id, busy_calendar_ids, status, own_listing_due, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 1, ?, ?)
       ON CONFLICT (doctor_id, provider) DO UPDATE SET sealed_tokens = excluded.sealed_tokens, access_expires_at = excluded.access_expires_at,
         user_id = excluded.user_id, account_email = excluded.account_email, account_kind = COALESCE(excluded.account_kind, account_kind),
         write_calendar_id = excluded.write_calendar_id, busy_calendar_ids = excluded.busy_calendar_ids, status = 'active',
         last_error = NULL, last_error_at = NULL, own_listing_due = 1, updated_at = excluded.updated_at`,
    ).bind(id, clinicId, userId, doctorId, k.name, await sealTokens(env, id, tokens), tokens.expiresAt, account.email, account.kind, writeId, JSON.stringify(busy), now, now),
    ...calendars.map((cal) =>
      env.DB.prepare(
        "INSERT INTO integration_calendars (integration_id, calendar_id, summary) VALUES (?, ?, ?) ON CONFLICT (integration_id, calendar_id) DO UPDATE SET summary = excluded.summary",
      ).bind(id, cal.id, cal.summary),
    ),
    // Upcoming appointments booked before connecting (or changed while disconnected) go there too.
    ...(writeId ? [backfillStatement(env, id, doctorId, writeId)] : []),
  ]);
  return { id, reconnect: !!existing };
}
