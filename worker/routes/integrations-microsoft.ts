// Connecting Outlook / Microsoft 365 (Microsoft identity platform v2, code flow + PKCE):
//   POST /api/integrations/microsoft/connect   doctor, for themself → {authorizeUrl}
//   GET  /api/integrations/microsoft/callback  Microsoft redirects the doctor's browser here
//   GET  /api/integrations/microsoft/:id/options  {blockTentative, accountKind, teamsAvailable} (owner or admin)
//   PATCH /api/integrations/microsoft/:id/options {blockTentative?, teamsTypes?} (owner)
//   GET  /api/integrations/microsoft/appointments/:id/meeting  {joinUrl, reason} for the details panel (staff)
// Connect and callback are the one OAuth flow of ./integrations-oauth.ts (the same as Google's);
// everything after connecting (choose calendars, disconnect, health) is the provider-neutral
// /api/integrations/:id in ./integrations.ts.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Env } from "../env";
import { forbidden, notFound } from "../errors";
import { csrf, requireSession } from "../middleware/session";
import { jsonBody } from "../validate";
import { idOf } from "./path-id";
import { oauthConnectRoutes } from "./integrations-oauth";
import { microsoftConnector } from "../providers/microsoft/connect";
import { stringsOf, type IntegrationRow } from "../sync/integrations";
import { teamsDecision } from "../providers/microsoft/mapping";
import { getAppointment } from "../appointments/queries";
import { makeDb } from "../db/client";
import { actorOf, auditInsert } from "../db/audit";

export const microsoftIntegrationRoutes = new Hono<AppEnv>();
microsoftIntegrationRoutes.use("*", requireSession, csrf);

// Connect and callback: the one OAuth flow (./integrations-oauth.ts) with Microsoft's parts.
microsoftIntegrationRoutes.route("/", oauthConnectRoutes(microsoftConnector));

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
  const link = await c.env.DB.prepare(
    "SELECT l.join_url, l.state, (SELECT v.url FROM appointment_video v WHERE v.appointment_id = l.appointment_id) AS video_url FROM appointment_links l WHERE l.appointment_id = ? AND l.integration_id = ?",
  )
    .bind(appt.id, row.id)
    .first<{ join_url: string | null; state: string; video_url: string | null }>();
  if (link?.join_url && link.join_url === link.video_url) return c.json({ meeting: { joinUrl: link.join_url, reason: null } });
  // The event's meeting is no longer the appointment's (the patient was replaced; the old patient
  // has its link): never shown again; the sync replaces the event by one with a new meeting.
  if (link?.join_url)
    return c.json({ meeting: { joinUrl: null, reason: "A new Teams meeting appears once the appointment is synced to Outlook again (the previous one is no longer this appointment's, e.g. after a change of patient)." } });
  const d = teamsDecision({ appointmentType: appt.type }, { workAccount: row.account_kind === "work_or_school", teamsTypes: stringsOf(row.teams_types) });
  const reason = d.teams ? "The Teams link appears once the appointment is synced to Outlook." : d.reason;
  return c.json({ meeting: { joinUrl: null, reason } });
});
