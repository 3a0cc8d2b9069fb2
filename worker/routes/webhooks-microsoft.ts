// Microsoft Graph change and lifecycle notifications.
//   POST /api/webhooks/microsoft            change notifications (created/updated/deleted)
//   POST /api/webhooks/microsoft/lifecycle  reauthorizationRequired / subscriptionRemoved / missed
// Both first serve Graph's validation handshake: POST ?validationToken=… must be
// answered 200 text/plain with the decoded token within 10 s, or the subscription
// is not created. Notifications are checked against what we registered: the
// subscription id must be ours and its clientState must hash to the stored
// SHA-256 (the secret itself is never stored). A request with no valid
// notification changes nothing and gets 4xx. Valid ones only mark the calendar
// dirty and kick the doctor's DoctorHub; the answer (202) goes out at once, well
// within Graph's 3 s, and the hub runs the delta. Notifications are hints:
// batched, duplicated or out of order they all end in the same delta run.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { sha256Hex } from "../ids";

export const microsoftWebhookRoutes = new Hono<AppEnv>();

/** Most notifications in one request we look at (Graph batches; more is hostile). */
const MAX_ITEMS = 200;
/** Most distinct subscriptions looked up per request (D1 binds at most 100 parameters; ours are a handful per doctor). */
const MAX_SUBSCRIPTIONS = 50;

function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

const err = (c: Context<AppEnv>, status: 400 | 401 | 404, code: string, message: string) => c.json({ error: { code, message } }, status);

/** The validation handshake; null when this is not one. */
function handshake(c: Context<AppEnv>): Response | null {
  const token = c.req.query("validationToken");
  if (token === undefined) return null;
  if (token.length === 0 || token.length > 4096) return err(c, 400, "bad_request", "Invalid validationToken.");
  // The token is echoed verbatim (Graph compares it); nosniff so no browser ever renders it as HTML.
  return new Response(token, { status: 200, headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });
}

interface Notification {
  subscriptionId: string;
  clientState: string;
  lifecycleEvent: string | null;
  /** Graph's word on when the subscription ends (epoch ms), if the notification carried it. */
  expiresAt: number | null;
}

const expiryOf = (v: unknown): number | null => {
  const ms = typeof v === "string" ? Date.parse(v) : NaN;
  return Number.isFinite(ms) ? ms : null;
};

async function notificationsOf(c: Context<AppEnv>): Promise<Notification[] | null> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return null;
  }
  const value = (body as { value?: unknown })?.value;
  if (!Array.isArray(value) || value.length === 0) return null;
  return value.slice(0, MAX_ITEMS).flatMap((n: any) =>
    typeof n?.subscriptionId === "string" && n.subscriptionId.length <= 200
      ? [{ subscriptionId: n.subscriptionId, clientState: typeof n.clientState === "string" ? n.clientState.slice(0, 256) : "", lifecycleEvent: typeof n.lifecycleEvent === "string" ? n.lifecycleEvent : null, expiresAt: expiryOf(n.subscriptionExpirationDateTime) }]
      : [],
  );
}

interface SubRow {
  integration_id: string;
  calendar_id: string;
  channel_id: string;
  channel_token_hash: string | null;
  doctor_id: string;
  status: string;
}

async function handle(c: Context<AppEnv>, lifecycle: boolean) {
  const hs = handshake(c);
  if (hs) return hs;
  const items = await notificationsOf(c);
  if (!items) return err(c, 400, "bad_request", "Expected a JSON body with a non-empty value array.");
  const ids = [...new Set(items.map((n) => n.subscriptionId))].slice(0, MAX_SUBSCRIPTIONS);
  if (!ids.length) return err(c, 400, "bad_request", "No notification names a subscription.");
  const rows = (
    await c.env.DB.prepare(
      `SELECT c.integration_id, c.calendar_id, c.channel_id, c.channel_token_hash, i.doctor_id, i.status
       FROM integration_calendars c JOIN calendar_integrations i ON i.id = c.integration_id
       WHERE i.provider = 'microsoft' AND c.channel_id IN (${ids.map(() => "?").join(",")})`,
    )
      .bind(...ids)
      .all<SubRow>()
  ).results;
  const bySub = new Map(rows.map((r) => [r.channel_id, r]));
  const valid: { row: SubRow; n: Notification }[] = [];
  let unknown = 0;
  for (const n of items) {
    const row = bySub.get(n.subscriptionId);
    if (!row) {
      unknown++;
      continue;
    }
    if (!sameHex(await sha256Hex(n.clientState), row.channel_token_hash ?? "")) continue;
    valid.push({ row, n });
  }
  if (valid.length === 0) {
    console.warn("microsoft webhook: no valid notification", { count: items.length, unknown });
    return unknown === items.length
      ? err(c, 404, "not_found", "Unknown subscription.")
      : err(c, 401, "unauthorized", "clientState does not match the subscription.");
  }
  const now = Date.now();
  const doctors = new Set<string>();
  const stmts: D1PreparedStatement[] = [];
  for (const { row, n } of valid) {
    if (row.status !== "active") continue;
    doctors.add(row.doctor_id);
    const where = [row.integration_id, row.calendar_id, row.channel_id] as const;
    const ev = lifecycle ? n.lifecycleEvent : null;
    if (ev === "subscriptionRemoved")
      // Gone at Microsoft: forget it (the hub creates a new one) and read the calendar again.
      stmts.push(
        c.env.DB.prepare(
          "UPDATE integration_calendars SET channel_id = NULL, channel_resource_id = NULL, channel_token_hash = NULL, channel_expires_at = NULL, last_notification_at = ? WHERE integration_id = ? AND calendar_id = ? AND channel_id = ?",
        ).bind(now, ...where),
      );
    else if (ev === "reauthorizationRequired")
      // Renew now: the hub replaces a subscription whose expiry is due (new one first, then the old is deleted).
      stmts.push(
        c.env.DB.prepare("UPDATE integration_calendars SET channel_expires_at = ?, last_notification_at = ? WHERE integration_id = ? AND calendar_id = ? AND channel_id = ?").bind(
          now,
          now,
          ...where,
        ),
      );
    // A change, or `missed` (notifications were dropped): run the delta. Any delivery proves push
    // works (clears the engine's echo suspicion, worker/sync/channels.ts), and Graph's expiry can
    // only lower ours (as X-Goog-Channel-Expiration does for Google).
    else
      stmts.push(
        c.env.DB.prepare(
          `UPDATE integration_calendars SET last_notification_at = ?1, push_suspect_at = NULL,
             channel_expires_at = CASE WHEN ?2 IS NULL THEN channel_expires_at ELSE MIN(COALESCE(channel_expires_at, ?2), ?2) END
           WHERE integration_id = ?3 AND calendar_id = ?4 AND channel_id = ?5`,
        ).bind(now, n.expiresAt, ...where),
      );
  }
  if (stmts.length) await c.env.DB.batch(stmts);
  for (const d of doctors) {
    const hub = c.env.DOCTOR_HUB.get(c.env.DOCTOR_HUB.idFromName(d));
    await hub.kick(d);
  }
  return c.body(null, 202);
}

microsoftWebhookRoutes.post("/", (c) => handle(c, false));
microsoftWebhookRoutes.post("/lifecycle", (c) => handle(c, true));
